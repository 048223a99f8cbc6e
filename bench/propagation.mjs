// bench/propagation: three gateway processes on one redis-server, then on a
// Redis Cluster (3 masters + 3 replicas); 20 manifest updates PUT to
// instance 1; for each, the time from the PUT response until the change is
// served by BOTH other instances (target p99 < 500 ms). Baselines in the same
// run: the time until instance 1 itself serves it, and single node vs Cluster.
// Also: instance start-to-ready against Redis vs the embedded store.
// Run: npx tsc -p tsconfig.build.json && node bench/propagation.mjs
// (BENCH_UPDATES sets the number of updates, default 20).
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { printTable } from './lib/table.mjs'
import { freePort } from './lib/gateway.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const MAIN = process.env.DP_MAIN ?? join(ROOT, 'dist/main.js')
const SERVICE = 'gladbeck:bench-probe'
const TOKEN = 'bench-token-gladbeck'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
const round = (n) => Math.round(n * 10) / 10


async function startRedis(dir, args = []) {
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', dir, ...args], { stdio: 'ignore' })
  for (let i = 0; i < 400; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'ping']).stdout?.toString().startsWith('PONG')) break
    await sleep(25)
  }
  return { port, url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') }
}

async function startGateway(env) {
  const port = await freePort()
  const started = performance.now()
  const child = spawn(process.execPath, [MAIN], {
    // no rate limits or load shedding: they would cap or refuse the PUTs being timed
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', RATE_LIMIT: 'off', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`)
    if (await fetch(`${url}/ready`).then((r) => r.status === 200, () => false)) break
    await sleep(10)
  }
  return { url, readyMs: performance.now() - started, stop: () => child.kill('SIGKILL') }
}

async function writeRegion(dir) {
  await cp(join(ROOT, 'config'), join(dir, 'config'), { recursive: true })
  await cp(join(ROOT, 'members'), join(dir, 'members'), { recursive: true })
  const regionPath = join(dir, 'config/region.json')
  const region = JSON.parse(await readFile(regionPath, 'utf8'))
  region.members.find((m) => m.id === 'gladbeck').tokenSha256 = createHash('sha256').update(TOKEN).digest('hex')
  await writeFile(regionPath, JSON.stringify(region))
  return regionPath
}

async function served(gateway, name) {
  const res = await fetch(`${gateway.url}/api/v1/services/${encodeURIComponent(SERVICE)}`)
  if (res.status !== 200) return false
  const body = await res.json()
  return body.offerings?.[0]?.name === name
}

/** ms from `since` until every gateway serves `name` */
async function visible(gateways, name, since) {
  const pending = new Set(gateways)
  const deadline = since + 10_000
  while (pending.size > 0) {
    if (performance.now() > deadline) throw new Error(`update "${name}" not visible after 10 s`)
    for (const gateway of [...pending]) if (await served(gateway, name)) pending.delete(gateway)
    if (pending.size > 0) await sleep(2)
  }
  return performance.now() - since
}

async function put(gateway, doc, lifeSituation, name) {
  const body = {
    ...doc,
    updatedAt: new Date().toISOString(),
    services: [...doc.services, { id: 'bench-probe', name, summary: 'Benchmark.', audiences: ['residents'], lifeSituations: [lifeSituation] }],
  }
  const res = await fetch(`${gateway.url}/api/v1/admin/members/gladbeck/manifest`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
  })
  if (res.status !== 200) throw new Error(`PUT answered ${res.status}: ${await res.text()}`)
}

/** three gateways on one Redis setup (env); `updates` PUTs to the first */
async function measure(env, updates, stops) {
  const gateways = []
  for (let i = 0; i < 3; i++) {
    const gateway = await startGateway(env(i))
    stops.push(gateway.stop)
    gateways.push(gateway)
  }
  const [first, ...others] = gateways
  const doc = JSON.parse(await readFile(join(ROOT, 'members/gladbeck.json'), 'utf8'))
  const lifeSituation = doc.services[0].lifeSituations[0]
  const local = []
  const remote = []
  for (let i = 0; i < updates; i++) {
    const name = `Bench-Leistung ${i} ${Date.now()}`
    await put(first, doc, lifeSituation, name)
    const acknowledged = performance.now()
    const [own, spread] = await Promise.all([visible([first], name, acknowledged), visible(others, name, acknowledged)])
    local.push(own)
    remote.push(spread)
    await sleep(50)
  }
  for (const gateway of gateways) gateway.stop()
  return { local, remote, starts: gateways.map((g) => g.readyMs) }
}

/** three masters and three replicas joined with redis-cli --cluster create */
async function startCluster(dir) {
  const servers = []
  for (let i = 0; i < 6; i++) {
    const nodeDir = join(dir, `cluster-${i}`)
    await mkdir(nodeDir)
    servers.push(await startRedis(nodeDir, ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '3000']))
  }
  const nodes = servers.map((s) => `127.0.0.1:${s.port}`)
  const created = spawnSync('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'utf8' })
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`)
  for (const server of servers) {
    for (let i = 0; !spawnSync('redis-cli', ['-p', String(server.port), 'cluster', 'info']).stdout?.toString().includes('cluster_state:ok'); i++) {
      if (i > 400) throw new Error('cluster did not reach cluster_state:ok')
      await sleep(25)
    }
  }
  return { nodes: nodes.join(','), stop: () => servers.forEach((s) => s.stop()) }
}

export async function run({ durationSeconds: _unused, updates = Number(process.env.BENCH_UPDATES ?? 20) } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'dp-bench-prop-'))
  const stops = []
  try {
    const redis = await startRedis(dir)
    stops.push(redis.stop)
    const regionPath = await writeRegion(dir)
    const base = { REGION_CONFIG: regionPath }

    // start-to-ready: embedded store (baseline) vs Redis, one at a time, after
    // one discarded start (the first start pays for a cold file cache)
    const warmUp = await startGateway({ ...base, DATA_DIR: join(dir, 'data-warm-up') })
    warmUp.stop()
    const embedded = await startGateway({ ...base, DATA_DIR: join(dir, 'data-embedded') })
    embedded.stop()

    const single = await measure((i) => ({ ...base, REDIS_URL: redis.url, DATA_DIR: join(dir, `data-${i}`) }), updates, stops)
    const cluster = await startCluster(dir)
    stops.push(cluster.stop)
    const clustered = await measure(
      (i) => ({ ...base, REDIS_CLUSTER_NODES: cluster.nodes, REDIS_PREFIX: '{dachportal}:', DATA_DIR: join(dir, `data-cluster-${i}`) }),
      updates, stops,
    )

    const stats = (values) => {
      const sorted = [...values].sort((a, b) => a - b)
      return { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)) }
    }
    const target = (s) => (s.p99 < 500 ? 'p99 < 500 ms: target met' : 'p99 >= 500 ms: TARGET MISSED')
    const own = stats(single.local)
    const spread = stats(single.remote)
    const clusterOwn = stats(clustered.local)
    const clusterSpread = stats(clustered.remote)
    const starts = stats(single.starts)
    const clusterStarts = stats(clustered.starts)
    return {
      name: 'propagation (3 gateway processes on one redis-server, then on a 3+3 Redis Cluster; ms)',
      rows: [
        { label: 'single node: visible on the PUT instance itself (baseline)', ...own, note: `${updates} updates` },
        { label: 'single node: visible on both other instances', ...spread, ratio: round(spread.p50 / Math.max(own.p50, 0.1)), note: target(spread) },
        { label: 'cluster: visible on the PUT instance itself', ...clusterOwn, ratio: round(clusterOwn.p50 / Math.max(own.p50, 0.1)), note: 'ratio vs single node, same instance' },
        { label: 'cluster: visible on both other instances', ...clusterSpread, ratio: round(clusterSpread.p50 / Math.max(spread.p50, 0.1)), note: `ratio vs single node; ${target(clusterSpread)}` },
        { label: 'start-to-ready, embedded store (baseline)', p50: round(embedded.readyMs), p99: round(embedded.readyMs) },
        { label: 'start-to-ready against Redis (3 instances)', ...starts, ratio: round(starts.p50 / embedded.readyMs) },
        { label: 'start-to-ready against the Cluster (3 instances)', ...clusterStarts, ratio: round(clusterStarts.p50 / embedded.readyMs) },
      ],
    }
  } finally {
    for (const stop of stops.reverse()) stop()
    await sleep(100)
    await rm(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printTable(await run())
}
