// Fenced writes (issue 12, finding 6), the same for MemoryStore and RedisStore
// on a real redis-server: a write lands only while the writer's lock token
// still holds the lock and the stored manifest is the one it started from.
import t, * as Tap from 'tap'
import { MemoryStore } from '../../src/store/memory-store.js'
import { RedisStore } from '../../src/store/redis-store.js'
import { FencedOut, manifestFingerprint, type FenceRefusal } from '../../src/store/fence.js'
import type { CatalogStore } from '../../src/store/types.js'
import type { Manifest } from '../../src/manifest/schema.js'
import { redisAvailable, requireRedis, startRedis } from '../helpers/redis.js'

type Test = Tap.Test

function manifest(name: string): Manifest {
  return {
    schemaVersion: 1, member: 'marl', updatedAt: '2026-11-25T00:00:00Z', sources: [{ what: 'test', source: 'test' }], links: {}, offices: [],
    services: [{ id: 'hund', name, summary: 'Zusammenfassung.', audiences: ['residents'], lifeSituations: ['tiere'] }],
  } as Manifest
}

const refused = (reason: FenceRefusal) => new FencedOut(reason)

function contract(name: string, open: (t: Test) => Promise<CatalogStore>): void {
  t.test(name, async (t) => {
    t.test('with its lock and the manifest it started from, a fenced write stores', async (t) => {
      const store = await open(t)
      const token = await store.acquireLock('refresh:marl', 30_000)
      if (!token) throw new Error('no lock')
      const first = await store.putManifestFenced('marl', manifest('Eins'), { source: 'remote', etag: '"1"' }, { lock: 'refresh:marl', token, basis: '' })
      t.equal(await store.getVersion(), first)
      const basis = manifestFingerprint((await store.getMember('marl'))?.manifest)
      t.equal(basis, manifestFingerprint(manifest('Eins')), 'the fingerprint of what was read is the fingerprint of what was written')
      const second = await store.putManifestFenced('marl', manifest('Zwei'), { source: 'remote', etag: '"2"' }, { lock: 'refresh:marl', token, basis })
      t.ok(second > first)
      const third = await store.putStatusFenced('marl', 'stale', { lastError: 'HTTP 503' }, { lock: 'refresh:marl', token, basis: manifestFingerprint(manifest('Zwei')) })
      t.ok(third > second)
      t.match(await store.getMember('marl'), { status: 'stale', manifest: { services: [{ name: 'Zwei' }] }, meta: { etag: '"2"', lastError: 'HTTP 503' } })
    })

    t.test('another token, a released or an expired lock: nothing written', async (t) => {
      const store = await open(t)
      await store.putManifest('marl', manifest('Eins'), { source: 'api' })
      const basis = manifestFingerprint(manifest('Eins'))
      const version = await store.getVersion()
      const token = await store.acquireLock('refresh:marl', 30_000)
      if (!token) throw new Error('no lock')
      await t.rejects(store.putManifestFenced('marl', manifest('Alt'), { source: 'remote' }, { lock: 'refresh:marl', token: 'not-mine', basis }), refused('lock-lost'))
      await store.releaseLock('refresh:marl', token)
      await t.rejects(store.putManifestFenced('marl', manifest('Alt'), { source: 'remote' }, { lock: 'refresh:marl', token, basis }), refused('lock-lost'))
      await t.rejects(store.putStatusFenced('marl', 'stale', { lastError: 'x' }, { lock: 'refresh:marl', token, basis }), refused('lock-lost'))
      const short = await store.acquireLock('refresh:marl', 40)
      if (!short) throw new Error('no lock')
      await new Promise((resolve) => setTimeout(resolve, 80))
      await t.rejects(store.putManifestFenced('marl', manifest('Alt'), { source: 'remote' }, { lock: 'refresh:marl', token: short, basis }), refused('lock-lost'), 'expired')
      t.equal(await store.getVersion(), version, 'no version bump')
      t.match(await store.getMember('marl'), { status: 'ok', manifest: { services: [{ name: 'Eins' }] }, meta: { source: 'api' } })
    })

    t.test('a manifest that changed since the writer read it: nothing written', async (t) => {
      const store = await open(t)
      await store.putManifest('marl', manifest('Eins'), { source: 'remote' })
      const token = await store.acquireLock('refresh:marl', 30_000)
      if (!token) throw new Error('no lock')
      const basis = manifestFingerprint((await store.getMember('marl'))?.manifest)
      const registered = await store.putManifest('marl', manifest('Registriert'), { source: 'api' })
      const fence = { lock: 'refresh:marl', token, basis }
      await t.rejects(store.putManifestFenced('marl', manifest('Alt'), { source: 'remote', etag: '"alt"' }, fence), refused('manifest-changed'))
      await t.rejects(store.putStatusFenced('marl', 'ok', { fetchedAt: new Date().toISOString() }, fence), refused('manifest-changed'))
      // a writer that saw no manifest may not write over one that appeared meanwhile
      await t.rejects(store.putManifestFenced('marl', manifest('Alt'), { source: 'remote' }, { ...fence, basis: '' }), refused('manifest-changed'))
      t.equal(await store.getVersion(), registered)
      t.match(await store.getMember('marl'), { manifest: { services: [{ name: 'Registriert' }] }, meta: { source: 'api' } })
      // a fetch record (the old server's validators) may not land on the registered manifest either
      await t.rejects(store.recordFetch('marl', { fetchedAt: new Date().toISOString(), etag: '"alt"' }, fence), refused('manifest-changed'))
      t.equal((await store.getMember('marl'))?.meta.etag, undefined, 'no validator of another manifest')
      await store.releaseLock('refresh:marl', token)
      const current = { ...fence, basis: manifestFingerprint(manifest('Registriert')) }
      await t.rejects(store.recordFetch('marl', { fetchedAt: new Date().toISOString() }, current), refused('lock-lost'), 'nor after its lock is gone')
      const again = await store.acquireLock('refresh:marl', 30_000)
      if (!again) throw new Error('no lock')
      await store.recordFetch('marl', { fetchedAt: '2026-11-30T07:00:00.000Z', etag: '"neu"' }, { ...current, token: again })
      t.match(await store.getMember('marl'), { meta: { fetchedAt: '2026-11-30T07:00:00.000Z', etag: '"neu"', source: 'api' } }, 'with its lock, over the manifest it read: recorded')
      t.equal(await store.getVersion(), registered, 'a fetch record bumps nothing')
    })
  })
}

contract('MemoryStore', async (t) => {
  const store = new MemoryStore()
  await store.init()
  t.teardown(() => store.close())
  return store
})

if (redisAvailable()) {
  contract('RedisStore', async (t) => {
    const server = await startRedis(t)
    const store = new RedisStore({ target: server.url, prefix: 'fenced:' })
    await store.init()
    t.teardown(() => store.close())
    return store
  })
} else {
  t.test('RedisStore', async (t) => void requireRedis(t))
}
