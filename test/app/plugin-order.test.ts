// The catalog plugin owns store, live catalog and search index; every plugin
// reading them names it in `dependencies`, so Fastify refuses a wrong order
// at start-up instead of a route failing on its first request.
import t from 'tap'
import Fastify from 'fastify'
import regionRoutes from '../../src/routes/region.js'
import searchRoutes from '../../src/routes/search.js'
import { adminRoutes } from '../../src/routes/admin.js'
import { coverageRoutes } from '../../src/coverage/routes.js'
import { webPlugin } from '../../src/web/index.js'
import opsPlugin from '../../src/ops/index.js'
import { readSettings } from '../../src/config/env.js'
import { waitForChange } from '../../src/lifecycle/wait-for-change.js'
import { MemoryStore } from '../../src/store/memory-store.js'

const plugins = [
  ['region routes', regionRoutes, {}],
  ['search routes', searchRoutes, {}],
  ['admin routes', adminRoutes, {}],
  ['coverage', coverageRoutes, {}],
  ['portal', webPlugin, { operator: undefined, reports: { retentionDays: 30 } }],
  ['ops', opsPlugin, { settings: readSettings({}), breakerState: () => undefined }],
] as const

for (const [name, plugin, options] of plugins) {
  t.test(`${name}: refused without the catalog plugin`, async (t) => {
    const app = Fastify()
    t.teardown(() => app.close())
    const register = app.register as (plugin: unknown, options: unknown) => PromiseLike<unknown>
    await t.rejects(async () => { await register.call(app, plugin, options) }, /decorator 'live' required by 'dachportal-/)
  })
}

t.test('a decorator of the same name is not enough: the catalog plugin must be registered', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.decorate('live', {} as never)
  await t.rejects(async () => { await app.register(coverageRoutes) }, /dachportal-catalog/)
})

t.test('waitForChange: resolves on a change notice, when aborted, or after the time', async (t) => {
  const store = new MemoryStore()
  await store.init()
  t.teardown(() => store.close())
  // a change: another write to the store
  const changed = waitForChange(store, 60_000)
  await store.putStatus('a', 'failed', { lastError: 'x' })
  await changed
  const aborted = new AbortController()
  const stopped = waitForChange(store, 60_000, aborted.signal)
  aborted.abort()
  await stopped
  await waitForChange(store, 1)
  t.pass('resolved each time, never rejected')
})
