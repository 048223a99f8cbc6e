// XZuFi feeds (issue 24, item 3): a member's region entry names an XZuFi
// export URL; the refresher fetches it with the remote-manifest guards,
// streams it through the importer and records the report in the member's
// status. A real HTTP server on 127.0.0.1 serves the feed; real apps, and a
// real redis-server for two instances.
import t, * as Tap from 'tap'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { sha256Hex } from '../../src/auth/token.js'
import { createAgents, DEFAULT_LIMITS, fetchStream, FetchError } from '../../src/refresh/fetch-manifest.js'
import { summarizeImport } from '../../src/refresh/import-summary.js'
import { copyBundledRegion, REPO } from '../helpers/region.js'
import { loadRegionData } from '../../src/config/load.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'
import { redisAvailable, requireRedis, startRedis } from '../helpers/redis.js'

type Test = Tap.Test
const TOKEN = 'tok-gladbeck'
const fixture = (name: string) => readFile(join(REPO, 'test', 'fixtures', 'xzufi', name))

/** serves `body` with `etag`, 304 on a matching If-None-Match, or `status` when set */
async function feedServer(t: Test, body: Buffer) {
  const state = { body, etag: '"f1"', status: 200, gzip: false, requests: [] as { ifNoneMatch?: string; accept?: string }[] }
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    state.requests.push({ ifNoneMatch: req.headers['if-none-match'] as string | undefined, accept: req.headers.accept })
    if (state.status !== 200) return void res.writeHead(state.status).end('nope')
    if (req.headers['if-none-match'] === state.etag) return void res.writeHead(304, { etag: state.etag }).end()
    const headers: Record<string, string> = { 'content-type': 'application/xml', etag: state.etag }
    if (state.gzip) headers['content-encoding'] = 'gzip'
    res.writeHead(200, headers).end(state.gzip ? gzipSync(state.body) : state.body)
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  t.teardown(() => new Promise<void>((done) => {
    server.closeAllConnections()
    server.close(() => done())
  }))
  return { state, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/gladbeck.xml` }
}

/** the real region in a temp dir; Gladbeck keeps its bundled file and gets the feed beside it */
async function regionWithFeed(t: Test, feedUrl: string, edit: (gladbeck: Record<string, unknown>) => void = () => {}): Promise<string> {
  const copy = await copyBundledRegion('dp-feed-', (m) => {
    if (m.id !== 'gladbeck') return
    Object.assign(m, { xzufi: feedUrl, allowPrivateNetwork: true, tokenSha256: sha256Hex(TOKEN), refreshIntervalSeconds: 3600 })
    edit(m)
  })
  t.teardown(copy.cleanup)
  return copy.regionPath
}

async function gateway(t: Test, regionPath: string, extra: { redisUrl?: string; dataDir?: string } = {}): Promise<FastifyInstance> {
  const dataDir = extra.dataDir ?? await mkdtemp(join(tmpdir(), 'dp-feed-data-'))
  const app = await buildApp({ settings: { regionConfig: regionPath, pressure: NO_LOAD_SHEDDING, ...extra, dataDir } })
  t.teardown(async () => {
    await app.close()
    if (extra.dataDir === undefined) await rm(dataDir, { recursive: true, force: true })
  })
  await app.ready()
  return app
}

const refresh = async (app: FastifyInstance) =>
  (await app.inject({ method: 'POST', url: '/api/v1/admin/members/gladbeck/refresh', headers: { authorization: `Bearer ${TOKEN}` } })).json()
const memberDoc = async (app: FastifyInstance) => (await app.inject('/api/v1/members/gladbeck')).json()

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await probe().catch(() => false)) return
    await new Promise((done) => setTimeout(done, 25))
  }
  throw new Error(`never happened: ${what}`)
}

async function lockIsFree(app: FastifyInstance, name: string): Promise<boolean> {
  const token = await app.store.acquireLock(name, 1000)
  if (token === null) return false
  await app.store.releaseLock(name, token)
  return true
}

/** the service names Gladbeck offers in the live catalog */
async function gladbeckServices(app: FastifyInstance): Promise<string[]> {
  await app.live.refresh()
  const stored = await app.store.getMember('gladbeck')
  return (stored?.manifest?.services ?? []).map((s) => s.name)
}

t.test('a feed is imported at start, answered 304 when unchanged, kept when it fails, and followed when it changes', async (t) => {
  const feed = await feedServer(t, await fixture('gladbeck-hund.xml'))
  const app = await gateway(t, await regionWithFeed(t, feed.url))

  // first import: the refresher's first round (the bundled file seeded at start is not "fresh")
  await until('the feed imported', async () => (await app.store.getMember('gladbeck'))?.meta.source === 'xzufi')
  // the import is visible a moment before the first round lets go of its lock: a refresh then would be 'busy'
  await until('the first round finished', () => lockIsFree(app, 'refresh:gladbeck'))
  t.equal(feed.state.requests.length, 1, 'one request')
  t.equal(feed.state.requests[0]!.ifNoneMatch, undefined, 'the first request is unconditional')
  t.match(feed.state.requests[0]!.accept, /xml/, 'asks for XML')
  await app.live.refresh()
  const doc = await memberDoc(app)
  t.equal(doc.status, 'ok')
  t.match(doc.meta, { source: 'xzufi', etag: '"f1"', importReport: { xzufiVersion: '2.2.0', read: { leistungen: Number }, mapped: { services: 2, onlineServices: 1 }, dropped: Number } })
  t.ok(doc.meta.importReport.notes.some((n: { message: string }) => /dropped onlinedienst OD-2/.test(n.message)), 'the report names what was dropped')
  const stored = (await app.store.getMember('gladbeck'))!
  t.equal(stored.manifest!.links.website, 'https://www.gladbeck.de/', 'links from the bundled file beside the feed')
  t.ok(stored.manifest!.sources.length >= 2, 'the bundled file\'s sources and the import\'s')
  t.match(stored.manifest!.sources.at(-1)!.source, /XZuFi/)
  t.ok(stored.meta.fileSha256, 'the import supersedes the bundled file it was made with')
  t.ok((await gladbeckServices(app)).includes('Hundesteuer: Änderung melden'), 'the member-local service is live')

  // unchanged: 304, nothing new
  const version = await app.store.getVersion()
  t.match(await refresh(app), { outcome: 'not-modified', status: 'ok' })
  t.equal(feed.state.requests.at(-1)!.ifNoneMatch, '"f1"', 'the refresh was conditional')
  t.equal(await app.store.getVersion(), version, 'no new catalog version')

  // failures keep the last good import and mark the member stale
  feed.state.body = Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x:t xmlns:x="http://xoev.de/schemata/xzufi/2_2_0">&xxe;</x:t>')
  feed.state.etag = '"evil"'
  t.match(await refresh(app), { outcome: 'failed', status: 'stale', lastError: /XZuFi rejected \(doctype\)/ })
  await app.live.refresh()
  t.match((await memberDoc(app)), { status: 'stale', meta: { lastError: /doctype/ } })
  t.ok((await gladbeckServices(app)).includes('Hundesteuer: Änderung melden'), 'the last good import stays live')
  feed.state.status = 404
  t.match(await refresh(app), { outcome: 'failed', status: 'stale', lastError: /HTTP 404/ })
  t.equal((await app.store.getMember('gladbeck'))!.meta.etag, '"f1"', 'the validators stay those of the live import')

  // a changed feed replaces it (also gzip-coded)
  feed.state.status = 200
  feed.state.gzip = true
  feed.state.body = await fixture('gladbeck-personalausweis.xml')
  feed.state.etag = '"f2"'
  t.match(await refresh(app), { outcome: 'updated', status: 'ok' })
  await app.live.refresh()
  const after = await memberDoc(app)
  t.match(after, { status: 'ok', meta: { etag: '"f2"', source: 'xzufi' } })
  t.notOk('lastError' in after.meta, 'the failure is cleared')
  const names = await gladbeckServices(app)
  t.notOk(names.includes('Hundesteuer: Änderung melden'), 'the old import is gone')
})

t.test('the import supersedes the bundled file beside it across a restart, until the file changes', async (t) => {
  const feed = await feedServer(t, await fixture('gladbeck-hund.xml'))
  const regionPath = await regionWithFeed(t, feed.url)
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-feed-data-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const first = await gateway(t, regionPath, { dataDir })
  await until('the feed imported', async () => (await first.store.getMember('gladbeck'))?.meta.source === 'xzufi')
  await first.close()

  const again = await gateway(t, regionPath, { dataDir })
  const kept = (await again.store.getMember('gladbeck'))!
  t.equal(kept.meta.source, 'xzufi', 'the unchanged bundled file does not replace the import')
  t.ok(kept.manifest!.services.some((s) => s.name === 'Hundesteuer: Änderung melden'))
  await again.close()

  // the operator edits the file: it is loaded, and the feed is imported over it again at once
  const file = join(regionPath, '..', '..', 'members', 'gladbeck.json')
  const doc = JSON.parse(await readFile(file, 'utf8'))
  doc.links.website = 'https://www.gladbeck.de/rathaus/'
  await writeFile(file, JSON.stringify(doc))
  const third = await gateway(t, regionPath, { dataDir })
  await until('imported over the changed file', async () => {
    const state = await third.store.getMember('gladbeck')
    return state?.meta.source === 'xzufi' && state.manifest?.links.website === 'https://www.gladbeck.de/rathaus/'
  })
  t.pass('the changed file\'s links are in the new import')
})

t.test('a feed whose import maps nothing: failed with the report, nothing stored', async (t) => {
  const feed = await feedServer(t, Buffer.from('<x:t xmlns:x="http://xoev.de/schemata/xzufi/2_2_0"><x:schreibe><x:leistung><x:id>L-1</x:id></x:leistung></x:schreibe></x:t>'))
  const app = await gateway(t, await regionWithFeed(t, feed.url))
  await until('the first refresh recorded', async () => (await app.store.getMember('gladbeck'))?.meta.lastError !== undefined)
  const stored = (await app.store.getMember('gladbeck'))!
  t.equal(stored.status, 'stale', 'the bundled file stays live')
  t.equal(stored.meta.source, 'file')
  t.match(stored.meta.lastError, /invalid manifest from the XZuFi import/)
  t.match(stored.meta.importReport, { read: { leistungen: 1 }, mapped: { services: 0 }, dropped: 1 })
})

t.test('a member with only a feed (no manifest file): imported at start; the region config checks the feed URL', async (t) => {
  const feed = await feedServer(t, await fixture('gladbeck-hund.xml'))
  const regionPath = await regionWithFeed(t, feed.url, (m) => { delete m.manifest })
  const app = await gateway(t, regionPath)
  await until('the feed imported', async () => (await app.store.getMember('gladbeck'))?.status === 'ok')
  const stored = (await app.store.getMember('gladbeck'))!
  t.equal(stored.meta.source, 'xzufi')
  t.equal(stored.manifest!.links.website, undefined, 'no file, no stored links: none invented')

  const refused = async (edit: (m: Record<string, unknown>) => void) =>
    loadRegionData(await regionWithFeed(t, feed.url, edit)).then(() => 'loaded', (e: Error) => e.message)
  t.match(await refused((m) => { delete m.manifest; delete m.xzufi }), /gladbeck: needs a manifest \(file or https URL\) or an xzufi feed URL/)
  t.match(await refused((m) => { delete m.allowPrivateNetwork }), /gladbeck: xzufi URL must be https/)
  t.match(await refused((m) => { m.manifest = 'https://www.gladbeck.de/manifest.json' }), /gladbeck: beside xzufi, manifest must be a file/)
  t.match(await refused((m) => { m.xzufi = 'ftp://example.org/x.xml' }), /is invalid/)
  t.equal(await refused(() => {}), 'loaded')
})

t.test('the import report in the status is bounded like validation errors', async (t) => {
  const dropped = Array.from({ length: 500 }, (_, i) => ({ kind: 'leistung' as const, id: `L-${i}`, reason: 'x'.repeat(1000) }))
  const summary = summarizeImport({
    member: 'gladbeck', xzufiVersion: '2.2.0',
    read: { leistungen: 500, organisationseinheiten: 0, onlinedienste: 0 },
    mapped: { services: 0, catalogServices: 0, localServices: 0, offices: 0, onlineServices: 0 },
    dropped, notMapped: [{ what: 'modulFrist', count: 3 }], unknownCodes: [{ what: 'rolle 09', count: 2 }],
  })
  t.equal(summary.dropped, 500)
  t.equal(summary.notes.length, 51, '50 lines and one "and N more"')
  t.match(summary.notes.at(-1)!.message, /and 452 more/, 'dropped, not mapped and unknown codes all count')
  t.ok(summary.notes.every((n) => n.message.length <= 300), 'each line cut')
})

t.test('a feed is capped by its decoded size (a small gzip holding much more)', async (t) => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/xml', 'content-encoding': 'gzip' }).end(gzipSync(Buffer.alloc(5_000_000, 0x20)))
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  t.teardown(() => new Promise<void>((done) => server.close(() => done())))
  const agents = createAgents(DEFAULT_LIMITS)
  t.teardown(() => Promise.all([agents.open.close(), agents.guarded.close()]))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bomb.xml`
  let seen = 0
  const limits = { ...DEFAULT_LIMITS, maxFeedBytes: 1_000_000 }
  const error = await fetchStream({ url, allowPrivateNetwork: true }, agents.open, limits, async (chunks) => {
    for await (const chunk of chunks) seen += chunk.length
  }).catch((e: unknown) => e)
  t.ok(error instanceof FetchError, String(error))
  t.match((error as Error).message, /larger than 1000000 bytes/)
  t.ok(seen <= 1_000_000, `at most the limit was handed on (${seen})`)
  // the guarded agent refuses loopback even for a feed
  const refused = await fetchStream({ url, allowPrivateNetwork: false }, agents.guarded, limits, async () => 0).catch((e: unknown) => e)
  t.match((refused as Error).message, /refused/)
})

if (!redisAvailable()) {
  t.test('feed across instances', async (t) => void requireRedis(t))
} else {
  t.test('a changed feed propagates to two gateway instances on one Redis', async (t) => {
    const redis = await startRedis(t)
    const feed = await feedServer(t, await fixture('gladbeck-hund.xml'))
    const regionPath = await regionWithFeed(t, feed.url)
    const [a, b] = [await gateway(t, regionPath, { redisUrl: redis.url }), await gateway(t, regionPath, { redisUrl: redis.url })]
    const serves = async (app: FastifyInstance, name: string) => app.live.current.services.some((s) => s.offerings.some((o) => o.member === 'gladbeck' && o.name === name))
    await until('both instances serve the first import', async () => (await serves(a, 'Hundesteuer: Änderung melden')) && (await serves(b, 'Hundesteuer: Änderung melden')))
    await until('the first round finished', () => lockIsFree(a, 'refresh:gladbeck'))
    t.equal(feed.state.requests.length, 1, 'one fetch for two instances')

    feed.state.body = await fixture('gladbeck-personalausweis.xml')
    feed.state.etag = '"f2"'
    t.match(await refresh(a), { outcome: 'updated' })
    await until('instance b follows the change', async () => !(await serves(b, 'Hundesteuer: Änderung melden')))
    t.match((await memberDoc(b)).meta, { etag: '"f2"', source: 'xzufi', importReport: { xzufiVersion: '2.2.0' } })
    t.equal((await memberDoc(a)).meta.importReport.mapped.services, (await memberDoc(b)).meta.importReport.mapped.services, 'the same report on both')
  })
}
