// OpenTelemetry end to end, with real parts only: the gateway exports spans
// over OTLP/HTTP to a collector stub on 127.0.0.1, proxies to an upstream on
// 127.0.0.1 and fetches a remote manifest from another. A /cities/<member>/
// request yields the gateway span with its route, the upstream receives the
// gateway's traceparent (same trace id, not the client's), no query string
// reaches any span, search/store/refresh spans exist, logs carry trace_id.
import t from 'tap'
import { Writable } from 'node:stream'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { buildApp } from '../../src/app.js'
import { readSettings } from '../../src/config/env.js'
import { loadRegionData } from '../../src/config/load.js'
import { loggerOptions } from '../../src/ops/logging.js'
import { startTracing, stopTracing, traceLogFields, tracing } from '../../src/telemetry/index.js'
import { startCollector, type CollectedSpan } from '../helpers/otlp-collector.js'
import { startEcho } from '../helpers/upstream.js'
import { REPO } from '../helpers/region.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'

const CLIENT_TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'

t.test('settings: tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set', async (t) => {
  t.equal(readSettings({}).tracing, undefined)
  t.same(readSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).tracing, { endpoint: 'http://127.0.0.1:4318', serviceName: 'dachportal' })
  t.equal(readSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SERVICE_NAME: 'gw' }).tracing?.serviceName, 'gw')
  t.throws(() => readSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }), /OTEL_EXPORTER_OTLP_ENDPOINT/)
  t.throws(() => readSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/?token=x' }), /without query/)
})

t.test('cold start: nothing outside src/telemetry/sdk.ts imports @opentelemetry at load time', async (t) => {
  const files: string[] = []
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) await walk(path)
      else if (entry.name.endsWith('.ts')) files.push(path)
    }
  }
  await walk(join(REPO, 'src'))
  for (const file of files) {
    if (file.endsWith(join('telemetry', 'sdk.ts'))) continue
    const source = await readFile(file, 'utf8')
    t.notMatch(source, /^import (?!type )[^\n]*from '@opentelemetry\//m, `${file.slice(REPO.length + 1)}: no value import of @opentelemetry`)
    t.notMatch(source, /^import (?!type )[^\n]*from '\.\/sdk\.js'/m, `${file.slice(REPO.length + 1)}: sdk.js only by dynamic import`)
  }
  t.equal(tracing(), undefined, 'not started by importing the app')
  t.same(traceLogFields(), {}, 'no log fields when off')
})

t.test('a proxied request is one trace from the gateway to the member upstream', async (t) => {
  const collector = await startCollector()
  t.teardown(collector.close)
  const upstream = await startEcho('testcity')
  t.teardown(upstream.close)
  // a remote manifest that is not there: the refresh runs (and fails) in a span
  const manifestHost = await startEcho('manifests', (_req, res) => {
    res.statusCode = 404
    res.end()
    return true
  })
  t.teardown(manifestHost.close)

  const tracer = await startTracing({ endpoint: collector.url, serviceName: 'dachportal-test' })
  t.teardown(stopTracing)

  const lines: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean))
      done()
    },
  })
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-otel-'))
  const regionData = await loadRegionData(join(REPO, 'config', 'region.json'))
  regionData.region.members.push({
    id: 'testcity', name: 'Teststadt', level: 'stadt', ars: '055620000000', parent: null, postalCodes: [],
    manifest: 'members/testcity.json', allowedHosts: ['127.0.0.1'], upstream: upstream.url, allowPrivateNetwork: true, sameOriginTrusted: true,
  }, {
    id: 'remotecity', name: 'Fernstadt', level: 'stadt', ars: '055620000001', parent: null, postalCodes: [],
    manifest: `${manifestHost.url}/manifest.json`, allowedHosts: ['127.0.0.1'], allowPrivateNetwork: true,
  })
  const app = await buildApp({
    settings: { ...readSettings({}), dataDir, pressure: NO_LOAD_SHEDDING },
    regionData,
    logger: loggerOptions({ level: 'info', production: true, stream, mixin: traceLogFields }),
  })
  t.teardown(async () => {
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`

  const proxied = await fetch(`${base}/cities/testcity/antrag/status?Aktenzeichen=AZ-4711`, { headers: { traceparent: CLIENT_TRACEPARENT, tracestate: 'client=1' } })
  t.equal(proxied.status, 200, 'proxied')
  const proxiedId = proxied.headers.get('x-request-id')
  await proxied.arrayBuffer()
  const search = await fetch(`${base}/api/v1/search?q=Erika%20Mustermann`)
  t.equal(search.status, 200, 'searched')
  await search.arrayBuffer()

  const wanted = (s: CollectedSpan) => s.name === 'manifest.refresh' && s.attributes['dachportal.member'] === 'remotecity'
  for (let i = 0; i < 100 && !collector.spans.some(wanted); i++) {
    await tracer.flush()
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await tracer.flush()
  const spans = collector.spans

  // the gateway span of the proxied request
  const gateway = spans.find((s) => s.name === 'GET /cities/testcity/*')
  t.ok(gateway, 'a span named after the route', { names: spans.map((s) => s.name) })
  if (!gateway) return
  t.equal(gateway.kind, 2, 'SERVER span')
  t.equal(gateway.attributes['http.route'], '/cities/testcity/*')
  t.equal(gateway.attributes['http.response.status_code'], 200)
  t.equal(gateway.parentSpanId, undefined, 'a new trace: the client\'s traceparent is not trusted')
  t.not(gateway.traceId, CLIENT_TRACEPARENT.split('-')[1])

  // the upstream got the gateway's context, not the client's
  t.equal(upstream.seen.length, 1)
  const sent = upstream.seen[0]!.headers
  const [version, traceId, parentId, flags] = String(sent.traceparent).split('-')
  t.equal(version, '00')
  t.equal(traceId, gateway.traceId, 'upstream traceparent carries the gateway span\'s trace id')
  t.equal(flags, '01', 'sampled')
  t.equal(sent.tracestate, undefined, 'the client\'s tracestate is not forwarded')
  const hop = spans.find((s) => s.spanId === parentId)
  t.ok(hop, 'the upstream\'s parent span was exported')
  t.equal(hop?.name, 'proxy testcity')
  t.equal(hop?.kind, 3, 'CLIENT span')
  t.equal(hop?.parentSpanId, gateway.spanId, 'child of the gateway span')
  t.equal(hop?.attributes['http.response.status_code'], 200)

  // no query string, no search words, no case number anywhere in what was exported
  const exported = collector.bodies.join('\n')
  for (const secret of ['Aktenzeichen', 'AZ-4711', 'Erika', 'Mustermann', 'antrag/status', '?']) t.notOk(exported.includes(secret), `no "${secret}" in exported spans`)
  const urlKeys = ['url.full', 'url.query', 'http.target', 'http.url', 'url.path']
  t.same(spans.filter((s) => urlKeys.some((key) => key in s.attributes)).map((s) => s.name), [], 'no span has a URL or query attribute')

  // search, store and refresh spans
  const searchSpan = spans.find((s) => s.name === 'GET /api/v1/search')
  t.ok(searchSpan, 'the search request span')
  const inner = spans.find((s) => s.name === 'search')
  t.ok(inner, 'a search span')
  t.equal(inner?.parentSpanId, searchSpan?.spanId, 'search runs inside its request span')
  t.equal(inner?.traceId, searchSpan?.traceId)
  t.ok(spans.some((s) => s.name === 'store.listMembers' && s.attributes['db.system.name'] === 'memory'), 'store spans')
  t.ok(spans.some((s) => s.name === 'store.acquireLock'), 'the refresh lock is a store span')
  const refresh = spans.find(wanted)
  t.ok(refresh, 'a manifest refresh span')
  t.equal(refresh?.attributes['dachportal.refresh.outcome'], 'failed')

  // logs carry the trace id of the request they belong to
  const requestLines = lines.map((l) => JSON.parse(l) as { reqId?: string; trace_id?: string; msg?: string }).filter((l) => l.reqId === proxiedId)
  t.ok(requestLines.length > 0, 'the proxied request logged')
  // ('incoming request' is logged before the first hook, so before the span exists)
  t.equal(requestLines.find((l) => l.msg === 'request completed')?.trace_id, gateway.traceId, 'its completion line carries the gateway span\'s trace id', { requestLines })
})
