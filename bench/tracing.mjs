// Tracing overhead, one run: two `node dist/main.js` gateways on the real
// region (rate limits off, log level warn), one with OTEL_EXPORTER_OTLP_ENDPOINT
// set (exporting every span to an OTLP/HTTP collector stub on 127.0.0.1 in
// this process), one without. Interleaved autocannon runs over a mix of
// /cities/gladbeck/* (proxied to a loopback upstream, traceparent injected),
// /api/v1/search and /api/v1/suggest (fresh query strings, so the search runs).
// Two ratios: rps (on/off), and CPU time per request (off/on, from
// /proc/<pid>/stat), which a busy shared machine disturbs far less than rps.
// Also: time to first 200 on /ready (import cost of the SDK when on) and peak
// RSS (VmHWM) of each gateway after the load (the Kubernetes memory request
// and limit in deploy/kubernetes/base/deployment.yaml come from it).
// Build first: npx tsc -p tsconfig.build.json. BENCH_DURATION shortens runs.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { freePort, ratio } from './lib/gateway.mjs'
import { durationFromEnv } from './lib/autocannon.mjs'
import { quantile } from './lib/table.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const MEMBER = 'gladbeck'
const BODY = JSON.stringify({ member: 'bench', items: Array.from({ length: 12 }, (_, i) => ({ id: i, name: `Leistung ${i}` })) })
const WORDS = ['personalausweis', 'reisepass', 'wohngeld', 'hund', 'anmeldung', 'baugenehmigung', 'kita', 'parkausweis', 'führerschein', 'gewerbe']
const ROUNDS = 3
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)))
}

/** kB lines of /proc/<pid>/status, in MB */
function memMb(pid, field) {
  return Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024)
}

/** A copy of config/ and members/ with the bench member proxied to `upstream`. */
async function region(upstream) {
  const dir = await mkdtemp(join(tmpdir(), 'dp-bench-tracing-'))
  await cp(join(ROOT, 'config'), join(dir, 'config'), { recursive: true })
  await cp(join(ROOT, 'members'), join(dir, 'members'), { recursive: true })
  const path = join(dir, 'config', 'region.json')
  const config = JSON.parse(await readFile(path, 'utf8'))
  Object.assign(config.members.find((m) => m.id === MEMBER), { upstream, allowPrivateNetwork: true })
  await writeFile(path, JSON.stringify(config))
  return dir
}

async function startGateway(dir, env) {
  const port = await freePort()
  const started = performance.now()
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), REGION_CONFIG: join(dir, 'config', 'region.json'), DATA_DIR: join(dir, `data-${port}`), RATE_LIMIT: 'off', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`)
    if (performance.now() - started > 60_000) throw new Error('not ready after 60 s')
    if (await fetch(`${url}/ready`).then((r) => r.status === 200, () => false)) break
    await sleep(5)
  }
  const readyMs = performance.now() - started
  const exited = new Promise((resolve) => child.once('exit', resolve))
  return { url, pid: child.pid, readyMs, stop: () => (child.kill('SIGINT'), exited) }
}

/** user + system CPU seconds a process has used so far */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in clock ticks (USER_HZ 100)
}

async function measured(gw, durationSeconds) {
  const before = cpuSeconds(gw.pid)
  const result = await load(gw.url, durationSeconds)
  return { ...result, cpuMsPerRequest: ((cpuSeconds(gw.pid) - before) * 1000) / Math.max(1, result.total) }
}

async function load(url, durationSeconds) {
  let i = 0
  const paths = (n) => {
    const word = WORDS[n % WORDS.length]
    switch (n % 4) {
      case 0: return `/cities/${MEMBER}/formulare/${n}?schritt=2`
      case 1: return `/cities/${MEMBER}/a`
      case 2: return `/api/v1/search?q=${encodeURIComponent(word)}&page=${1 + (n % 3)}`
      default: return `/api/v1/suggest?q=${encodeURIComponent(word.slice(0, 3 + (n % 4)))}`
    }
  }
  const result = await autocannon({
    url,
    connections: 50,
    duration: durationSeconds,
    requests: [{ setupRequest: (req) => ({ ...req, path: paths(i++) }) }],
  })
  return { rps: result.requests.average, total: result.requests.total, p50: result.latency.p50, p99: result.latency.p99, failed: result.errors + result.timeouts + result.non2xx }
}

export async function run({ durationSeconds = durationFromEnv() } = {}) {
  const upstream = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) })
      res.end(BODY)
    })
  })
  upstream.keepAliveTimeout = 60_000
  let spans = 0
  let sawTraceparent = false
  upstream.on('request', (req) => { if (req.headers.traceparent) sawTraceparent = true })
  const collector = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      spans += (Buffer.concat(chunks).toString().match(/"spanId"/g) ?? []).length
      res.end('{}')
    })
  })
  const upstreamUrl = await listen(upstream)
  const collectorUrl = await listen(collector)
  const dir = await region(upstreamUrl)
  const starts = { off: [], on: [] }
  const runs = { off: [], on: [] }
  const rss = { off: 0, on: 0 }
  try {
    // cold start, interleaved
    for (let n = 0; n < 3; n++) {
      for (const mode of ['off', 'on']) {
        const gw = await startGateway(dir, mode === 'on' ? { OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl } : {})
        starts[mode].push(gw.readyMs)
        await gw.stop()
      }
    }
    const off = await startGateway(dir, {})
    const on = await startGateway(dir, { OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl })
    try {
      await load(off.url, 2) // warm-up both (JIT, search caches stay empty: fresh pages)
      await load(on.url, 2)
      for (let round = 0; round < ROUNDS; round++) {
        runs.off.push(await measured(off, durationSeconds))
        runs.on.push(await measured(on, durationSeconds))
      }
      rss.off = memMb(off.pid, 'VmHWM')
      rss.on = memMb(on.pid, 'VmHWM')
    } finally {
      await off.stop()
      await on.stop()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
    upstream.close()
    collector.close()
  }
  const mean = (xs, key) => xs.reduce((sum, x) => sum + x[key], 0) / xs.length
  const row = (mode) => ({
    label: `tracing ${mode}`,
    rps: Math.round(mean(runs[mode], 'rps')),
    p50: mean(runs[mode], 'p50'),
    p99: mean(runs[mode], 'p99'),
    rssMb: rss[mode],
    note: `ready p50 ${Math.round(quantile([...starts[mode]], 0.5))} ms${runs[mode].some((r) => r.failed) ? `; ${runs[mode].reduce((s, r) => s + r.failed, 0)} failed` : ''}`,
  })
  const offRow = row('off')
  const cpu = (mode) => mean(runs[mode], 'cpuMsPerRequest')
  offRow.note += `; ${cpu('off').toFixed(3)} CPU ms/request`
  const onRow = { ...row('on'), ratio: ratio(mean(runs.on, 'rps'), mean(runs.off, 'rps')) }
  onRow.note += `; ${cpu('on').toFixed(3)} CPU ms/request (cost ratio off/on ${ratio(cpu('off'), cpu('on'))})`
  onRow.note += `; ${spans} spans exported${sawTraceparent ? ', upstream saw traceparent' : ', upstream saw NO traceparent'}`
  return {
    name: `tracing overhead (OTLP to a loopback collector stub; proxy/search/suggest mix, 50 connections, ${ROUNDS} x ${durationSeconds} s interleaved; rssMb = peak RSS after load; ratio = on/off rps)`,
    rows: [offRow, onRow],
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { printTable } = await import('./lib/table.mjs')
  printTable(await run())
  process.exit(0)
}
