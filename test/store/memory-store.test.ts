import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryStore } from '../../src/store/memory-store.js'
import type { Manifest } from '../../src/manifest/schema.js'

t.test('persists accepted manifests across a restart', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dp-store-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const a = new MemoryStore({ dataDir: dir })
  await a.init()
  const manifest: Manifest = { schemaVersion: 1, member: 'x', updatedAt: '2026-01-01T00:00:00Z', sources: [{ what: 'a', source: 'b' }], links: {}, offices: [], services: [] }
  const v = await a.putManifest('x', manifest, { source: 'api' })
  t.equal(v, 1)
  const b = new MemoryStore({ dataDir: dir })
  await b.init()
  t.same((await b.getMember('x'))?.manifest, manifest)
  t.equal(await b.getVersion(), 1)
})

const BOUNDS = { client: 'c1', perClient: 20, total: 100 }

t.test('reports survive a restart in dataDir, expired ones do not', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-reports-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const first = new MemoryStore({ dataDir })
  await first.init()
  const now = Date.now()
  await first.putReport({ id: 'bleibt', message: 'Kontrast zu schwach', receivedAt: new Date(now).toISOString(), expiresAt: new Date(now + 60_000).toISOString() }, BOUNDS)
  await first.putReport({ id: 'kurz', message: 'läuft ab', receivedAt: new Date(now).toISOString(), expiresAt: new Date(now + 50).toISOString() }, BOUNDS)
  await new Promise((resolve) => setTimeout(resolve, 80))
  const second = new MemoryStore({ dataDir })
  await second.init()
  t.same((await second.listReports()).map((r) => r.id), ['bleibt'])
})

// A write that read the member and then waited for its file (recordFetch,
// putStatus) used to put back what a registration had just replaced: the PUT
// answered 200, and the old manifest came back, on disk too.
t.test('member writes never interleave: a registration is not undone by a concurrent fetch record or status', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dp-store-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const store = new MemoryStore({ dataDir: dir })
  await store.init()
  const doc = (name: string): Manifest => ({ schemaVersion: 1, member: 'x', updatedAt: '2026-01-01T00:00:00Z', sources: [{ what: 'a', source: 'b' }], links: {}, offices: [], services: [{ id: 's', name, summary: 'Zusammenfassung.', audiences: ['residents'], lifeSituations: ['tiere'] }] } as Manifest)
  await store.putManifest('x', doc('Alt'), { source: 'remote', etag: '"alt"' })
  await Promise.all([
    store.recordFetch('x', { fetchedAt: '2026-11-30T07:00:00Z' }),
    store.putManifest('x', doc('Neu'), { source: 'api' }),
    store.recordFetch('x', { fetchedAt: '2026-11-30T07:00:01Z' }),
  ])
  const live = await store.getMember('x')
  t.equal(live?.manifest?.services[0]?.name, 'Neu', 'the registration stays')
  t.equal(live?.meta.source, 'api')
  t.equal(live?.meta.etag, undefined, 'no validator of the replaced manifest')
  const reopened = new MemoryStore({ dataDir: dir })
  await reopened.init()
  t.equal((await reopened.getMember('x'))?.manifest?.services[0]?.name, 'Neu', 'and on disk')
  await Promise.all([store.putStatus('x', 'stale', { lastError: 'HTTP 503' }), store.putManifest('x', doc('Neuer'), { source: 'api' })])
  t.match(await store.getMember('x'), { status: 'ok', manifest: { services: [{ name: 'Neuer' }] } }, 'a status write does not bring back the manifest it read')
})
