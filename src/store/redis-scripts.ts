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

/**
 * Prefix that turns a write script into a fenced one (refreshes): the caller
 * appends KEYS manifest:{id}, lock:{name} and ARGV token, basis (see
 * store/fence.ts); they are taken off the end so the script below sees its
 * usual KEYS and ARGV. Returns -1 when the lock is no longer the caller's,
 * -2 when the stored manifest is not the one the caller started from; in
 * both cases nothing is written. Checked and written in one atomic step.
 */
const FENCE = `
local lockKey = table.remove(KEYS)
local manifestKey = table.remove(KEYS)
local basis = table.remove(ARGV)
local token = table.remove(ARGV)
if redis.call('GET', lockKey) ~= token then return -1 end
local current = redis.call('GET', manifestKey)
if (current and redis.sha1hex(current) or '') ~= basis then return -2 end
`

export const PUT_MANIFEST_FENCED = FENCE + PUT_MANIFEST
export const PUT_STATUS_FENCED = FENCE + PUT_STATUS
