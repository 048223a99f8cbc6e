// The ops plugin on a real buildApp(): metrics names and labels, request ids,
// rate limits (429 problem+json with Retry-After, per budget), load shedding
// (503 problem+json), hardening headers, CORS, no stack traces in production.
import t, * as Tap from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { readSettings, type Settings } from '../../src/config/env.js'

type Test = Tap.Test

async function opsApp(t: Test, env: Record<string, string> = {}, extra: Partial<Settings> = {}): Promise<FastifyInstance> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-ops-'))
  // no load shedding by event-loop delay unless a test asks: a loaded CI machine would answer 503
  const settings: Settings = { ...readSettings({ PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', ...env }), dataDir, ...extra }
  const app = await buildApp({ settings })
  t.teardown(async () => {
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  })
  return app
}

t.test('metrics: names, route-pattern labels, no raw URLs', async (t) => {
  const app = await opsApp(t)
  // two members to make the label bounded check meaningful
  app.get('/api/v1/test/boom', async () => {
    throw new Error('boom')
  })
  await app.ready()
  await app.inject('/api/v1/members/gladbeck?x=Erika')
  await app.inject('/api/v1/members/marl')
  await app.inject('/does/not/exist?secret=1')
  app.metrics.observeUpstream('gladbeck', 200, 0.05)
  app.metrics.observeUpstream('evil.example', 502, 0.5)
  app.metrics.upstreamError('gladbeck', 'timeout')
  app.metrics.upstreamError('gladbeck', 'Some Free Text')
  app.metrics.setBreakerState('gladbeck', 'open')
  app.metrics.observeRefresh('marl', 'failed')
  app.metrics.observeSearch('suggest', 0.002)
  app.metrics.observeIndexBuild(0.3)

  const res = await app.inject('/metrics')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  const body = res.body
  for (const name of [
    'dachportal_http_request_duration_seconds_bucket', 'dachportal_upstream_requests_total', 'dachportal_upstream_errors_total',
    'dachportal_upstream_duration_seconds_bucket', 'dachportal_breaker_state', 'dachportal_catalog_version', 'dachportal_members',
    'dachportal_store_up', 'dachportal_refresh_total', 'dachportal_search_duration_seconds_bucket',
    'dachportal_index_build_duration_seconds_bucket', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_seconds',
  ]) t.match(body, new RegExp(`^${name}[ {]`, 'm'), name)
  // strict query parameters: the request with ?x= is a 400, under the same route pattern
  t.match(body, /dachportal_http_request_duration_seconds_count\{route="\/api\/v1\/members\/:id",method="GET",status="200"\} 1/)
  t.match(body, /dachportal_http_request_duration_seconds_count\{route="\/api\/v1\/members\/:id",method="GET",status="400"\} 1/)
  t.match(body, /route="<unmatched>",method="GET",status="404"/)
  t.notMatch(body, /gladbeck\?|Erika|secret|does\/not/, 'no raw URLs or query strings')
  t.match(body, /dachportal_upstream_requests_total\{member="gladbeck",status_class="2xx"\} 1/)
  t.match(body, /dachportal_upstream_requests_total\{member="<unknown>",status_class="5xx"\} 1/, 'unknown members share one label')
  t.match(body, /dachportal_upstream_errors_total\{member="gladbeck",kind="other"\} 1/)
  t.match(body, /dachportal_breaker_state\{member="gladbeck"\} 2/)
  t.match(body, /dachportal_refresh_total\{member="marl",outcome="failed"\} 1/)
  t.match(body, new RegExp(`dachportal_catalog_version ${app.live.current.version}`))
  t.match(body, /dachportal_members\{status="ok"\} \d+/)
  t.match(body, /dachportal_store_up\{kind="memory"\} 1/)
})

t.test('metrics token: /metrics needs the bearer token when configured', async (t) => {
  const app = await opsApp(t, { METRICS_TOKEN: 's3cret-metrics' })
  t.equal((await app.inject('/metrics')).statusCode, 401)
  t.equal((await app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode, 401)
  t.equal((await app.inject({ url: '/metrics', headers: { authorization: 'Bearer s3cret-metrics' } })).statusCode, 200)
})

t.test('request id: sane incoming X-Request-Id is kept, anything else replaced', async (t) => {
  const app = await opsApp(t)
  const kept = await app.inject({ url: '/health', headers: { 'x-request-id': 'lb-abc_123' } })
  t.equal(kept.headers['x-request-id'], 'lb-abc_123')
  const replaced = await app.inject({ url: '/health', headers: { 'x-request-id': 'evil\nid with spaces' } })
  t.match(replaced.headers['x-request-id'], /^[0-9a-f-]{36}$/)
  const long = await app.inject({ url: '/health', headers: { 'x-request-id': 'a'.repeat(65) } })
  t.not(long.headers['x-request-id'], 'a'.repeat(65))
})

t.test('rate limit: 429 problem+json with Retry-After; budgets are separate', async (t) => {
  const app = await opsApp(t, { RATE_LIMIT_API: '3', RATE_LIMIT_ADMIN: '2', RATE_LIMIT_WINDOW_MS: '60000' })
  for (let i = 0; i < 3; i++) t.equal((await app.inject('/api/v1/region')).statusCode, 200)
  const limited = await app.inject('/api/v1/region')
  t.equal(limited.statusCode, 429)
  t.match(limited.headers['content-type'], /^application\/problem\+json/)
  t.match(Number(limited.headers['retry-after']), Number)
  t.ok(Number(limited.headers['retry-after']) > 0)
  t.match(limited.json(), { status: 429, title: 'Zu viele Anfragen', type: 'urn:dachportal:problem:rate-limited', instance: '/api/v1/region' })
  // 404 probes spend the API budget too
  t.equal((await app.inject('/api/v1/nope')).statusCode, 429)
  // admin has its own budget, untouched by the API traffic
  const admin = await app.inject({ method: 'GET', url: '/api/v1/admin/members/gladbeck/manifest' })
  t.not(admin.statusCode, 429)
  // ops endpoints are never limited
  for (let i = 0; i < 5; i++) t.equal((await app.inject('/health')).statusCode, 200)
  t.equal((await app.inject('/ready')).statusCode, 200)
  // another client (IP) has its own budget
  t.equal((await app.inject({ url: '/api/v1/region', remoteAddress: '192.0.2.7' })).statusCode, 200)
})

t.test('RATE_LIMIT=off: no limits, and a warning at start', async (t) => {
  const app = await opsApp(t, { RATE_LIMIT: 'off', RATE_LIMIT_API: '1' })
  for (let i = 0; i < 5; i++) t.equal((await app.inject('/api/v1/region')).statusCode, 200)
})

t.test('under pressure: 503 problem+json with Retry-After; /health still answers', async (t) => {
  // any heap is above 1 byte: pressure as soon as the first sample is taken
  const app = await opsApp(t, { PRESSURE_MAX_HEAP_BYTES: '1', PRESSURE_RETRY_AFTER: '7' })
  await app.ready()
  while (!app.isUnderPressure()) await new Promise((resolve) => setTimeout(resolve, 5))
  const res = await app.inject('/api/v1/region')
  t.equal(res.statusCode, 503)
  t.equal(res.headers['retry-after'], '7')
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.match(res.json(), { status: 503, type: 'urn:dachportal:problem:overloaded' })
  t.equal((await app.inject('/health')).statusCode, 200)
})

t.test('hardening: strict CSP, relaxed on /docs, no x-powered-by', async (t) => {
  const app = await opsApp(t)
  const res = await app.inject('/api/v1/region')
  const csp = String(res.headers['content-security-policy'])
  for (const directive of [
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "object-src 'none'",
    "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
  ]) t.ok(csp.split(';').map((d) => d.trim()).includes(directive), directive)
  t.notMatch(csp, /unsafe/)
  t.equal(res.headers['x-powered-by'], undefined)
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.equal(res.headers['x-frame-options'], 'DENY')
  const docs = await app.inject('/docs/static/index.html')
  t.match(String(docs.headers['content-security-policy']), /style-src 'self' 'unsafe-inline'/)
  t.notMatch(String(docs.headers['content-security-policy']), /script-src[^;]*unsafe/)
})

t.test('CORS: only configured origins', async (t) => {
  const none = await opsApp(t)
  const noCors = await none.inject({ url: '/api/v1/region', headers: { origin: 'https://evil.example' } })
  t.equal(noCors.headers['access-control-allow-origin'], undefined)

  const app = await opsApp(t, { CORS_ORIGINS: 'https://www.gladbeck.de,https://portal.example.org' })
  const ok = await app.inject({ url: '/api/v1/region', headers: { origin: 'https://www.gladbeck.de' } })
  t.equal(ok.headers['access-control-allow-origin'], 'https://www.gladbeck.de')
  const other = await app.inject({ url: '/api/v1/region', headers: { origin: 'https://evil.example' } })
  t.equal(other.headers['access-control-allow-origin'], undefined)
})

t.test('production: 5xx answers carry no stack trace or internal message', async (t) => {
  for (const production of [true, false]) {
    const app = await opsApp(t, {}, { production, sessionSecret: 's'.repeat(48) }) // production needs the /einblicke key
    app.get('/api/v1/test/boom', async () => {
      throw new Error('secret internal detail at /srv/app/x.js:12')
    })
    const res = await app.inject('/api/v1/test/boom')
    t.equal(res.statusCode, 500)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.notMatch(res.body, /secret internal detail|x\.js:12|at /, `production=${production}: generic detail`)
  }
})
