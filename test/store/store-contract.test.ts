// One contract, every CatalogStore: the same tests run against the embedded
// MemoryStore, RedisStore on a real redis-server, and RedisStore on a real
// Redis Cluster (three masters, three replicas, hash-tagged prefix).
import t, * as Tap from 'tap'
import { MemoryStore } from '../../src/store/memory-store.js'
import { RedisStore } from '../../src/store/redis-store.js'
import type { CatalogStore } from '../../src/store/types.js'
import { FencedOut, manifestFingerprint } from '../../src/store/fence.js'
import type { Manifest } from '../../src/manifest/schema.js'
import { redisAvailable, requireRedis, startRedis } from '../helpers/redis.js'
import { clusterAvailable, requireCluster, startCluster, type RedisCluster } from '../helpers/redis-cluster.js'

type Test = Tap.Test
type Factory = (t: Test) => Promise<CatalogStore[]>

function manifest(member: string, name = 'Hund anmelden'): Manifest {
  return {
    schemaVersion: 1,
    member,
    updatedAt: '2026-11-25T00:00:00Z',
    sources: [{ what: 'test', source: 'test' }],
    links: {},
    offices: [],
    services: [{ id: 'hund', name, summary: 'Zusammenfassung.', audiences: ['residents'], lifeSituations: ['tiere'] }],
  }
}

const memory: Factory = async (t) => {
  const store = new MemoryStore()
  await store.init()
  t.teardown(() => store.close())
  return [store, store]
}

/** two RedisStores on one server: what one writes, the other must see */
const redis: Factory = async (t) => {
  const server = await startRedis(t)
  const open = async () => {
    const store = new RedisStore({ target: server.url, prefix: 'contract:', pollIntervalMs: 200 })
    await store.init()
    t.teardown(() => store.close())
    return store
  }
  return [await open(), await open()]
}

/**
 * two RedisStores on one Redis Cluster, started once for the file (six
 * processes); each test gets its own hash tag, so it starts empty
 */
let sharedCluster: Promise<RedisCluster> | undefined
let clusterTests = 0
const cluster: Factory = async (test) => {
  sharedCluster ??= startCluster(t) // torn down with the file's root test
  const { nodes } = await sharedCluster
  const prefix = `{contract-${++clusterTests}}:`
  const open = async () => {
    // generous command timeout: six redis processes on a busy CI machine are slow, not down
    const store = new RedisStore({ target: { kind: 'cluster', nodes }, prefix, pollIntervalMs: 200, commandTimeoutMs: 10_000 })
    await store.init()
    test.teardown(() => store.close())
    return store
  }
  return [await open(), await open()]
}

function contract(name: string, create: Factory): void {
  t.test(name, async (t) => {
    t.test('starts empty at version 0', async (t) => {
      const [a] = await create(t)
      t.equal(await a!.getVersion(), 0)
      t.same(await a!.listMembers(), [])
      t.equal(await a!.getMember('nope'), undefined)
      t.same(a!.health(), { ok: true })
    })

    t.test('putManifest stores, bumps and is visible to every instance', async (t) => {
      const [a, b] = await create(t)
      const v1 = await a!.putManifest('gladbeck', manifest('gladbeck'), { source: 'api', acceptedAt: '2026-11-25T10:00:00Z' })
      const v2 = await a!.putManifest('dorsten', manifest('dorsten'), { source: 'file' })
      t.ok(v2 > v1, 'version is monotonic')
      t.equal(await b!.getVersion(), v2)
      const gladbeck = await b!.getMember('gladbeck')
      t.same(gladbeck, { id: 'gladbeck', status: 'ok', manifest: manifest('gladbeck'), meta: { source: 'api', acceptedAt: '2026-11-25T10:00:00Z' } })
      const ids = (await b!.listMembers()).map((m) => m.id).sort()
      t.same(ids, ['dorsten', 'gladbeck'])
    })

    t.test('a new manifest replaces the old one and its meta', async (t) => {
      const [a, b] = await create(t)
      await a!.putManifest('gladbeck', manifest('gladbeck', 'Alt'), { source: 'remote', etag: '"1"', lastError: 'x' })
      await b!.listMembers() // warm any cache
      await a!.putManifest('gladbeck', manifest('gladbeck', 'Neu'), { source: 'api' })
      const [state] = await b!.listMembers()
      t.equal(state?.manifest?.services[0]?.name, 'Neu')
      t.same(state?.meta, { source: 'api' })
    })

    // If-Match registrations (two staff members editing one manifest): a conditional write lands only over the manifest it names
    t.test('putManifest with an expected fingerprint writes only over that manifest, atomically', async (t) => {
      const [a, b] = await create(t)
      const changed = new FencedOut('manifest-changed')
      await t.rejects(a!.putManifest('gladbeck', manifest('gladbeck', 'X'), { source: 'api' }, manifestFingerprint(manifest('gladbeck'))), changed, 'nothing stored yet: a named manifest is not there')
      const v1 = await a!.putManifest('gladbeck', manifest('gladbeck', 'Eins'), { source: 'api' }, '')
      const read = manifestFingerprint((await b!.getMember('gladbeck'))?.manifest)
      t.equal(read, manifestFingerprint(manifest('gladbeck', 'Eins')), 'the fingerprint of what another instance reads is that of what was written')
      await t.rejects(a!.putManifest('gladbeck', manifest('gladbeck', 'Y'), { source: 'api' }, ''), changed, '"none stored" no longer holds')
      const v2 = await b!.putManifest('gladbeck', manifest('gladbeck', 'Zwei'), { source: 'api', acceptedAt: '2026-11-30T09:00:00Z' }, read)
      t.ok(v2 > v1)
      await t.rejects(a!.putManifest('gladbeck', manifest('gladbeck', 'Verloren'), { source: 'api' }, read), changed, 'a second edit based on the same read is refused')
      t.equal(await a!.getVersion(), v2, 'a refused write bumps nothing')
      t.same(await a!.getMember('gladbeck'), { id: 'gladbeck', status: 'ok', manifest: manifest('gladbeck', 'Zwei'), meta: { source: 'api', acceptedAt: '2026-11-30T09:00:00Z' } })

      // eight edits based on one read, at once on two instances: exactly one lands
      const basis = manifestFingerprint(manifest('gladbeck', 'Zwei'))
      const results = await Promise.allSettled([...Array(8).keys()].map((i) =>
        [a, b][i % 2]!.putManifest('gladbeck', manifest('gladbeck', `Gleichzeitig ${i}`), { source: 'api' }, basis)))
      const landed = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []))
      t.equal(landed.length, 1, `exactly one of the concurrent edits lands (${landed.join(', ')})`)
      t.ok(results.every((r) => r.status === 'fulfilled' || r.reason instanceof FencedOut), 'the others are refused as changed')
      t.equal((await b!.getMember('gladbeck'))?.manifest?.services[0]?.name, `Gleichzeitig ${landed[0]}`)
    })

    t.test('putStatus keeps the live manifest (stale-if-error) and merges meta', async (t) => {
      const [a, b] = await create(t)
      await a!.putManifest('gladbeck', manifest('gladbeck'), { source: 'remote', etag: '"e1"' })
      const v = await a!.putStatus('gladbeck', 'stale', { lastError: 'HTTP 500', fetchedAt: '2026-11-25T11:00:00Z' })
      t.equal(await b!.getVersion(), v)
      const state = await b!.getMember('gladbeck')
      t.equal(state?.status, 'stale')
      t.same(state?.manifest, manifest('gladbeck'))
      t.same(state?.meta, { source: 'remote', etag: '"e1"', lastError: 'HTTP 500', fetchedAt: '2026-11-25T11:00:00Z' })
      const errorsMeta = { errors: [{ path: '/services/0/name', message: 'too long' }], lastError: 'invalid' }
      await a!.putStatus('gladbeck', 'stale', errorsMeta)
      t.same((await b!.listMembers())[0]?.meta.errors, errorsMeta.errors)
    })

    t.test('putStatus for a member never loaded records a failure', async (t) => {
      const [a] = await create(t)
      await a!.putStatus('herten', 'failed', { lastError: 'connect ECONNREFUSED' })
      const state = await a!.getMember('herten')
      t.equal(state?.status, 'failed')
      t.equal(state?.manifest, undefined)
      t.equal(state?.meta.lastError, 'connect ECONNREFUSED')
    })

    t.test('onChange announces new versions to listeners', async (t) => {
      const [a, b] = await create(t)
      const seen = new Promise<number>((resolve) => {
        const off = b!.onChange((version) => {
          off()
          resolve(version)
        })
      })
      const v = await a!.putManifest('gladbeck', manifest('gladbeck'), {})
      t.equal(await seen, v)
    })

    t.test('returned states are copies', async (t) => {
      const [a] = await create(t)
      await a!.putManifest('gladbeck', manifest('gladbeck'), {})
      const first = await a!.getMember('gladbeck')
      first!.manifest!.services.length = 0
      const listed = await a!.listMembers()
      listed[0]!.status = 'failed'
      t.equal((await a!.getMember('gladbeck'))?.manifest?.services.length, 1)
      t.equal((await a!.listMembers())[0]?.status, 'ok')
    })

    t.test('restoreMember writes only where the store lacks the member, or holds that same bundled file', async (t) => {
      const [a, b] = await create(t)
      t.type(await a!.getEpoch(), 'string', 'an initialised store has an epoch')
      const registered = { id: 'gladbeck', status: 'ok' as const, manifest: manifest('gladbeck', 'Registriert'), meta: { source: 'api' as const, fileSha256: 'aaa' } }
      await a!.putManifest('gladbeck', manifest('gladbeck', 'Datei'), { source: 'file', fileSha256: 'aaa' })
      t.equal(await b!.restoreMember(registered), null, 'present: the store wins')
      t.equal(await b!.restoreMember(registered, 'bbb'), null, 'another file: kept')
      const v = await b!.restoreMember(registered, 'aaa')
      t.ok(v !== null && v > 0, 'over the same bundled file: restored')
      t.equal((await a!.getMember('gladbeck'))?.manifest?.services[0]?.name, 'Registriert')
      const file = { id: 'gladbeck', status: 'ok' as const, manifest: manifest('gladbeck', 'Datei'), meta: { source: 'file' as const, fileSha256: 'aaa' } }
      t.equal(await a!.restoreMember(file, 'aaa'), null, 'a registration is never replaced by a restore')
      const stale = { id: 'dorsten', status: 'stale' as const, manifest: manifest('dorsten'), meta: { source: 'remote' as const, etag: '"e"', lastError: 'HTTP 500' } }
      t.ok(await a!.restoreMember(stale))
      t.same(await b!.getMember('dorsten'), stale, 'status and meta come back as they were')
    })

    t.test('raiseVersion never lowers; recordFetch updates meta without a version or a notice', async (t) => {
      const [a, b] = await create(t)
      const v1 = await a!.putManifest('gladbeck', manifest('gladbeck'), { source: 'remote', fetchedAt: '2026-11-25T10:00:00Z' })
      const seen: number[] = []
      b!.onChange((v) => seen.push(v))
      t.equal(await a!.raiseVersion(v1 + 10), v1 + 10)
      t.equal(await b!.getVersion(), v1 + 10)
      t.equal(await a!.raiseVersion(v1), v1 + 10, 'never lowered')
      // the raise is announced (on a Cluster possibly late): wait for it, then watch recordFetch alone
      const raised = Date.now() + 10_000
      while (!seen.includes(v1 + 10) && Date.now() < raised) await new Promise((resolve) => setTimeout(resolve, 20))
      seen.length = 0
      await a!.recordFetch('gladbeck', { fetchedAt: '2026-11-25T11:00:00Z' })
      await a!.recordFetch('nobody', { fetchedAt: '2026-11-25T11:00:00Z' })
      t.equal(await b!.getVersion(), v1 + 10, 'no new version')
      t.same(await b!.getMember('gladbeck'), { id: 'gladbeck', status: 'ok', manifest: manifest('gladbeck'), meta: { source: 'remote', fetchedAt: '2026-11-25T11:00:00Z' } })
      t.equal(await b!.getMember('nobody'), undefined, 'nothing created for an unknown member')
      // notices arrive in order: the first one b sees is this write's
      const v2 = await a!.putManifest('dorsten', manifest('dorsten'), {})
      const deadline = Date.now() + 10_000
      while (!seen.includes(v2) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
      t.same(seen, [v2], 'recordFetch announced nothing')
    })

    t.test('lock: one holder at a time, compare-and-delete, expiry', async (t) => {
      const [a, b] = await create(t)
      const token = await a!.acquireLock('refresh:gladbeck', 60_000)
      t.type(token, 'string')
      t.equal(await b!.acquireLock('refresh:gladbeck', 60_000), null, 'held by someone else')
      t.equal(await b!.releaseLock('refresh:gladbeck', 'not-the-token'), false, 'a foreign token releases nothing')
      t.equal(await a!.releaseLock('refresh:gladbeck', token!), true)
      t.equal(await a!.releaseLock('refresh:gladbeck', token!), false, 'only once')
      const short = await b!.acquireLock('refresh:x', 50)
      t.type(short, 'string')
      await new Promise((resolve) => setTimeout(resolve, 120))
      t.type(await a!.acquireLock('refresh:x', 1000), 'string', 'an expired lock can be taken over')
      t.equal(await b!.releaseLock('refresh:x', short!), false, 'the old holder cannot release the new lock')
    })

    // Issue 25: /einblicke sessions are records every instance sees, so a logout ends them everywhere
    t.test('sessions: shared, deleted for every instance, gone after their expiry', async (t) => {
      const [a, b] = await create(t)
      const session = { scope: 'gladbeck', expiresAt: Date.now() + 60_000, tokenFingerprint: 'fp-1' }
      await a!.putSession('id-eins', session)
      t.same(await b!.getSession('id-eins'), session, 'the other instance sees it')
      t.equal(await b!.getSession('id-zwei'), undefined, 'an unknown id')
      await b!.deleteSession('id-eins')
      t.equal(await a!.getSession('id-eins'), undefined, 'deleted on one instance, gone on all')
      await b!.deleteSession('id-eins')
      await a!.putSession('kurz', { ...session, expiresAt: Date.now() + 60 })
      await new Promise((resolve) => setTimeout(resolve, 150))
      t.equal(await b!.getSession('kurz'), undefined, 'expired')
    })

    t.test('sharedSecret: the first candidate wins for every instance', async (t) => {
      const [a, b] = await create(t)
      const [first, second] = await Promise.all([a!.sharedSecret('session', 'candidate-a'), b!.sharedSecret('session', 'candidate-b')])
      t.equal(first, second, 'instances starting together agree')
      t.ok(['candidate-a', 'candidate-b'].includes(first))
      t.equal(await b!.sharedSecret('session', 'candidate-c'), first, 'later candidates are ignored')
      t.equal(await a!.sharedSecret('other', 'candidate-d'), 'candidate-d', 'per name')
    })

    // Issue 17: "Barriere melden" reports are kept for the operator until they expire.
    t.test('reports: stored for every instance, dropped after their retention', async (t) => {
      const [a, b] = await create(t)
      const now = Date.now()
      const report = (id: string, receivedMs: number, expiresMs: number) => ({
        id, message: `Barriere ${id}`, page: '/suche', receivedAt: new Date(receivedMs).toISOString(), expiresAt: new Date(expiresMs).toISOString(),
      })
      const bounds = { client: 'netz-a', perClient: 20, total: 100 }
      await a!.putReport(report('alt', now - 2000, now - 1000), bounds)
      await a!.putReport(report('eins', now - 500, now + 60_000), bounds)
      await a!.putReport({ ...report('zwei', now, now + 60_000), contact: 'name@example.org' }, bounds)
      const seen = await b!.listReports()
      t.same(seen.map((r) => r.id), ['eins', 'zwei'], 'the expired report is gone, oldest first')
      t.equal(seen[1]?.contact, 'name@example.org')
      t.equal(seen[0]?.message, 'Barriere eins')
      t.notOk('client' in seen[0]!, 'the network hash is not part of the listed report')
    })

    // Issue 25: a full store refuses; it never evicts the reports already there.
    t.test('reports: bounded per client network and in all, refusing rather than evicting', async (t) => {
      const [a, b] = await create(t)
      const now = Date.now()
      const report = (id: string, expiresMs = now + 60_000) => ({ id, message: `Barriere ${id}`, receivedAt: new Date(now).toISOString(), expiresAt: new Date(expiresMs).toISOString() })
      const bounds = (client: string) => ({ client, perClient: 3, total: 7 })
      t.equal(await a!.putReport(report('erste'), bounds('echt')), 'stored')
      const outcomes: string[] = []
      for (let i = 0; i < 5; i++) outcomes.push(await b!.putReport(report(`flut-a${i}`), bounds('flut-a')))
      t.same(outcomes, ['stored', 'stored', 'stored', 'client', 'client'], 'a network gets its bound, then is refused')
      t.equal(await a!.putReport(report('b0'), bounds('flut-b')), 'stored', 'another network still has room')
      t.equal(await a!.putReport(report('b1'), bounds('flut-b')), 'stored')
      t.equal(await a!.putReport(report('c0'), bounds('flut-c')), 'stored')
      t.equal(await b!.putReport(report('c1'), bounds('flut-c')), 'full', 'the store is full: refused')
      t.equal(await b!.putReport(report('spaet'), bounds('echt')), 'full', 'for every network')
      const ids = (await a!.listReports()).map((r) => r.id)
      t.equal(ids.length, 7)
      t.ok(ids.includes('erste'), 'the first report was not evicted')
      t.notOk(ids.includes('c1'))
    })

    t.test('reports: expired ones free their network\'s and the store\'s places', async (t) => {
      const [a, b] = await create(t)
      const now = Date.now()
      const report = (id: string, expiresMs: number) => ({ id, message: `Barriere ${id}`, receivedAt: new Date(now).toISOString(), expiresAt: new Date(expiresMs).toISOString() })
      const bounds = { client: 'netz', perClient: 2, total: 2 }
      t.equal(await a!.putReport(report('bald-weg', now + 100), bounds), 'stored')
      t.equal(await a!.putReport(report('bleibt', now + 60_000), bounds), 'stored')
      t.equal(await b!.putReport(report('zu-viel', now + 60_000), bounds), 'full')
      await new Promise((resolve) => setTimeout(resolve, 250))
      t.equal(await b!.putReport(report('danach', now + 60_000), bounds), 'stored', 'the expired report made room')
      t.same((await a!.listReports()).map((r) => r.id).sort(), ['bleibt', 'danach'])
    })
  })
}

contract('MemoryStore', memory)
if (redisAvailable()) contract('RedisStore', redis)
else t.test('RedisStore', async (t) => void requireRedis(t))
if (clusterAvailable()) contract('RedisStore on Redis Cluster', cluster)
else t.test('RedisStore on Redis Cluster', async (t) => void requireCluster(t))
