// Remote manifests against a real loopback server: every failure leaves the
// last good manifest live with a readable lastError.
import t, * as Tap from 'tap'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib'
import { createRefresher, type RefresherOptions } from '../../src/refresh/refresher.js'
import { validateManifest } from '../../src/manifest/validate.js'
import { upgradeManifest } from '../../src/manifest/upgrade.js'
import type { ManifestV1 } from '../../src/manifest/schema.js'
import { MemoryStore } from '../../src/store/memory-store.js'
import { RedisStore } from '../../src/store/redis-store.js'
import type { MemberConfig } from '../../src/config/region-schema.js'
import type { CatalogStore } from '../../src/store/types.js'
import { redisAvailable, requireRedis, startRedis } from '../helpers/redis.js'

type Test = Tap.Test
type Handler = (req: IncomingMessage, res: ServerResponse) => void

/** a v1 manifest is stored in its v2 form */
const stored = (doc: ReturnType<typeof manifestDoc>) => upgradeManifest(doc as unknown as ManifestV1)

function manifestDoc(name = 'Hund anmelden') {
  return {
    schemaVersion: 1, member: 'marl', updatedAt: '2026-11-25T00:00:00Z', sources: [{ what: 'test', source: 'test' }], links: {}, offices: [],
    services: [{ id: 'hund', name, summary: 'Zusammenfassung.', audiences: ['residents'], lifeSituations: ['tiere'] }],
  }
}

/** a loopback manifest server whose behaviour each test switches */
async function upstream(t: Test) {
  const state = { hits: 0, requests: [] as IncomingMessage['headers'][], handler: ((_req, res) => res.end()) as Handler }
  const server = createServer((req, res) => {
    state.hits++
    state.requests.push(req.headers)
    state.handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  }))
  const port = (server.address() as AddressInfo).port
  return { state, port, url: `http://127.0.0.1:${port}/manifest.json` }
}

function json(body: unknown, headers: Record<string, string> = {}): Handler {
  return (req, res) => {
    if (headers.etag && req.headers['if-none-match'] === headers.etag) return void res.writeHead(304).end()
    res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))
  }
}

function member(url: string, extra: Partial<MemberConfig> = {}): MemberConfig {
  return {
    id: 'marl', name: 'Marl', level: 'stadt', ars: '055620024024', parent: null, postalCodes: ['45768'],
    manifest: url, allowedHosts: ['www.marl.de'], allowPrivateNetwork: true, ...extra,
  }
}

async function refresher(t: Test, members: MemberConfig[], extra: Partial<RefresherOptions> = {}) {
  const store: CatalogStore = extra.store ?? new MemoryStore()
  if (!extra.store) await store.init()
  const r = createRefresher({
    store,
    members,
    validate: (doc, m) => validateManifest(doc, { memberId: m.id, allowedHosts: m.allowedHosts, lifeSituationIds: new Set(['tiere']), serviceKeys: new Set() }),
    retries: 0,
    backoffBaseMs: 5,
    limits: { headersTimeoutMs: 300, bodyTimeoutMs: 300, maxBytes: 4096 },
    ...extra,
  })
  t.teardown(() => r.stop())
  return { r, store }
}

t.test('fetches, stores the etag, then gets 304 and keeps the manifest', async (t) => {
  const up = await upstream(t)
  up.state.handler = json(manifestDoc(), { etag: '"v1"', 'last-modified': 'Wed, 25 Nov 2026 10:00:00 GMT' })
  const { r, store } = await refresher(t, [member(up.url)])
  await r.start()
  const first = await store.getMember('marl')
  t.match(first, { status: 'ok', manifest: stored(manifestDoc()), meta: { source: 'remote', etag: '"v1"', lastModified: 'Wed, 25 Nov 2026 10:00:00 GMT' } })
  const again = await r.refreshNow('marl')
  t.match(again, { outcome: 'not-modified', status: 'ok' })
  t.equal(up.state.requests[1]?.['if-none-match'], '"v1"')
  t.equal(up.state.requests[1]?.['if-modified-since'], 'Wed, 25 Nov 2026 10:00:00 GMT')
  t.same((await store.getMember('marl'))?.manifest, stored(manifestDoc()))
})

// The operator points a member at a new manifest URL in region.json and
// restarts: the fetch time and validators of the old URL said "fresh", so the
// new one waited a whole interval, and then got the old server's ETag.
t.test('a member moved to another manifest URL is fetched at start, without the old validators', async (t) => {
  const old = await upstream(t)
  old.state.handler = json(manifestDoc('Alt'), { etag: '"alt"', 'last-modified': 'Wed, 25 Nov 2026 10:00:00 GMT' })
  const first = await refresher(t, [member(old.url)])
  await first.r.start()
  t.match(await first.store.getMember('marl'), { manifest: stored(manifestDoc('Alt')), meta: { etag: '"alt"', fetchedFrom: old.url } })
  await first.r.stop()

  const moved = await upstream(t)
  moved.state.handler = json(manifestDoc('Neu'), { etag: '"neu"' })
  const second = await refresher(t, [member(moved.url)], { store: first.store })
  await second.r.start()
  t.equal(moved.state.hits, 1, 'fetched in the first round, not an interval later')
  t.equal(moved.state.requests[0]?.['if-none-match'], undefined, 'the old server\'s ETag is not sent')
  t.equal(moved.state.requests[0]?.['if-modified-since'], undefined)
  t.match(await first.store.getMember('marl'), { status: 'ok', manifest: stored(manifestDoc('Neu')), meta: { etag: '"neu"', fetchedFrom: moved.url } })
  t.equal(old.state.hits, 1, 'the old URL is not asked again')

  // failing at the new URL keeps the live manifest, but not the old URL's validators
  const third = await upstream(t)
  third.state.handler = (_q, s) => void s.writeHead(503).end()
  const failing = await refresher(t, [member(third.url)], { store: first.store })
  t.match(await failing.r.refreshNow('marl'), { outcome: 'failed', status: 'stale' })
  t.match(await first.store.getMember('marl'), { status: 'stale', manifest: stored(manifestDoc('Neu')), meta: { fetchedFrom: third.url } })
  t.equal((await first.store.getMember('marl'))?.meta.etag, undefined, 'no validator of another URL')
})

// A server without ETag/Last-Modified (a CMS export) answers 200 every time:
// the same bytes were stored as a new catalog version on every refresh
// (rebuild on every instance, every client's ETag invalidated).
t.test('the same manifest again without a validator is not-modified: no new catalog version', async (t) => {
  const up = await upstream(t)
  up.state.handler = json(manifestDoc())
  const { r, store } = await refresher(t, [member(up.url)])
  t.match(await r.refreshNow('marl'), { outcome: 'updated', status: 'ok' })
  const version = await store.getVersion()
  const accepted = (await store.getMember('marl'))?.meta
  t.match(await r.refreshNow('marl'), { outcome: 'not-modified', status: 'ok' })
  t.equal(await store.getVersion(), version, 'no new catalog version')
  const after = (await store.getMember('marl'))?.meta
  t.equal(after?.acceptedAt, accepted?.acceptedAt, 'still the manifest accepted before')
  t.ok((after?.fetchedAt ?? '') >= (accepted?.fetchedAt ?? ''), 'the fetch is recorded')
  // now the server sends validators: they are kept for the next conditional request
  up.state.handler = json(manifestDoc(), { etag: '"v7"' })
  t.match(await r.refreshNow('marl'), { outcome: 'not-modified' })
  t.equal((await store.getMember('marl'))?.meta.etag, '"v7"')
  t.equal(await store.getVersion(), version)
  await r.refreshNow('marl')
  t.equal(up.state.requests.at(-1)?.['if-none-match'], '"v7"')
  // a stale member whose server serves the same manifest again is ok again
  up.state.handler = (_q, s) => void s.writeHead(404).end()
  t.match(await r.refreshNow('marl'), { outcome: 'failed', status: 'stale' })
  up.state.handler = json(manifestDoc())
  t.match(await r.refreshNow('marl'), { outcome: 'not-modified', status: 'ok' })
  t.match(await store.getMember('marl'), { status: 'ok', meta: { lastError: undefined }, manifest: stored(manifestDoc()) })
  // a real change is still stored
  up.state.handler = json(manifestDoc('Hund ummelden'))
  t.match(await r.refreshNow('marl'), { outcome: 'updated' })
  t.equal((await store.getMember('marl'))?.manifest?.services[0]?.name, 'Hund ummelden')
})

// A server down for days failed the same way on every interval, and each
// failure was a new catalog version (rebuild everywhere, every ETag invalid).
t.test('the same failure again records the fetch without a new catalog version', async (t) => {
  const up = await upstream(t)
  up.state.handler = json(manifestDoc())
  const { r, store } = await refresher(t, [member(up.url)])
  await r.refreshNow('marl')
  const failures: [string, Handler][] = [
    ['HTTP 503', (_q, s) => void s.writeHead(503).end()],
    ['invalid manifest', json({ ...manifestDoc(), services: 'none' })],
  ]
  for (const [name, handler] of failures) {
    up.state.handler = handler
    const first = await r.refreshNow('marl')
    t.match(first, { outcome: 'failed', status: 'stale' }, `${name}: first failure`)
    const version = await store.getVersion()
    const before = await store.getMember('marl')
    const again = await r.refreshNow('marl')
    t.match(again, { outcome: 'failed', status: 'stale', lastError: first.lastError }, `${name}: again`)
    t.equal(await store.getVersion(), version, `${name}: no new catalog version`)
    const after = await store.getMember('marl')
    t.same(after?.meta.errors, before?.meta.errors, `${name}: the same errors`)
    t.ok((after?.meta.fetchedAt ?? '') >= (before?.meta.fetchedAt ?? ''), `${name}: the fetch is recorded`)
  }
  // another failure is news
  up.state.handler = (_q, s) => void s.writeHead(404).end()
  const version = await store.getVersion()
  t.match(await r.refreshNow('marl'), { outcome: 'failed', lastError: /^HTTP 404/ })
  t.ok((await store.getVersion()) > version, 'a different lastError is a new version')
  t.match(await store.getMember('marl'), { status: 'stale', meta: { lastError: /^HTTP 404/, errors: undefined } })
})

// The city registers a manifest over the API while a refresh is fetching from
// its (still failing) server: the refresh's record of "the same failure, the
// same validators" must not land on the registered manifest.
t.test('a registration while a refresh fetches: the refresh stores nothing, not even its validators', async (t) => {
  const up = await upstream(t)
  up.state.handler = json(manifestDoc('Alt'), { etag: '"alt"' })
  const { r, store } = await refresher(t, [member(up.url)])
  await r.refreshNow('marl')
  up.state.handler = (_q, s) => void s.writeHead(503).end()
  t.match(await r.refreshNow('marl'), { outcome: 'failed', status: 'stale' })
  up.state.handler = (_q, s) => {
    void store.putManifest('marl', stored(manifestDoc('Registriert')), { source: 'api' }).then(() => s.writeHead(503).end())
  }
  t.match(await r.refreshNow('marl'), { outcome: 'superseded' })
  const live = await store.getMember('marl')
  t.match(live, { status: 'ok', manifest: stored(manifestDoc('Registriert')), meta: { source: 'api' } })
  t.equal(live?.meta.etag, undefined, 'the old server\'s ETag is not attached to the registered manifest')
  t.equal(live?.meta.lastError, undefined)
})

t.test('each failure keeps the last good manifest live, with a readable lastError', async (t) => {
  const up = await upstream(t)
  const other = await upstream(t)
  const { r, store } = await refresher(t, [member(up.url)], { retries: 2 })
  up.state.handler = json(manifestDoc('Gut'))
  t.equal((await r.refreshNow('marl')).outcome, 'updated')
  const cases: [string, Handler, RegExp][] = [
    ['500', (_q, s) => void s.writeHead(500).end('oops'), /^HTTP 500 from 127\.0\.0\.1:\d+$/],
    ['timeout', () => {}, /^timeout: no response headers within 300 ms$/],
    ['garbage', (_q, s) => void s.writeHead(200).end('<html>not json'), /^invalid JSON: /],
    ['invalid manifest', json({ ...manifestDoc(), services: 'none' }), /^invalid manifest \(1 error\(s\)\): \/services must be of type array$/],
    ['oversize (declared)', (_q, s) => void s.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000)), /^response larger than 4096 bytes$/],
    ['oversize (chunked)', (_q, s) => { s.writeHead(200); s.write('x'.repeat(3000)); s.end('x'.repeat(3000)) }, /^response larger than 4096 bytes$/],
    ['redirect to another host', (_q, s) => void s.writeHead(302, { location: other.url.replace('127.0.0.1', 'localhost') }).end(), /^redirect to another host \(localhost:\d+\) refused: only redirects within http:\/\/127\.0\.0\.1:\d+ are followed$/],
    // was "redirect to another host refused: 127.0.0.1:<port>", the same host
    ['redirect to another scheme', (_q, s) => void s.writeHead(301, { location: up.url.replace('http:', 'https:') + 'manifest.json' }).end(), /^redirect to https:\/\/ on port \d+ of the same host refused: only redirects within http:\/\/127\.0\.0\.1:\d+ are followed$/],
    ['404', (_q, s) => void s.writeHead(404).end(), /^HTTP 404 from /],
    // was stored with every umlaut as U+FFFD
    ['Latin-1', (_q, s) => void s.writeHead(200, { 'content-type': 'application/json; charset=iso-8859-1' }).end(Buffer.from(JSON.stringify(manifestDoc('Bürgerbüro')), 'latin1')), /^not valid UTF-8/],
  ]
  for (const [name, handler, lastError] of cases) {
    up.state.handler = handler
    const hitsBefore = up.state.hits
    const outcome = await r.refreshNow('marl')
    t.match(outcome, { outcome: 'failed', status: 'stale', lastError }, name)
    const state = await store.getMember('marl')
    t.equal(state?.status, 'stale', `${name}: member stale`)
    t.match(state?.meta.lastError, lastError, `${name}: lastError stored`)
    t.equal(state?.manifest?.services[0]?.name, 'Gut', `${name}: last good manifest still live`)
    if (name === '500' || name === 'timeout') t.equal(up.state.hits - hitsBefore, 3, `${name}: retried twice`)
    if (name === '404') t.equal(up.state.hits - hitsBefore, 1, '404: not retried')
  }
  t.equal(other.state.hits, 0, 'the redirect target was never contacted')
  t.match((await store.getMember('marl'))?.meta, { lastError: /^not valid UTF-8/ })
  // a byte order mark is dropped (was 'invalid JSON')
  up.state.handler = (_q, s) => void s.writeHead(200).end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(manifestDoc('Wieder gut')))]))
  t.match(await r.refreshNow('marl'), { outcome: 'updated' })
  const healed = await store.getMember('marl')
  t.equal(healed?.status, 'ok')
  t.equal(healed?.meta.lastError, undefined)
  t.equal(healed?.manifest?.services[0]?.name, 'Wieder gut')
})

// A request without Accept-Encoding accepts any coding (RFC 9110 12.5.3), and
// pre-compressed files (S3, Azure Blob, nginx gzip_static always) come gzipped
// to everyone: such a manifest failed as 'not valid UTF-8'.
t.test('a compressed manifest is decoded, within the same size limit', async (t) => {
  const up = await upstream(t)
  const { r, store } = await refresher(t, [member(up.url)])
  const body = Buffer.from(JSON.stringify(manifestDoc('Hund anmelden (gzip)')))
  const cases: [string, Buffer, string][] = [
    ['gzip', gzipSync(body), 'Hund anmelden (gzip)'],
    ['x-gzip', gzipSync(Buffer.from(JSON.stringify(manifestDoc('x-gzip')))), 'x-gzip'],
    ['deflate', deflateSync(Buffer.from(JSON.stringify(manifestDoc('deflate')))), 'deflate'],
    ['br', brotliCompressSync(Buffer.from(JSON.stringify(manifestDoc('br')))), 'br'],
    ['identity', Buffer.from(JSON.stringify(manifestDoc('identity'))), 'identity'],
  ]
  for (const [coding, bytes, name] of cases) {
    up.state.handler = (_q, s) => void s.writeHead(200, { 'content-type': 'application/json', 'content-encoding': coding }).end(bytes)
    t.match(await r.refreshNow('marl'), { outcome: 'updated', status: 'ok' }, coding)
    t.equal((await store.getMember('marl'))?.manifest?.services[0]?.name, name, `${coding}: stored decoded`)
  }
  const failures: [string, Handler, RegExp][] = [
    // 100 kB of JSON whitespace in a few hundred bytes: the limit counts the decoded size
    ['gzip bomb', (_q, s) => void s.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(Buffer.concat([body, Buffer.alloc(100_000, 32)]))), /^response larger than 4096 bytes$/],
    ['broken gzip', (_q, s) => void s.writeHead(200, { 'content-encoding': 'gzip' }).end(body), /^not valid gzip: /],
    ['unknown coding', (_q, s) => void s.writeHead(200, { 'content-encoding': 'compress' }).end(body), /^content-encoding "compress" is not supported \(serve it uncompressed, gzip, deflate or br\)$/],
  ]
  for (const [name, handler, lastError] of failures) {
    up.state.handler = handler
    t.match(await r.refreshNow('marl'), { outcome: 'failed', status: 'stale', lastError }, name)
    t.equal((await store.getMember('marl'))?.manifest?.services[0]?.name, 'identity', `${name}: last good manifest still live`)
  }
})

// SIGTERM (a rolling deploy) stops the refresher: a fetch in flight was
// recorded as a failure ('aborted: refresh deadline reached'), so the member
// was shown stale to every instance, and its fetchedAt kept them all from
// fetching again for most of an interval.
t.test('a refresh cut short by stop() stores nothing', async (t) => {
  const up = await upstream(t)
  up.state.handler = json(manifestDoc())
  const store = new MemoryStore()
  await store.init()
  // not the helper: it stops the refresher in teardown, this test stops it itself
  const r = createRefresher({ store, members: [member(up.url)], validate: (doc, m) => validateManifest(doc, { memberId: m.id, allowedHosts: m.allowedHosts, lifeSituationIds: new Set(['tiere']), serviceKeys: new Set() }), retries: 0 })
  await r.refreshNow('marl')
  const before = await store.getMember('marl')
  const version = await store.getVersion()
  let arrived!: () => void
  const reached = new Promise<void>((resolve) => (arrived = resolve))
  up.state.handler = () => arrived() // never answers
  const refresh = r.refreshNow('marl')
  await reached
  await r.stop()
  t.match(await refresh, { outcome: 'failed', lastError: /^stopped/ })
  t.same(await store.getMember('marl'), before, 'status, lastError and fetchedAt as before')
  t.equal(await store.getVersion(), version)
})

t.test('a same-host redirect is followed', async (t) => {
  const up = await upstream(t)
  up.state.handler = (req, res) => {
    if (req.url === '/manifest.json') return void res.writeHead(301, { location: '/v2/manifest.json' }).end()
    json(manifestDoc())(req, res)
  }
  const { r } = await refresher(t, [member(up.url)])
  t.match(await r.refreshNow('marl'), { outcome: 'updated' })
})

t.test('never loaded + failure = failed, with the validation errors kept', async (t) => {
  const up = await upstream(t)
  up.state.handler = json({ ...manifestDoc(), member: 'dorsten' })
  const { r, store } = await refresher(t, [member(up.url)])
  await r.start()
  const state = await store.getMember('marl')
  t.equal(state?.status, 'failed')
  t.equal(state?.manifest, undefined)
  t.same(state?.meta.errors?.map((e) => e.path), ['/member'])
})

// Without a stored manifest nothing is asked conditionally: a 304 then has
// nothing to keep, and the member was shown 'ok' with no manifest at all.
t.test('never loaded + a 304 nobody asked for = failed', async (t) => {
  const up = await upstream(t)
  up.state.handler = (_q, s) => void s.writeHead(304).end()
  const { r, store } = await refresher(t, [member(up.url)])
  t.match(await r.refreshNow('marl'), { outcome: 'failed', status: 'failed', lastError: /^HTTP 304 from 127\.0\.0\.1:\d+ without a conditional request$/ })
  t.equal(up.state.requests[0]?.['if-none-match'], undefined, 'nothing was asked conditionally')
  t.match(await store.getMember('marl'), { status: 'failed', meta: { lastError: /^HTTP 304/ } })
  t.equal((await store.getMember('marl'))?.manifest, undefined)
})

t.test('SSRF guard: no http, no private addresses without allowPrivateNetwork', async (t) => {
  const up = await upstream(t)
  up.state.handler = json(manifestDoc())
  const cases: [string, RegExp][] = [
    [up.url, /^refused: http is not allowed, only https$/],
    [`https://127.0.0.1:${up.port}/m.json`, /^refused: 127\.0\.0\.1 is not a public address \(loopback\)$/],
    [`https://[::ffff:127.0.0.1]:${up.port}/m.json`, /^refused: ::ffff:7f00:1 is not a public address \(loopback\)$/],
    [`https://169.254.169.254/latest/meta-data/`, /cloud metadata/],
    [`https://localhost:${up.port}/m.json`, /^refused: localhost resolves to .* \(loopback\)$/],
  ]
  for (const [url, lastError] of cases) {
    const { r } = await refresher(t, [member(url, { allowPrivateNetwork: false })])
    t.match(await r.refreshNow('marl'), { outcome: 'failed', status: 'failed', lastError }, url)
  }
  t.equal(up.state.hits, 0, 'nothing reached the private server')
})

t.test('onOutcome sees every refresh, scheduled or forced; a throwing observer changes nothing', async (t) => {
  const up = await upstream(t)
  up.state.handler = json(manifestDoc(), { etag: '"v1"' })
  const seen: string[] = []
  const { r } = await refresher(t, [member(up.url)], {
    onOutcome: (o) => {
      seen.push(`${o.member}:${o.outcome}`)
      throw new Error('observer broke')
    },
  })
  await r.start()
  t.match(await r.refreshNow('marl'), { outcome: 'not-modified' }, 'the refresh result is unaffected')
  t.same(seen, ['marl:updated', 'marl:not-modified'])
})

t.test('bounded concurrency across members', async (t) => {
  const up = await upstream(t)
  let active = 0
  let peak = 0
  up.state.handler = (req, res) => {
    active++
    peak = Math.max(peak, active)
    setTimeout(() => {
      active--
      const id = new URL(req.url ?? '/', 'http://x').searchParams.get('m') ?? ''
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...manifestDoc(), member: id }))
    }, 30)
  }
  const members = Array.from({ length: 8 }, (_, i) => member(`${up.url}?m=m${i}`, { id: `m${i}` }))
  const { r, store } = await refresher(t, members, { concurrency: 2 })
  await r.start()
  t.equal(up.state.hits, 8)
  t.ok(peak <= 2, `at most 2 at once (saw ${peak})`)
  t.equal((await store.listMembers()).filter((m) => m.status === 'ok').length, 8)
})

if (!redisAvailable()) {
  t.test('refresh leader election', async (t) => void requireRedis(t))
} else {
  t.test('two instances racing a refresh: exactly one fetches', async (t) => {
    const server = await startRedis(t)
    const up = await upstream(t)
    up.state.handler = (req, res) => setTimeout(() => json(manifestDoc())(req, res), 50)
    const open = async () => {
      const store = new RedisStore({ target: server.url, prefix: 'race:' })
      await store.init()
      t.teardown(() => store.close())
      return (await refresher(t, [member(up.url, { refreshIntervalSeconds: 60 })], { store })).r
    }
    const [a, b] = [await open(), await open()]
    await Promise.all([a.start(), b.start()])
    t.equal(up.state.hits, 1, 'one upstream hit for two instances')
  })

  t.test('a dead leader’s lock expires and another instance takes over', async (t) => {
    const server = await startRedis(t)
    const up = await upstream(t)
    up.state.handler = json(manifestDoc())
    const store = new RedisStore({ target: server.url, prefix: 'dead:' })
    await store.init()
    t.teardown(() => store.close())
    // the leader took the lock and died mid-refresh
    t.type(await store.acquireLock('refresh:marl', 400), 'string')
    const { r } = await refresher(t, [member(up.url)], { store, lockTtlMs: 400, random: () => 0 })
    await r.start()
    t.equal(up.state.hits, 0, 'busy while the dead leader’s lock lives')
    const deadline = Date.now() + 15_000
    while (!(await store.getMember('marl'))?.manifest && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20))
    t.equal((await store.getMember('marl'))?.status, 'ok', 'taken over after expiry')
    t.equal(up.state.hits, 1)
  })
}
