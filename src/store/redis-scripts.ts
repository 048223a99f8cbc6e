// Lua scripts of the RedisStore. A script runs atomically like MULTI/EXEC, and
// unlike MULTI it can use the INCR result: the new catalog version becomes the
// member's revision in catalog:snapshot and is published in the same step, so
// no write is ever visible without its version (and vice versa).

/**
 * KEYS: manifest:{id}, manifest:{id}:meta, catalog:version, catalog:snapshot
 * ARGV: id, manifestJson, channel, field1, value1, ...
 */
export const PUT_MANIFEST = `
local v = redis.call('INCR', KEYS[3])
redis.call('SET', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], 'status', 'ok', 'rev', v)
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[4], ARGV[1], v)
redis.call('PUBLISH', ARGV[3], v)
return v
`

/**
 * KEYS: manifest:{id}:meta, catalog:version, catalog:snapshot
 * ARGV: id, status, channel, deleteCount, deleteField..., field1, value1, ...
 */
export const PUT_STATUS = `
local v = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'rev', v)
local n = tonumber(ARGV[4])
for i = 5, 4 + n do redis.call('HDEL', KEYS[1], ARGV[i]) end
for i = 5 + n, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[3], ARGV[1], v)
redis.call('PUBLISH', ARGV[3], v)
return v
`

/** KEYS: lock:{name}; ARGV: token. Deletes only the holder's own lock. */
export const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`

/** takes one count back from a failure counter; the key goes at 0 (KEYS: authfail:{key}) */
export const FORGET_FAILURE = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n <= 1 then return redis.call('DEL', KEYS[1]) end
return redis.call('DECR', KEYS[1])
`

/**
 * Prefix that makes a write conditional on the stored manifest (an If-Match
 * registration, and every fenced write): the caller appends KEY manifest:{id}
 * and ARGV basis, the manifestFingerprint it expects ('' = none; see
 * store/fence.ts). They are taken off the end, so the script below sees its
 * usual KEYS and ARGV. Returns -2, writing nothing, when the stored manifest
 * is another one; checked and written in one atomic step.
 */
const MATCH = `
local manifestKey = table.remove(KEYS)
local basis = table.remove(ARGV)
local current = redis.call('GET', manifestKey)
if (current and redis.sha1hex(current) or '') ~= basis then return -2 end
`

/**
 * Prefix for a refresh (fenced write): MATCH, and before it the lock. The
 * caller appends KEYS manifest:{id}, lock:{name} and ARGV basis, token.
 * Returns -1, writing nothing, when the lock is no longer the caller's.
 */
const FENCE = `
local lockKey = table.remove(KEYS)
local token = table.remove(ARGV)
if redis.call('GET', lockKey) ~= token then return -1 end
` + MATCH

export const PUT_MANIFEST_IF = MATCH + PUT_MANIFEST
export const PUT_MANIFEST_FENCED = FENCE + PUT_MANIFEST
export const PUT_STATUS_FENCED = FENCE + PUT_STATUS
// Reset detection and recovery (see LiveCatalog): a Redis that restarted
// without persistence has lost catalog:epoch, and its versions start over.

/** KEYS: catalog:epoch; ARGV: previous epoch ('' = none), fresh epoch. Compare-and-set. */
export const RENEW_EPOCH = `
local e = redis.call('GET', KEYS[1])
if (not e) or e == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return ARGV[2]
end
return e
`

/** KEYS: catalog:version; ARGV: min, channel. Never lowers the version. */
export const RAISE_VERSION = `
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
local min = tonumber(ARGV[1])
if v >= min then return v end
redis.call('SET', KEYS[1], min)
redis.call('PUBLISH', ARGV[2], min)
return min
`

/**
 * PUT_MANIFEST, but only when the member has no manifest, or (ARGV[5] not
 * empty) when it has the bundled file with that JSON-encoded hash.
 * KEYS: manifest:{id}, manifest:{id}:meta, catalog:version, catalog:snapshot
 * ARGV: id, manifestJson, channel, status, overFileSha256Json, field1, value1, ...
 */
export const RESTORE_MEMBER = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  if ARGV[5] == '' then return 0 end
  if redis.call('HGET', KEYS[2], 'source') ~= '"file"' then return 0 end
  if redis.call('HGET', KEYS[2], 'fileSha256') ~= ARGV[5] then return 0 end
end
local v = redis.call('INCR', KEYS[3])
redis.call('SET', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], 'status', ARGV[4], 'rev', v)
for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[4], ARGV[1], v)
redis.call('PUBLISH', ARGV[3], v)
return v
`

/**
 * Meta that changes nothing served (a 304's fetchedAt): no INCR, no rev, no
 * PUBLISH; skipped when the member is gone (a reset store).
 * KEYS: manifest:{id}:meta; ARGV: deleteCount, deleteField..., field1, value1, ...
 */
export const RECORD_FETCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = tonumber(ARGV[1])
for i = 2, 1 + n do redis.call('HDEL', KEYS[1], ARGV[i]) end
for i = 2 + n, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
`

/** a refresh recording a fetch (validators included) only while its fence holds */
export const RECORD_FETCH_FENCED = FENCE + RECORD_FETCH

/**
 * KEYS: reports, reports:client:{hash}
 * ARGV: now (ms), expires (ms), reportJson, reportId, perClient, total
 * Drops expired reports, then stores the new one only while the sender's
 * network and the whole store are below their bounds; never evicts.
 * Returns 'stored', 'client' or 'full'.
 */
export const PUT_REPORT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[6]) then return 'full' end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return 'client' end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
local ttl = redis.call('PTTL', KEYS[2])
local left = tonumber(ARGV[2]) - tonumber(ARGV[1])
if ttl < left then redis.call('PEXPIRE', KEYS[2], left) end
return 'stored'
`

/**
 * KEYS: insights:{day}, insights:{day}:clients:{counter}
 * ARGV: distinctField, keepSeconds, hash...
 * Adds salted client hashes to the counter's HyperLogLog and writes its
 * count into the day's hash, in one step.
 */
export const ADD_DISTINCT = `
redis.call('PFADD', KEYS[2], unpack(ARGV, 3))
redis.call('EXPIRE', KEYS[2], ARGV[2])
local n = redis.call('PFCOUNT', KEYS[2])
redis.call('HSET', KEYS[1], ARGV[1], n)
return n
`
