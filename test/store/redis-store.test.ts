// RedisStore beyond the shared contract: durability across a Redis crash,
// behaviour while Redis is down, self-healing version notices.
import t, * as Tap from 'tap'
import { Redis } from 'ioredis'
import { RedisStore } from '../../src/store/redis-store.js'
import { redisTargetFromEnv, parseHostList } from '../../src/store/redis-connection.js'
import { freePort, redisAvailable, requireRedis, startRedis } from '../helpers/redis.js'
import { startRelay } from '../helpers/tcp-relay.js'
import type { Manifest } from '../../src/manifest/schema.js'

function manifest(member: string, name = 'Hund anmelden'): Manifest {
  return {
    schemaVersion: 1, member, updatedAt: '2026-11-25T00:00:00Z', sources: [{ what: 'test', source: 'test' }], links: {}, offices: [],
    services: [{ id: 'hund', name, summary: 'Zusammenfassung.', audiences: ['residents'], lifeSituations: ['tiere'] }],
  }
}

type Test = Tap.Test

async function open(t: Test, url: string, pollIntervalMs = 5000): Promise<RedisStore> {
  const store = new RedisStore({ target: url, prefix: 'dp:', pollIntervalMs })
  await store.init()
  t.teardown(() => store.close())
  return store
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

t.test('env selects single node, Sentinel or Cluster', async (t) => {
  t.equal(redisTargetFromEnv({}), undefined)
  t.same(redisTargetFromEnv({ REDIS_URL: 'redis://r:6379/0' }), { kind: 'single', url: 'redis://r:6379/0' })
  t.same(redisTargetFromEnv({ REDIS_SENTINELS: 's1:26379, s2', REDIS_SENTINEL_NAME: 'main' }), {
    kind: 'sentinel', sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }], name: 'main',
  })
  t.throws(() => redisTargetFromEnv({ REDIS_SENTINELS: 's1' }), /REDIS_SENTINEL_NAME/)
  t.same(parseHostList('[::1]:7000,c2:7001', 6379), [{ host: '::1', port: 7000 }, { host: 'c2', port: 7001 }])
})

if (!redisAvailable()) {
  t.test('RedisStore', async (t) => void requireRedis(t))
} else {
  t.test('init fails fast and clearly when Redis is not there', async (t) => {
    const port = await freePort()
    const store = new RedisStore({ target: `redis://127.0.0.1:${port}` })
    await t.rejects(store.init(), { message: /^cannot connect to Redis: .*ECONNREFUSED/ })
    t.equal(store.health().ok, false)
    await store.close()
  })

  t.test('an acknowledged write survives a Redis crash (AOF, fsync always)', async (t) => {
    const server = await startRedis(t, { aof: true })
    const before = await open(t, server.url)
    const version = await before.putManifest('gladbeck', manifest('gladbeck'), { source: 'api' })
    await server.stop('SIGKILL')
    await server.start()
    const after = await open(t, server.url)
    t.equal(await after.getVersion(), version)
    t.same((await after.getMember('gladbeck'))?.manifest, manifest('gladbeck'))
  })

  t.test('while Redis is down: degraded health, writes fail fast with 503, then heal', async (t) => {
    const server = await startRedis(t, { aof: true })
    const store = await open(t, server.url)
    const peer = await open(t, server.url)
    await store.putManifest('gladbeck', manifest('gladbeck', 'Alt'), {})
    await server.stop('SIGKILL')
    await until(() => !store.health().ok, 'degraded health')
    t.match(store.health().reason, /^redis: /)
    const error = await store.putManifest('gladbeck', manifest('gladbeck', 'Neu'), {}).catch((e: unknown) => e)
    t.match(error, { code: 'DP_ERR_STORE_UNAVAILABLE', statusCode: 503, retryAfter: 5 })
    t.rejects(store.getVersion(), { code: 'DP_ERR_STORE_UNAVAILABLE' })

    const versions: number[] = []
    store.onChange((v) => versions.push(v))
    await server.start()
    await until(() => store.health().ok && peer.health().ok, 'reconnect')
    const v = await peer.putManifest('gladbeck', manifest('gladbeck', 'Neu'), {})
    await until(() => versions.includes(v), 'change notice after reconnect')
    t.equal((await store.getMember('gladbeck'))?.manifest?.services[0]?.name, 'Neu')
  })

  t.test('after a network blip the store subscribes again and gets change notices by pub/sub', async (t) => {
    const server = await startRedis(t)
    const relay = await startRelay(t, server.port)
    // a poll too slow to matter here: notices can only come by pub/sub
    const store = await open(t, `redis://127.0.0.1:${relay.port}`, 600_000)
    const peer = await open(t, server.url, 600_000)
    const resubscribed = relay.holdNext(/subscribe/i)
    relay.cutAll()
    await resubscribed // proves SUBSCRIBE is sent again; that connection is then held, so cut once more
    relay.cutAll()
    await until(() => store.health().ok, 'reconnect')
    const seen: number[] = []
    store.onChange((v) => seen.push(v))
    // the subscriber may still be reconnecting: write until a message arrives
    await until(async () => {
      const v = await peer.putManifest('gladbeck', manifest('gladbeck'), {})
      await new Promise((resolve) => setTimeout(resolve, 50))
      return seen.includes(v)
    }, 'change notice by pub/sub')
    t.pass('notice arrived')
  })

  t.test('closing while the subscriber resubscribes leaves no unhandled rejection', async (t) => {
    const server = await startRedis(t)
    const relay = await startRelay(t, server.port)
    const store = new RedisStore({ target: `redis://127.0.0.1:${relay.port}`, prefix: 'dp:' })
    await store.init()
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    t.teardown(() => void process.off('unhandledRejection', onUnhandled))
    const resubscribing = relay.holdNext(/subscribe/i)
    relay.cutAll()
    await resubscribing // the SUBSCRIBE is in flight and will never be answered
    await store.close()
    await new Promise((resolve) => setTimeout(resolve, 50))
    t.same(unhandled, [], 'a shutdown during a reconnect must not crash the process')
  })

  t.test('a missed pub/sub message is healed by the version poll', async (t) => {
    const server = await startRedis(t)
    const store = await open(t, server.url, 50)
    const raw = new Redis(server.url)
    t.teardown(() => raw.quit())
    const seen: number[] = []
    store.onChange((v) => seen.push(v))
    await raw.incr('dp:catalog:version') // a writer whose PUBLISH got lost
    await until(() => seen.includes(1), 'poll notice')
    t.same(seen, [1])
  })

  t.test('a Redis that lost its data is noticed and reloaded', async (t) => {
    const server = await startRedis(t)
    const store = await open(t, server.url, 50)
    await store.putManifest('gladbeck', manifest('gladbeck'), {})
    t.equal((await store.listMembers()).length, 1)
    const seen: number[] = []
    store.onChange((v) => seen.push(v))
    await server.stop('SIGKILL')
    await server.start()
    await until(() => seen.includes(0), 'reset notice')
    t.same(await store.listMembers(), [])
  })

  t.test('epochs: a Redis restarted empty has none and is noticed on reconnect; renewal is compare-and-set', async (t) => {
    const server = await startRedis(t)
    const store = await open(t, server.url)
    const first = await store.getEpoch()
    t.type(first, 'string')
    for (let i = 0; i < 3; i++) await store.putManifest('gladbeck', manifest('gladbeck'), {})
    const seen: number[] = []
    store.onChange((v) => seen.push(v))
    await server.stop('SIGKILL')
    await server.start()
    await until(() => store.health().ok, 'reconnect')
    await until(() => seen.includes(0), 'reset notice on reconnect')
    t.equal(await store.getEpoch(), null, 'the reset store has no epoch')
    // versions start over in the new life of the store
    seen.length = 0
    const v = await store.putManifest('gladbeck', manifest('gladbeck', 'Neu'), {})
    t.equal(v, 1)
    await until(() => seen.includes(1), 'the new life is followed')
    const second = await store.renewEpoch(first!)
    t.not(second, first, 'a new epoch')
    t.equal(await store.renewEpoch(first!), second, 'a second recoverer adopts the winner')
    t.not(await store.renewEpoch(second), second, 'renewing the current epoch (a rollback) starts another')
  })

  t.test('keys live under the prefix, the channel carries it too', async (t) => {
    const server = await startRedis(t)
    const store = await open(t, server.url)
    const raw = new Redis(server.url)
    const sub = new Redis(server.url)
    t.teardown(() => Promise.all([raw.quit(), sub.quit()]))
    await sub.subscribe('dp:catalog:changed')
    const message = new Promise<string>((resolve) => sub.once('message', (_c: string, m: string) => resolve(m)))
    await store.putManifest('gladbeck', manifest('gladbeck'), { etag: '"x"' })
    t.equal(await message, '1')
    t.same((await raw.keys('*')).sort(), ['dp:catalog:epoch', 'dp:catalog:snapshot', 'dp:catalog:version', 'dp:manifest:gladbeck', 'dp:manifest:gladbeck:meta'])
    t.same(await raw.hgetall('dp:catalog:snapshot'), { gladbeck: '1' })
    t.match(await raw.hgetall('dp:manifest:gladbeck:meta'), { status: 'ok', rev: '1', etag: '"\\"x\\""' })
  })
}
