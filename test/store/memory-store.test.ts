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
