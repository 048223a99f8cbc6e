// Cold start: ms from spawning `node dist/main.js` (real region, embedded
// store, a fresh data dir each time) to the first 200 on /ready, and the
// process RSS at that moment. Baseline in the same run, interleaved: a bare
// Fastify hello world spawned with `node -e`, to its first 200.
// Build first: npm run build (tsc plus scripts/after-build.mjs; without the
// generated validators the gateway compiles them at start). BENCH_COLD_STARTS
// sets the number of starts of each (default 5). The gateway's compile cache
// (Node >= 22) is on, in a fresh folder per run: the first start fills it,
// the others read it, as on a server that restarts.
import { randomBytes } from 'node:crypto'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ratio, freePort } from './lib/gateway.mjs'
import { printTable, quantile } from './lib/table.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const MAIN = join(ROOT, 'dist/main.js')
const HELLO = `
const app = require('fastify')({ logger: false })
app.get('/ready', async () => ({ status: 'ready' }))
app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
`
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))


/** Resident set size of a live process (Linux /proc), in MB. */
function rssMb(pid) {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1])
  return Math.round(kb / 1024)
}

/** Spawns `args`, polls /ready until 200; returns ms since spawn and RSS then. */
async function startOnce(args, env) {
  const port = await freePort()
  const started = performance.now()
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  // main logs readyMs (buildApp + listen) as JSON; the rest is Node start and imports
  let readyMs
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    out += chunk
    readyMs ??= Number(/"readyMs":(\d+)/.exec(out)?.[1]) || undefined
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ').slice(0, 60)} exited with ${child.exitCode}`)
      if (performance.now() - started > 30_000) throw new Error('not ready after 30 s')
      const ok = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.status === 200, () => false)
      if (ok) break
      await sleep(5)
    }
    const ms = performance.now() - started
    const rss = rssMb(child.pid)
    await sleep(20) // let the ready log line arrive
    return { ms, rssMb: rss, readyMs }
  } finally {
    child.kill('SIGKILL')
    await exited
  }
}

function summarise(label, samples) {
  const ms = samples.map((s) => s.ms)
  const rss = samples.map((s) => s.rssMb)
  const r = (x) => Math.round(x * 10) / 10
  const ready = samples.map((s) => s.readyMs).filter((x) => x !== undefined)
  return { label, p50: r(quantile(ms, 0.5)), p99: r(Math.max(...ms)), rssMb: quantile(rss, 0.5), readyP50: ready.length ? quantile(ready, 0.5) : undefined }
}

export async function run({ starts = Number(process.env.BENCH_COLD_STARTS ?? 5) } = {}) {
  const hello = []
  const gateway = []
  const compileCache = await mkdtemp(join(tmpdir(), 'dp-bench-compile-cache-'))
  try {
  for (let i = 0; i < starts; i++) {
    hello.push(await startOnce(['-e', HELLO], {}))
    const dataDir = await mkdtemp(join(tmpdir(), 'dp-bench-cold-'))
    try {
      // production requires a session key for /einblicke (env.ts): a fresh random one per start
      const env = { DATA_DIR: dataDir, LOG_LEVEL: 'info', NODE_ENV: 'production', COMPILE_CACHE: compileCache, SESSION_SECRET: randomBytes(48).toString('base64') }
      gateway.push(await startOnce([MAIN], env))
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  }
  } finally {
    await rm(compileCache, { recursive: true, force: true })
  }
  const base = summarise('node -e fastify hello world (baseline)', hello)
  const gw = summarise('node dist/main.js (real region, embedded store)', gateway)
  base.ratio = 1
  gw.ratio = ratio(gw.p50, base.p50)
  gw.note = [`RSS ${ratio(gw.rssMb, base.rssMb)}x of baseline`, gw.readyP50 !== undefined ? `of which buildApp+listen p50 ${gw.readyP50} ms (main's readyMs)` : undefined].filter(Boolean).join('; ')
  delete base.readyP50
  delete gw.readyP50
  // issue 18: under 1 s p50 and at most 3x the hello world of the same run
  const met = gw.p50 < 1000 && gw.ratio <= 3
  const targets = [{ name: 'cold start p50', target: '< 1 s and <= 3x hello world', value: `${Math.round(gw.p50)} ms, ${gw.ratio}x`, met }]
  return { name: `cold start (${starts} starts each, interleaved; spawn -> first 200 on /ready, ms; p99 = max; ratio of p50)`, rows: [base, gw], targets }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await run()
  printTable(result)
  for (const t of result.targets) console.log(`target ${t.name}: ${t.target}; ${t.value}; ${t.met ? 'met' : 'NOT met'}`)
}
