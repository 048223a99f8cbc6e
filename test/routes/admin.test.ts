import t, * as Tap from 'tap'
import crypto from 'node:crypto'
import Fastify from 'fastify'
import { adminRoutes, type AdminRoutesOptions } from '../../src/routes/admin.js'
import { registerProblemHandlers } from '../../src/routes/problem.js'
import { namedSchemas } from '../../src/routes/named-schemas.js'
import { validateManifest } from '../../src/manifest/validate.js'
import { upgradeManifest } from '../../src/manifest/upgrade.js'
import type { ManifestV1 } from '../../src/manifest/schema.js'
import { MemoryStore } from '../../src/store/memory-store.js'
import { RedisStore } from '../../src/store/redis-store.js'
import { sha256Hex } from '../../src/auth/token.js'
import type { MemberConfig } from '../../src/config/region-schema.js'
import type { CatalogStore } from '../../src/store/types.js'
import { redisAvailable, requireRedis, startRedis } from '../helpers/redis.js'
import { catalogStub } from '../helpers/catalog-stub.js'
import type { LiveCatalog } from '../../src/lifecycle/live-catalog.js'
import type { Refresher } from '../../src/refresh/refresher.js'
import type { RefreshOutcome } from '../../src/refresh/types.js'

type Test = Tap.Test

function member(id: string, extra: Partial<MemberConfig> = {}): MemberConfig {
  return {
    id, name: id, level: 'stadt', ars: '055620016016', parent: null, postalCodes: ['45964'],
    manifest: `members/${id}.json`, allowedHosts: [`www.${id}.de`], ...extra,
  }
}
const MEMBERS = [
  member('gladbeck', { tokenSha256: sha256Hex('tok-gladbeck') }),
  member('dorsten', { tokenSha256: sha256Hex('tok-dorsten') }),
  member('herten'),
  member('marl', { tokenSha256: sha256Hex('tok-marl'), manifest: 'https://www.marl.de/manifest.json' }),
]

function doc(id = 'gladbeck', name = 'Hund anmelden', website = `https://www.${id}.de/`) {
  return {
    schemaVersion: 1, member: id, updatedAt: '2026-11-25T00:00:00Z', sources: [{ what: 'test', source: 'test' }],
    links: { website }, offices: [],
    services: [{ id: 'hund', key: 'hund-anmelden', name, summary: 'Zusammenfassung.', audiences: ['residents'], lifeSituations: ['tiere'] }],
  }
}

type BuildExtra = Partial<AdminRoutesOptions> & { store?: CatalogStore; refresh?: (id: string) => Promise<RefreshOutcome> }

async function build(t: Test, { store: given, refresh, ...extra }: BuildExtra = {}) {
  const store: CatalogStore = given ?? new MemoryStore()
  await store.init()
  const app = Fastify()
  registerProblemHandlers(app, { production: false })
  for (const schema of namedSchemas) app.addSchema(schema)
  // what the admin routes read from the catalog plugin: store, members, validation, refreshNow
  const live = {
    members: new Map(MEMBERS.map((m) => [m.id, m])),
    validate: (d: unknown, m: MemberConfig) => validateManifest(d, {
      memberId: m.id, allowedHosts: m.allowedHosts, lifeSituationIds: new Set(['tiere']), serviceKeys: new Set(['hund-anmelden']),
    }),
  } as unknown as LiveCatalog
  const refresher = { refreshNow: refresh ?? (async (id: string) => { throw new Error(`no refresher for ${id}`) }) } as Refresher
  await app.register(catalogStub({ store, live, refresher }))
  await app.register(adminRoutes, { prefix: '/api/v1/admin', ...extra })
  t.teardown(async () => {
    await app.close()
    await store.close()
  })
  return { app, store }
}

const put = (id: string, token: string | undefined, body: unknown, headers: Record<string, string> = {}) => ({
  method: 'PUT' as const,
  url: `/api/v1/admin/members/${id}/manifest`,
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
})

t.test('accepts a valid manifest from its own member', async (t) => {
  const { app, store } = await build(t, { now: () => new Date('2026-11-25T10:00:00Z') })
  const res = await app.inject(put('gladbeck', 'tok-gladbeck', doc()))
  t.equal(res.statusCode, 200)
  t.same(res.json(), { member: 'gladbeck', version: 1, acceptedAt: '2026-11-25T10:00:00.000Z' })
  t.same((await store.getMember('gladbeck'))?.meta, { source: 'api', acceptedAt: '2026-11-25T10:00:00.000Z' })
  const got = await app.inject({ url: '/api/v1/admin/members/gladbeck/manifest', headers: { authorization: 'Bearer tok-gladbeck' } })
  t.equal(got.statusCode, 200)
  // a v1 registration is stored (and served) in its v2 form
  t.same(got.json(), upgradeManifest(doc() as ManifestV1))
})

// Two people editing one manifest: If-Match keeps the second from silently undoing the first.
function ifMatchCases(name: string, open: (t: Test) => Promise<CatalogStore | undefined>): void {
  t.test(`If-Match on the manifest (${name}): the ETag of a read; a stale one is a 412 and the newer manifest stays`, async (t) => {
    const store = await open(t)
    if (store === undefined) return
    const { app } = await build(t, { store })
    const get = () => app.inject({ url: '/api/v1/admin/members/gladbeck/manifest', headers: { authorization: 'Bearer tok-gladbeck', 'accept-encoding': 'br, gzip' } })
    const noneYet = await app.inject(put('gladbeck', 'tok-gladbeck', doc('gladbeck', 'Erster'), { 'if-match': '*' }))
    t.equal(noneYet.statusCode, 412, '* needs a stored manifest')
    t.equal(noneYet.headers.etag, undefined, 'and there is no ETag to name')
    t.match(noneYet.json(), { code: 'DP_ERR_MANIFEST_CHANGED', detail: /keines gespeichert/ })
    const first = await app.inject(put('gladbeck', 'tok-gladbeck', doc('gladbeck', 'Erster')))
    t.equal(first.statusCode, 200, 'without If-Match the last write wins (scripts keep working)')

    // Anna and Ben read the same manifest
    const read = await get()
    const etag = read.headers.etag as string
    t.match(etag, /^"[0-9a-f]{40}"$/, 'a strong ETag')
    t.equal(read.headers['content-encoding'], undefined, 'sent as is, so the strong ETag names these bytes')
    t.equal(first.headers.etag, etag, 'the 200 of the write named the same manifest')
    const anna = await app.inject(put('gladbeck', 'tok-gladbeck', doc('gladbeck', 'Von Anna'), { 'if-match': etag }))
    t.equal(anna.statusCode, 200)
    const ben = await app.inject(put('gladbeck', 'tok-gladbeck', doc('gladbeck', 'Von Ben'), { 'if-match': etag }))
    t.equal(ben.statusCode, 412, 'Ben\'s edit is based on a manifest that is gone')
    t.match(ben.headers['content-type'], /^application\/problem\+json/)
    t.match(ben.json(), { status: 412, code: 'DP_ERR_MANIFEST_CHANGED', title: 'Manifest inzwischen geändert', detail: /gladbeck/ })
    t.equal(ben.headers.etag, anna.headers.etag, 'the 412 names the manifest now stored')
    const now = await get()
    t.equal(now.json().services[0].name, 'Von Anna', 'Anna\'s manifest stays live')
    t.equal(now.headers.etag, anna.headers.etag)

    // a stale If-Match wins over an invalid body: nothing is validated for an edit that would be refused anyway
    const invalidStale = await app.inject(put('gladbeck', 'tok-gladbeck', { ...doc(), services: 'nein' }, { 'if-match': etag }))
    t.equal(invalidStale.statusCode, 412)
    const weak = await app.inject(put('gladbeck', 'tok-gladbeck', doc('gladbeck', 'Schwach'), { 'if-match': `W/${anna.headers.etag as string}` }))
    t.equal(weak.statusCode, 412, 'a weak tag never matches (strong comparison)')
    const listed = await app.inject(put('gladbeck', 'tok-gladbeck', doc('gladbeck', 'Von Ben, neu'), { 'if-match': `${etag}, ${anna.headers.etag as string}` }))
    t.equal(listed.statusCode, 200, 'one of a list of tags is enough')
    const any = await app.inject(put('gladbeck', 'tok-gladbeck', doc('gladbeck', 'Beliebig'), { 'if-match': '*' }))
    t.equal(any.statusCode, 200, '* matches any stored manifest')
    t.equal((await get()).json().services[0].name, 'Beliebig')
  })
}
ifMatchCases('embedded store', async () => new MemoryStore())
ifMatchCases('Redis', async (t) => {
  if (!redisAvailable()) return void requireRedis(t)
  const server = await startRedis(t)
  return new RedisStore({ target: server.url, prefix: 'admin-if-match:' })
})

t.test('authentication: 401 missing/wrong, 403 other member, problem+json in English', async (t) => {
  const { app, store } = await build(t)
  const missing = await app.inject(put('gladbeck', undefined, doc()))
  t.equal(missing.statusCode, 401)
  t.match(missing.headers['content-type'], /^application\/problem\+json/)
  t.match(missing.headers['www-authenticate'], /^Bearer/)
  t.match(missing.json(), { status: 401, title: 'Nicht angemeldet', code: 'DP_ERR_AUTH_MISSING' })
  const basic = await app.inject(put('gladbeck', undefined, doc(), { authorization: 'Basic Z2xhZGJlY2s=' }))
  t.equal(basic.json().code, 'DP_ERR_AUTH_MISSING')
  const wrong = await app.inject(put('gladbeck', 'tok-wrong', doc()))
  t.match(wrong.json(), { status: 401, code: 'DP_ERR_AUTH_INVALID' })
  const other = await app.inject(put('gladbeck', 'tok-dorsten', doc()))
  t.match(other.json(), { status: 403, title: 'Keine Berechtigung', code: 'DP_ERR_AUTH_FORBIDDEN' })
  const noToken = await app.inject(put('herten', 'tok-gladbeck', doc('herten')))
  t.equal(noToken.statusCode, 403, 'a member without a configured token cannot be written')
  const read = await app.inject({ url: '/api/v1/admin/members/gladbeck/manifest', headers: { authorization: 'Bearer tok-dorsten' } })
  t.equal(read.statusCode, 403, 'reading needs the same token')
  t.equal(await store.getVersion(), 0, 'nothing was written')
})

t.test('unknown member: the same 404 whether the token is right, wrong or missing', async (t) => {
  const { app } = await build(t)
  const answers = await Promise.all(['tok-gladbeck', 'tok-wrong', undefined].map((token) => app.inject(put('nobody', token, doc('nobody')))))
  for (const res of answers) t.equal(res.statusCode, 404)
  t.same(answers[1]!.json(), answers[0]!.json())
  t.same(answers[2]!.json(), answers[0]!.json())
  // only the date and the request id (one per request) differ
  t.same(answers[1]!.headers, { ...answers[0]!.headers, date: answers[1]!.headers.date, 'x-request-id': answers[1]!.headers['x-request-id'] })
})

t.test('the token compare is constant-time: timingSafeEqual against every configured hash', async (t) => {
  const { app } = await build(t)
  const original = crypto.timingSafeEqual
  const lengths: number[] = []
  crypto.timingSafeEqual = ((a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
    lengths.push(a.byteLength, b.byteLength)
    return original(a, b)
  }) as typeof crypto.timingSafeEqual
  t.teardown(() => void (crypto.timingSafeEqual = original))
  for (const token of ['tok-wrong', 'tok-gladbeck', 'x'.repeat(300)]) {
    lengths.length = 0
    await app.inject(put('gladbeck', token, doc()))
    t.equal(lengths.length / 2, 3, `${token.slice(0, 10)}: compared with all three member hashes, no early exit`)
    t.ok(lengths.every((n) => n === 32), 'on equal-length SHA-256 digests')
  }
})

t.test('422 lists every validation error with its path; the old manifest stays live', async (t) => {
  const { app, store } = await build(t)
  await app.inject(put('gladbeck', 'tok-gladbeck', doc('gladbeck', 'Alt')))
  const bad = { ...doc('gladbeck', ''), links: { website: 'https://evil.example/' }, extra: true }
  const res = await app.inject(put('gladbeck', 'tok-gladbeck', bad))
  t.equal(res.statusCode, 422)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  const paths = (res.json().errors as { path: string }[]).map((e) => e.path).sort()
  // schema errors and region rules together: the city fixes everything in one round
  t.same(paths, ['/extra', '/links/website', '/services/0/name'])
  const rules = await app.inject(put('gladbeck', 'tok-gladbeck', doc('gladbeck', 'Neu', 'https://evil.example/')))
  t.same(rules.json().errors.map((e: { path: string }) => e.path), ['/links/website'])
  const foreign = await app.inject(put('gladbeck', 'tok-gladbeck', doc('dorsten', 'Neu', 'https://www.gladbeck.de/')))
  t.equal(foreign.statusCode, 422)
  t.same(foreign.json().errors.map((e: { path: string }) => e.path), ['/member'])
  const garbage = await app.inject(put('gladbeck', 'tok-gladbeck', '{"schemaVersion": 1,'))
  t.equal(garbage.statusCode, 422)
  t.match(garbage.json().errors[0], { path: '', message: /^not valid JSON/ })
  t.equal((await store.getMember('gladbeck'))?.manifest?.services[0]?.name, 'Alt')
  t.equal(await store.getVersion(), 1)
})

t.test('415 for non-JSON, 413 over the body limit (after auth)', async (t) => {
  const { app, store } = await build(t, { bodyLimitBytes: 4096 })
  const text = await app.inject(put('gladbeck', 'tok-gladbeck', JSON.stringify(doc()), { 'content-type': 'text/plain' }))
  t.match(text.json(), { status: 415, code: 'DP_ERR_MEDIA_TYPE' })
  const form = await app.inject(put('gladbeck', 'tok-gladbeck', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' }))
  t.equal(form.statusCode, 415)
  const big = doc('gladbeck', 'x'.repeat(5000))
  const tooLarge = await app.inject(put('gladbeck', 'tok-gladbeck', big))
  t.equal(tooLarge.statusCode, 413)
  t.match(tooLarge.headers['content-type'], /^application\/problem\+json/)
  const bigUnauthenticated = await app.inject(put('gladbeck', 'tok-wrong', big))
  t.equal(bigUnauthenticated.statusCode, 401, 'auth runs before the body is read')
  const plusJson = await app.inject(put('gladbeck', 'tok-gladbeck', doc(), { 'content-type': 'application/manifest+json; charset=utf-8' }))
  t.equal(plusJson.statusCode, 200)
  t.equal(await store.getVersion(), 1)
})

t.test('a JSON body that is empty or null is a 422 saying so, not a 415 blaming the content type', async (t) => {
  const { app, store } = await build(t)
  const empty = await app.inject(put('gladbeck', 'tok-gladbeck', ''))
  t.equal(empty.statusCode, 422)
  t.match(empty.json(), { code: 'DP_ERR_MANIFEST_INVALID', errors: [{ path: '', message: 'the body is empty: send the manifest' }] })
  const nothing = await app.inject(put('gladbeck', 'tok-gladbeck', 'null'))
  t.equal(nothing.statusCode, 422)
  t.match(nothing.json(), { code: 'DP_ERR_MANIFEST_INVALID', errors: [{ path: '', message: 'must be of type object' }] })
  const untyped = await app.inject({ method: 'PUT', url: '/api/v1/admin/members/gladbeck/manifest', headers: { authorization: 'Bearer tok-gladbeck' }, payload: JSON.stringify(doc()) })
  t.equal(untyped.statusCode, 415, 'without a content type it stays a 415')
  t.equal(await store.getVersion(), 0)
})

t.test('the body must be UTF-8: Latin-1 umlauts are a 422, not stored as U+FFFD; a UTF-8 BOM is accepted', async (t) => {
  const { app, store } = await build(t)
  // PowerShell 5.1 and old Windows tools send ISO-8859-1
  const latin1 = Buffer.from(JSON.stringify(doc('gladbeck', 'Hund anmelden im Bürgerbüro')), 'latin1')
  const refused = await app.inject(put('gladbeck', 'tok-gladbeck', latin1, { 'content-type': 'application/json; charset=ISO-8859-1' }))
  t.equal(refused.statusCode, 422)
  t.match(refused.json(), { code: 'DP_ERR_MANIFEST_INVALID', errors: [{ path: '', message: /not valid UTF-8/ }] })
  t.equal(await store.getVersion(), 0, 'nothing stored')
  // Notepad and PowerShell's Out-File write a byte order mark
  const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(doc('gladbeck', 'Hund anmelden im Bürgerbüro')))])
  const accepted = await app.inject(put('gladbeck', 'tok-gladbeck', bom))
  t.equal(accepted.statusCode, 200, accepted.body)
  t.equal((await store.getMember('gladbeck'))?.manifest?.services[0]?.name, 'Hund anmelden im Bürgerbüro')
})

/** a sleep that only records: the brake's delays, without waiting on the clock */
function recordedSleep() {
  const delays: number[] = []
  return { delays, sleep: async (ms: number) => void delays.push(ms) }
}

t.test('a spent failure budget slows every attempt for the member, and the right token still gets in', async (t) => {
  const clock = recordedSleep()
  const { app } = await build(t, { failedAuth: { maxFailures: 3, windowMs: 60_000, baseDelayMs: 1000, maxDelayMs: 4000, sleep: clock.sleep } })
  const from = (ip: string, token: string, id = 'gladbeck') => app.inject({ ...put(id, token, doc(id)), remoteAddress: ip })
  // three failures (say the city's own typo, from its one NAT address) spend the budget, undelayed
  for (let i = 0; i < 3; i++) t.equal((await from('192.0.2.1', 'tok-wrong')).statusCode, 401)
  t.same(clock.delays, [], 'no delay within the budget')
  // the right token from that same address: delayed, not locked out
  const city = await from('192.0.2.1', 'tok-gladbeck')
  t.equal(city.statusCode, 200, 'the right token succeeds after the budget is spent')
  t.same(clock.delays, [1000], 'after a delay')
  // the budget is the member's, not the client's: guesses from anywhere wait longer and longer, up to the bound
  for (const ip of ['198.51.100.2', '203.0.113.3', '2001:db8::1', '192.0.2.77']) t.equal((await from(ip, 'tok-wrong')).statusCode, 401)
  t.same(clock.delays, [1000, 1000, 2000, 4000, 4000], 'growing, bounded')
  t.equal((await from('192.0.2.9', 'tok-gladbeck')).statusCode, 200, 'still gets in')
  t.equal(clock.delays.at(-1), 4000)
  // another city's token counts as a failure for this member, too (403)
  t.equal((await from('192.0.2.1', 'tok-dorsten')).statusCode, 403)
  // another member's budget is untouched
  const before = clock.delays.length
  t.equal((await from('192.0.2.1', 'tok-dorsten', 'dorsten')).statusCode, 200)
  t.equal(clock.delays.length, before, 'another member is not slowed')
})

t.test('two instances on one Redis share one failure budget per member', async (t) => {
  if (!redisAvailable()) return void requireRedis(t)
  const server = await startRedis(t)
  const instance = async () => {
    const clock = recordedSleep()
    const store = new RedisStore({ target: server.url, prefix: 'authfail:' })
    const { app } = await build(t, { store, failedAuth: { maxFailures: 4, windowMs: 60_000, baseDelayMs: 500, maxDelayMs: 8000, sleep: clock.sleep } })
    return { app, clock }
  }
  const a = await instance()
  const b = await instance()
  // 2 + 2 guesses on two instances: with a per-instance budget neither would be spent
  for (const { app } of [a, b, a, b]) t.equal((await app.inject(put('gladbeck', 'tok-wrong', doc()))).statusCode, 401)
  t.same([...a.clock.delays, ...b.clock.delays], [], 'within the shared budget')
  t.equal((await b.app.inject(put('gladbeck', 'tok-wrong', doc()))).statusCode, 401)
  t.same(b.clock.delays, [500], 'the fifth guess overall is slowed, on either instance')
  t.equal((await a.app.inject(put('gladbeck', 'tok-gladbeck', doc()))).statusCode, 200, 'the right token gets in')
  t.same(a.clock.delays, [1000], 'after the delay the shared count demands')
  // the count lives in Redis with an expiry, not in either process
  const probe = new RedisStore({ target: server.url, prefix: 'authfail:' })
  await probe.init()
  t.teardown(() => probe.close())
  t.equal(await probe.failureCount('admin-auth:gladbeck'), 5)
  t.equal(await probe.failureCount('admin-auth:dorsten'), 0)
})

t.test('refresh: 409 for file manifests, the refresher answers for remote ones', async (t) => {
  const calls: string[] = []
  const { app } = await build(t, {
    refresh: async (id) => {
      calls.push(id)
      return { member: id, outcome: 'not-modified', status: 'ok' }
    },
  })
  const file = await app.inject({ method: 'POST', url: '/api/v1/admin/members/gladbeck/refresh', headers: { authorization: 'Bearer tok-gladbeck' } })
  t.match(file.json(), { status: 409, code: 'DP_ERR_MANIFEST_NOT_REMOTE' })
  const remote = await app.inject({ method: 'POST', url: '/api/v1/admin/members/marl/refresh', headers: { authorization: 'Bearer tok-marl' } })
  t.same(remote.json(), { member: 'marl', outcome: 'not-modified', status: 'ok' })
  t.same(calls, ['marl'])
  const none = await app.inject({ url: '/api/v1/admin/members/marl/manifest', headers: { authorization: 'Bearer tok-marl' } })
  t.equal(none.statusCode, 404)
})

t.test('insights: a day that is not on the calendar is a 400 naming it, never a 500 or a silently empty report', async (t) => {
  const { app } = await build(t, { insights: { minCount: 5, retentionDays: 90, now: () => new Date('2026-11-30T10:00:00Z') } })
  const ask = (query: string) => app.inject({ url: `/api/v1/admin/members/gladbeck/insights?${query}`, headers: { authorization: 'Bearer tok-gladbeck' } })
  t.equal((await ask('from=2026-11-01&to=2026-11-30')).statusCode, 200)
  // month 13 (was a 500), November 31st (was read as 1 December), month 00 (was a 200 without days), day 45 (was "from after to")
  const cases: [string, string, string][] = [['to=2026-13-01', 'to', '2026-13-01'], ['from=2026-11-01&to=2026-11-31', 'to', '2026-11-31'],
    ['from=2026-00-10&to=2026-11-10', 'from', '2026-00-10'], ['from=2026-11-45', 'from', '2026-11-45']]
  for (const [query, name, day] of cases) {
    const res = await ask(query)
    t.equal(res.statusCode, 400, query)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', query)
    t.match(res.json(), { code: 'DP_ERR_BAD_QUERY', detail: `${name} ist kein gültiger Tag (JJJJ-MM-TT): ${day}` }, query)
  }
})

t.test('503 with Retry-After while Redis is down; the old manifest survives', async (t) => {
  if (!redisAvailable()) return void requireRedis(t)
  const server = await startRedis(t, { aof: true })
  const store = new RedisStore({ target: server.url, prefix: 'admin:' })
  const { app } = await build(t, { store })
  t.equal((await app.inject(put('gladbeck', 'tok-gladbeck', doc('gladbeck', 'Alt')))).statusCode, 200)
  await server.stop('SIGKILL')
  const down = await app.inject(put('gladbeck', 'tok-gladbeck', doc('gladbeck', 'Neu')))
  t.equal(down.statusCode, 503)
  t.equal(down.headers['retry-after'], '5')
  t.match(down.json(), { code: 'DP_ERR_STORE_UNAVAILABLE', title: 'Vorübergehend nicht verfügbar' })
  await server.start()
  const deadline = Date.now() + 15_000
  while (!store.health().ok && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  t.equal((await store.getMember('gladbeck'))?.manifest?.services[0]?.name, 'Alt')
  t.equal((await app.inject(put('gladbeck', 'tok-gladbeck', doc('gladbeck', 'Neu')))).statusCode, 200)
})
