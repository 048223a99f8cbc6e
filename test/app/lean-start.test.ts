// A start loads only what its configuration uses (issue 18, cold start):
// without Redis no ioredis, without upstreams no @fastify/http-proxy and no
// undici, and the compiled app reads its templates from dist/, not src/.
// Each case is a fresh `node` process on dist/ (build first); loaded
// CommonJS packages are read from require.cache (ioredis, the proxy plugin
// and undici are CommonJS, also when imported from ESM).
import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import * as nodeModule from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { makeRegion, manifest, member, service, REPO } from '../helpers/region.js'
import { startGateway } from '../helpers/gateway-process.js'

const run = promisify(execFile)
const dist = (path: string) => pathToFileURL(join(REPO, 'dist', path)).href
const WATCHED = ['ioredis', '@fastify/http-proxy', '@fastify/reply-from', 'undici']

/** Runs `body` (ESM, top-level await) in a fresh node and returns which WATCHED packages it loaded. */
async function loadedAfter(body: string): Promise<{ loaded: string[]; printed: string }> {
  const script = `
    import { createRequire } from 'node:module'
    ${body}
    const cache = Object.keys(createRequire(import.meta.url).cache)
    const loaded = ${JSON.stringify(WATCHED)}.filter((name) => cache.some((path) => path.includes('/node_modules/' + name + '/')))
    console.log(JSON.stringify({ loaded }))
    process.exit(0)`
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO, env: { PATH: process.env.PATH, NODE_ENV: 'test', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' } })
  const lines = stdout.trim().split('\n')
  return { loaded: JSON.parse(lines.pop()!).loaded, printed: lines.join('\n') }
}

const startApp = (regionPath: string, dataDir: string, settings = '{}') => `
  const { buildApp } = await import(${JSON.stringify(dist('app.js'))})
  const app = await buildApp({ settings: { regionConfig: ${JSON.stringify(regionPath)}, dataDir: ${JSON.stringify(dataDir)}, ...${settings} } })
  await app.ready()
  const ready = await app.inject('/ready')
  const cities = await app.inject('/cities/alpha/')
  console.log(JSON.stringify({ ready: ready.statusCode, cities: cities.statusCode }))
  await app.close()`

t.test('no REDIS_URL and no upstream: neither ioredis nor the proxy plugin nor undici is loaded', async (t) => {
  const region = await makeRegion([member('alpha', 'stadt')], { alpha: manifest('alpha', [service('a')]) })
  t.teardown(region.cleanup)
  const { loaded, printed } = await loadedAfter(startApp(region.regionPath, region.dataDir))
  t.same(JSON.parse(printed), { ready: 200, cities: 404 }, 'the app started and /cities answers (no upstream) without the plugin')
  t.same(loaded, [])
})

t.test('a member with an upstream loads the proxy plugin (the check sees what is loaded)', async (t) => {
  const region = await makeRegion(
    [member('alpha', 'stadt', { upstream: 'http://127.0.0.1:9/', allowPrivateNetwork: true, sameOriginTrusted: true })],
    { alpha: manifest('alpha', [service('a')]) },
  )
  t.teardown(region.cleanup)
  const { loaded } = await loadedAfter(startApp(region.regionPath, region.dataDir))
  t.ok(loaded.includes('@fastify/http-proxy'), `loaded: ${loaded.join(', ')}`)
  t.ok(loaded.includes('undici'))
  t.notOk(loaded.includes('ioredis'), 'still no Redis client')
})

t.test('a Redis target loads ioredis for the store (constructed, never connected)', async (t) => {
  const { loaded, printed } = await loadedAfter(`
    const { createStore } = await import(${JSON.stringify(dist('store/create.js'))})
    const store = await createStore({ dataDir: '/nonexistent', redisUrl: 'redis://127.0.0.1:9', redisPrefix: 'dp:' })
    console.log(store.kind)`)
  t.equal(printed, 'redis')
  t.same(loaded, ['ioredis'])
})

t.test('the compiled app reads templates and assets from dist/, never from src/', async (t) => {
  const { printed } = await loadedAfter(`
    const { TEMPLATES_DIR, ASSETS_DIR } = await import(${JSON.stringify(dist('web/paths.js'))})
    console.log(JSON.stringify([TEMPLATES_DIR, ASSETS_DIR]))`)
  t.same(JSON.parse(printed), [join(REPO, 'dist', 'web', 'templates/'), join(REPO, 'dist', 'web', 'assets/')])
})

t.test('dist/main.js fills the module compile cache on Node >= 22 and leaves COMPILE_CACHE alone on Node 20', async (t) => {
  const region = await makeRegion([member('alpha', 'stadt')], { alpha: manifest('alpha', [service('a')]) })
  t.teardown(region.cleanup)
  const cache = await mkdtemp(join(tmpdir(), 'dp-compile-cache-'))
  t.teardown(() => rm(cache, { recursive: true, force: true }))
  const gateway = await startGateway(t, { REGION_CONFIG: region.regionPath, DATA_DIR: region.dataDir, COMPILE_CACHE: cache, SHUTDOWN_DRAIN_MS: '0' })
  t.equal((await fetch(`${gateway.url}/ready`)).status, 200)
  await gateway.stop('SIGTERM')
  const files = await readdir(cache, { recursive: true })
  const supported = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function'
  if (supported) t.ok(files.length > 0, `Node ${process.version}: the compile cache was written (${files.length} entries)`)
  else t.same(files, [], `Node ${process.version} has no compile cache: nothing is written`)
})
