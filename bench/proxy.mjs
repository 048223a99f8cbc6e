// Reverse proxy overhead, one run, 50 connections, same loopback upstream:
// (a) the upstream directly, (b) a minimal Node proxy (http server + undici
// Pool, no checks: the ceiling for any Node proxy here), (c) the gateway's
// /cities/<member>/ (the full buildApp, logger and rate limits off), (c0)
// proxyPlugin alone on a bare Fastify (attribution), (c1) a bare Fastify route
// forwarding through an undici Pool with no checks (the ceiling for any
// Fastify-based proxy), (d) nginx if present.
// Target (issue 18): (c) >= 0.8x the rps of (b) and p99 <= 1.3x of (b).
// CPU profile of one of them: bench/proxy-profile.mjs.
// Upstream and each proxy run in their own process; autocannon in this one.
// Build first: npx tsc -p tsconfig.build.json. BENCH_DURATION shortens runs.
import { fork, spawn } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { durationFromEnv, load } from './lib/autocannon.mjs'
import { printTable } from './lib/table.mjs'
import { freePort } from './lib/ports.mjs'

const NGINX = '/usr/sbin/nginx'
const BODY = JSON.stringify({ member: 'bench', items: Array.from({ length: 12 }, (_, i) => ({ id: i, name: `Leistung ${i}` })) })
const MEMBER = 'gladbeck'
const PATHS = ['/a', '/services/1?x=1', '/forms/antrag/schritt-2', '/static/app.css']

// ---- child roles -------------------------------------------------------
async function upstreamRole() {
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) })
      res.end(BODY)
    })
  })
  server.keepAliveTimeout = 60_000
  return listen(server)
}

async function minimalRole(upstream) {
  const { Pool } = await import('undici')
  const pool = new Pool(upstream, { connections: 64, pipelining: 1 })
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers }
    delete headers.connection
    delete headers.host
    pool.request({ path: req.url, method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? null : req }, (err, up) => {
      if (err) {
        res.statusCode = 502
        res.end()
        return
      }
      const out = { ...up.headers }
      delete out.connection
      delete out['keep-alive']
      delete out['transfer-encoding']
      res.writeHead(up.statusCode, out)
      up.body.pipe(res)
    })
  })
  server.keepAliveTimeout = 60_000
  return listen(server)
}

// The fully wired gateway (buildApp: ops hooks, metrics, helmet, breaker,
// cookie scoping; rate limits off), with member "gladbeck" proxied to the
// loopback upstream. A throwaway data dir; removed when the process exits.
async function gatewayRole(upstream) {
  const { loadRegionData } = await import('../dist/config/load.js')
  const { listenGateway } = await import('./lib/gateway.mjs')
  const data = await loadRegionData(fileURLToPath(new URL('../config/region.json', import.meta.url)))
  const member = data.region.members.find((m) => m.id === MEMBER)
  // the path form on the gateway's origin, as measured before member origins existed
  Object.assign(member, { upstream, allowPrivateNetwork: true, sameOriginTrusted: true })
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-bench-proxy-'))
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }))
  const gateway = await listenGateway({ regionData: data, dataDir })
  gateway.app.server.keepAliveTimeout = 60_000
  return gateway.app.server.address().port
}

// Attribution only: what Fastify itself costs a proxy. The same forwarding as
// (b) in a Fastify route (request/reply objects, routing, hooks runner,
// reply.send of the upstream stream); no checks, no plugin.
async function fastifyRole(upstream) {
  const { default: Fastify } = await import('fastify')
  const { Pool } = await import('undici')
  const pool = new Pool(upstream, { connections: 64, pipelining: 1 })
  const app = Fastify({ logger: false })
  const prefix = `/cities/${MEMBER}`
  app.get(`${prefix}/*`, (request, reply) => {
    const headers = { ...request.headers }
    delete headers.connection
    delete headers.host
    pool.request({ path: request.raw.url.slice(prefix.length), method: request.method, headers }, (err, up) => {
      if (err) {
        reply.code(502).send()
        return
      }
      delete up.headers.connection
      delete up.headers['keep-alive']
      delete up.headers['transfer-encoding']
      reply.code(up.statusCode).headers(up.headers).send(up.body)
    })
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  app.server.keepAliveTimeout = 60_000
  return app.server.address().port
}

// Attribution only: proxyPlugin alone on a bare Fastify (no ops hooks,
// metrics, helmet, other routes). (c) minus this is the cost of the wiring.
async function pluginRole(upstream) {
  const { default: Fastify } = await import('fastify')
  const { proxyPlugin } = await import('../dist/proxy/index.js')
  const app = Fastify({ logger: false })
  const member = {
    id: MEMBER, name: 'Bench', level: 'stadt', ars: '055620000000', parent: null, postalCodes: [],
    manifest: 'bench.json', allowedHosts: ['example.org'], upstream, allowPrivateNetwork: true, sameOriginTrusted: true,
  }
  await app.register(proxyPlugin, { members: [member], contactFor: () => ({ name: 'Bench' }) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  app.server.keepAliveTimeout = 60_000
  return app.server.address().port
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)))
}

// ---- orchestration -----------------------------------------------------
function startRole(role, arg) {
  const child = fork(fileURLToPath(import.meta.url), ['--role', role, arg ?? ''], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    const exited = new Promise((done) => child.once('exit', done))
    child.once('message', (port) => resolve({ port, stop: () => (child.kill(), exited) }))
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)))
  })
}

async function startNginx(upstreamPort) {
  const dir = await mkdtemp(join(tmpdir(), 'dp-nginx-'))
  const port = await freePort()
  // One worker, like the single-threaded Node proxies; upstream keep-alive on.
  const conf = `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log error;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream member { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location /cities/${MEMBER}/ {
      proxy_pass http://member/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $remote_addr;
    }
  }
}
`
  await writeFile(join(dir, 'nginx.conf'), conf)
  const child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'inherit' })
  await waitForPort(port)
  return {
    port,
    stop: async () => {
      child.kill('SIGTERM')
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve()))
      await rm(dir, { recursive: true, force: true })
    },
  }
}

async function waitForPort(port) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true) })
      s.on('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`nothing listens on ${port}`)
}

const ratio = (a, b) => Math.round((a / b) * 100) / 100

// Measures every target in interleaved rounds after a warm-up, so JIT warm-up
// and drift on a busy 2-core machine hit all targets alike.
async function measure(targets, durationSeconds, rounds = 2) {
  const slice = Math.max(1, Math.round(durationSeconds / rounds))
  for (const t of targets) await load({ url: t.url, paths: t.paths, durationSeconds: Math.min(2, slice), label: 'warm-up' })
  const samples = new Map(targets.map((t) => [t.label, []]))
  for (let r = 0; r < rounds; r++) {
    for (const t of targets) samples.get(t.label).push(await load({ url: t.url, paths: t.paths, durationSeconds: slice, label: t.label }))
  }
  return targets.map((t) => {
    const s = samples.get(t.label)
    const mean = (k) => Math.round((s.reduce((a, x) => a + x[k], 0) / s.length) * 100) / 100
    const notes = s.map((x) => x.note).filter(Boolean)
    return { label: t.label, rps: Math.round(mean('rps')), p50: mean('p50'), p99: mean('p99'), ...(notes.length ? { note: notes.join('; ') } : {}) }
  })
}

export async function run({ durationSeconds = durationFromEnv() } = {}) {
  const stops = []
  try {
    const upstream = await startRole('upstream')
    stops.push(upstream.stop)
    const upstreamUrl = `http://127.0.0.1:${upstream.port}`
    const minimal = await startRole('minimal', upstreamUrl)
    stops.push(minimal.stop)
    const gateway = await startRole('gateway', upstreamUrl)
    stops.push(gateway.stop)
    const plugin = await startRole('plugin', upstreamUrl)
    stops.push(plugin.stop)
    const fastify = await startRole('fastify', upstreamUrl)
    stops.push(fastify.stop)
    const member = PATHS.map((p) => `/cities/${MEMBER}${p}`)
    const targets = [
      { label: '(a) upstream direct', url: upstreamUrl, paths: PATHS },
      { label: '(b) minimal Node proxy (http + undici Pool)', url: `http://127.0.0.1:${minimal.port}`, paths: PATHS },
      { label: `(c) gateway (buildApp) /cities/${MEMBER}/`, url: `http://127.0.0.1:${gateway.port}`, paths: member },
      { label: '(c0) proxyPlugin alone on bare Fastify', url: `http://127.0.0.1:${plugin.port}`, paths: member },
      { label: '(c1) bare Fastify route + undici Pool, no checks', url: `http://127.0.0.1:${fastify.port}`, paths: member },
    ]
    if (existsSync(NGINX)) {
      const nginx = await startNginx(upstream.port)
      stops.push(nginx.stop)
      targets.push({ label: '(d) nginx-light, 1 worker', url: `http://127.0.0.1:${nginx.port}`, paths: member })
    }
    const rows = await measure(targets, durationSeconds)
    const [direct, base, gw, alone, bare, ng] = rows
    base.ratio = 1
    base.note = [base.note, `${ratio(base.rps, direct.rps)}x of direct`].filter(Boolean).join('; ')
    gw.ratio = ratio(gw.rps, base.rps)
    const p99x = ratio(gw.p99, base.p99)
    gw.note = [gw.note, `p99 ${p99x}x of (b); target >= 0.8x rps, <= 1.3x p99`].filter(Boolean).join('; ')
    alone.ratio = ratio(alone.rps, base.rps)
    alone.note = [alone.note, `p99 ${ratio(alone.p99, base.p99)}x of (b); gateway = ${ratio(gw.rps, alone.rps)}x of this`].filter(Boolean).join('; ')
    bare.ratio = ratio(bare.rps, base.rps)
    bare.note = [bare.note, `p99 ${ratio(bare.p99, base.p99)}x of (b); proxyPlugin = ${ratio(alone.rps, bare.rps)}x of this`].filter(Boolean).join('; ')
    if (ng) {
      ng.ratio = ratio(ng.rps, base.rps)
      ng.note = [ng.note, `p99 ${ratio(ng.p99, base.p99)}x of (b); gateway = ${ratio(gw.rps, ng.rps)}x nginx`].filter(Boolean).join('; ')
    }
    const goals = [{
      name: 'proxy',
      target: '≥ 0.8x rps and p99 ≤ 1.3x of a minimal Node proxy',
      value: `${gw.ratio}x rps, p99 ${p99x}x`,
      met: gw.ratio >= 0.8 && p99x <= 1.3,
    }]
    return { name: 'proxy (50 connections; ratio = rps / (b); mean of 2 interleaved rounds)', rows, targets: goals }
  } finally {
    for (const stop of stops.reverse()) await stop()
  }
}

const roleIndex = process.argv.indexOf('--role')
if (roleIndex !== -1) {
  const role = process.argv[roleIndex + 1]
  const arg = process.argv[roleIndex + 2]
  const roles = { upstream: upstreamRole, minimal: minimalRole, gateway: gatewayRole, plugin: pluginRole, fastify: fastifyRole }
  const port = await roles[role](arg)
  process.send(port)
  process.on('disconnect', () => process.exit(0))
  process.on('SIGTERM', () => process.exit(0)) // runs 'exit' handlers (temp dir cleanup)
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await run()
  printTable(result)
  for (const t of result.targets) console.log(`target ${t.name}: ${t.target}: ${t.value} (${t.met ? 'met' : 'not met'})`)
}
