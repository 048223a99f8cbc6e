// The failure counter both stores offer the admin brake (issue 12, finding 8):
// counts per key, forgotten windowMs after the last failure, shared through Redis.
import t, * as Tap from 'tap'
import { MemoryStore } from '../../src/store/memory-store.js'
import { RedisStore } from '../../src/store/redis-store.js'
import type { CatalogStore } from '../../src/store/types.js'
import { redisAvailable, requireRedis, startRedis } from '../helpers/redis.js'

type Test = Tap.Test
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function contract(name: string, open: (t: Test) => Promise<[CatalogStore, CatalogStore]>): void {
  t.test(name, async (t) => {
    const [a, b] = await open(t)
    t.equal(await a.failureCount('admin-auth:gladbeck'), 0)
    t.equal(await a.countFailure('admin-auth:gladbeck', 60_000), 1)
    t.equal(await b.countFailure('admin-auth:gladbeck', 60_000), 2, 'one count for every instance')
    t.equal(await b.failureCount('admin-auth:gladbeck'), 2)
    t.equal(await a.failureCount('admin-auth:dorsten'), 0, 'per key')
    // a short window: the count is gone once it passed without a failure
    await a.countFailure('admin-auth:herten', 60)
    t.equal(await b.failureCount('admin-auth:herten'), 1)
    await pause(150)
    t.equal(await b.failureCount('admin-auth:herten'), 0, 'expired')
    t.equal(await a.countFailure('admin-auth:herten', 60_000), 1, 'counting starts again')
    // the login brake counts an attempt before its token is checked and takes a right one back
    await b.forgetFailure('admin-auth:gladbeck')
    t.equal(await a.failureCount('admin-auth:gladbeck'), 1, 'one count taken back, for every instance')
    await a.forgetFailure('admin-auth:gladbeck')
    await a.forgetFailure('admin-auth:gladbeck')
    t.equal(await b.failureCount('admin-auth:gladbeck'), 0, 'never below 0')
    t.equal(await b.countFailure('admin-auth:gladbeck', 60_000), 1, 'and counting starts from 0')
    await a.forgetFailure('admin-auth:nie')
    t.equal(await a.failureCount('admin-auth:nie'), 0, 'forgetting an unknown key changes nothing')
  })
}

contract('MemoryStore', async (t) => {
  const store = new MemoryStore()
  await store.init()
  t.teardown(() => store.close())
  return [store, store]
})

if (redisAvailable()) {
  contract('RedisStore', async (t) => {
    const server = await startRedis(t)
    const open = async () => {
      const store = new RedisStore({ target: server.url, prefix: 'counter:' })
      await store.init()
      t.teardown(() => store.close())
      return store
    }
    return [await open(), await open()]
  })
} else {
  t.test('RedisStore', async (t) => void requireRedis(t))
}
