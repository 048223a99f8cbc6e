import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO } from './helpers/region.js'
import { TEST_GATEWAY_ENV } from './helpers/gateway-process.js'

// `npm start` = build + `node dist/main.js`; `npm test` builds first, so dist/ is current.
t.test('the real process starts with the bundled members and becomes ready', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-main-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const child = spawn(process.execPath, [join(REPO, 'dist', 'main.js')], {
    cwd: REPO,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', REDIS_URL: '', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: TEST_GATEWAY_ENV.PRESSURE_MAX_EVENT_LOOP_DELAY_MS, SHUTDOWN_DRAIN_MS: TEST_GATEWAY_ENV.SHUTDOWN_DRAIN_MS },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let output = ''
  child.stderr.on('data', (d) => { output += d })
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      output += d
      const m = /"address":"(http:\/\/[^"]+)"/.exec(output)
      if (m) resolve(m[1]!)
    })
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${output}`)))
  })
  let ready: any
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${address}/ready`).catch(() => undefined)
    if (res?.status === 200) { ready = await res.json(); break }
    await new Promise((r) => setTimeout(r, 50))
  }
  t.match(ready, { status: 'ready' })
  const members = await (await fetch(`${address}/api/v1/members?pageSize=100`)).json() as any
  t.equal(members.total, 15)
  t.ok(members.items.every((m: any) => m.status === 'ok'))
  // dist/main.js is the bundle (scripts/bundle.mjs): what reads files next to its own module still finds them
  const page = await fetch(`${address}/leistungen/personalausweis?plz=45964`)
  t.equal(page.status, 200, 'a service page (templates from dist/web/templates)')
  t.match(await page.text(), /Personalausweis/)
  const css = await fetch(`${address}/assets/portal.css`)
  t.equal(css.status, 200, 'an asset (dist/web/assets)')
  const docs = await fetch(`${address}/docs/json`)
  t.equal(docs.status, 200, 'the OpenAPI document')
  t.equal((await docs.json() as any).openapi?.slice(0, 2), '3.')
  const one = await fetch(`${address}/api/v1/services/personalausweis?postalCode=45964`)
  t.equal(one.status, 200, 'one service through a serializer generated at build')
  t.equal((await one.json() as any).id, 'personalausweis')
  const bad = await fetch(`${address}/api/v1/services?postalcode=45964`)
  t.equal(bad.status, 400, 'a validator generated at build refuses an undeclared parameter')
  child.kill('SIGTERM')
  const code = await new Promise((resolve) => child.on('exit', resolve))
  t.equal(code, 0, 'exits 0 on SIGTERM')
})

// The bundle's static import graph (what a start loads before main.ts decides
// anything) holds none of the packages a default start does not use: each is
// behind an import() that esbuild turned into a chunk of its own.
t.test('the bundled entry loads no optional package statically', async (t) => {
  const seen = new Set<string>()
  const bare = new Set<string>()
  const visit = async (file: string): Promise<void> => {
    if (seen.has(file)) return
    seen.add(file)
    const source = await readFile(join(REPO, 'dist', file), 'utf8')
    // static imports only: `import … from "x"` and `import "x"` at the start of a line
    for (const m of source.matchAll(/^import(?:[^'"();]*?from)?\s*["']([^"']+)["'];?$/gm)) {
      const spec = m[1]!
      if (spec.startsWith('./')) await visit(spec.slice(2))
      else bare.add(spec)
    }
  }
  await visit('main.js')
  // main imports the app once the compile cache is on: its chunk and what that imports statically load at every start too
  const chunks = (await readdir(join(REPO, 'dist'))).filter((name) => name.startsWith('main-chunk-'))
  const appChunk = await (async () => {
    for (const name of chunks) if ((await readFile(join(REPO, 'dist', name), 'utf8')).includes('async function buildApp(')) return name
    return undefined
  })()
  t.ok(appChunk, 'the app is in a chunk of the bundle')
  await visit(appChunk!)
  t.ok(seen.size > 2, `main.js and ${seen.size - 1} chunks load at start`)
  t.ok(bare.has('@fastify/swagger-ui'), 'the walk sees the app chunk\'s package imports')
  const optional = [...bare].filter((spec) => /^(ioredis|undici|@fastify\/http-proxy|@fastify\/reply-from|@opentelemetry\/|tldts|ajv)/.test(spec))
  t.same(optional, [], `static imports: ${[...bare].sort().join(', ')}`)
})
