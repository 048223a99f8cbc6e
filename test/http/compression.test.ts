// Response compression (src/http/compression.ts, encoded-body.ts): br and
// gzip negotiated on Accept-Encoding with a size threshold and Vary, the
// cached search answers compressed once per encoding, and the member proxy
// passing bodies through as the upstream sent them.
import t, { type Test } from 'tap'
import Fastify from 'fastify'
import zlib from 'node:zlib'
import { request } from 'undici'
import { registerCompression, COMPRESSION_THRESHOLD, type ContentEncoding } from '../../src/http/compression.js'
import { registerProblemHandlers } from '../../src/routes/problem.js'
import { namedSchemas } from '../../src/routes/named-schemas.js'
import type { LiveCatalog } from '../../src/lifecycle/live-catalog.js'
import { catalogStub } from '../helpers/catalog-stub.js'
import searchRoutes from '../../src/routes/search.js'
import { SearchIndexHolder } from '../../src/search/live-index.js'
import { startMemberPortal } from '../helpers/member-portal.js'
import { rawRequest } from '../helpers/upstream.js'
import { fixtureCatalog, synonyms } from '../search/fixture-catalog.js'

function decode(encoding: string | undefined, body: Buffer): Buffer {
  if (encoding === 'br') return zlib.brotliDecompressSync(body)
  if (encoding === 'gzip') return zlib.gunzipSync(body)
  return body
}

async function get(url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') {
  const res = await request(url, { method, headers })
  const body = Buffer.from(await res.body.arrayBuffer())
  const header = (name: string) => res.headers[name] as string | undefined
  return { status: res.statusCode, body, header }
}

const BIG_PAGE = `<!doctype html><html><body>${'<p>Antrag auf Hundesteuer, Schritt 2.</p>'.repeat(200)}</body></html>`
const UPSTREAM_GZIP = zlib.gzipSync(Buffer.from(BIG_PAGE), { level: 1 })

/** The real region over a real socket; herten proxied on the path form, gladbeck on its member origin. */
async function gateway(t: Test) {
  const { portal } = await startMemberPortal(t, { proxy: { baseDomain: 'cities.test', scheme: 'http', port: 8080 } }, (req, res) => {
    if (!req.url?.endsWith('/big')) return false
    res.setHeader('content-type', 'text/html; charset=utf-8')
    if (req.url.includes('gzipped')) res.setHeader('content-encoding', 'gzip')
    res.end(req.url.includes('gzipped') ? UPSTREAM_GZIP : BIG_PAGE)
    return true
  })
  return portal.baseUrl
}

t.test('catalog and search answers: br and gzip negotiated, decoded bytes equal the identity answer, Vary set', async (t) => {
  const base = await gateway(t)
  for (const path of ['/api/v1/services?postalCode=45964', '/api/v1/search?q=hund%20anmelden&postalCode=45964', '/api/v1/search?q=personalausweis']) {
    const plain = await get(base + path, { 'accept-encoding': 'identity' })
    t.equal(plain.status, 200, path)
    t.ok(plain.body.length >= COMPRESSION_THRESHOLD, `${path}: above the threshold (${plain.body.length} B)`)
    t.equal(plain.header('content-encoding'), undefined, `${path}: identity asked, identity sent`)
    t.match(plain.header('vary'), /accept-encoding/, `${path}: Vary even on identity`)
    const cases: [string | undefined, ContentEncoding | undefined][] = [
      ['br, gzip', 'br'], ['gzip, deflate, br', 'br'], ['gzip', 'gzip'], ['gzip;q=1, br;q=0.5', 'gzip'], ['x-gzip', 'gzip'],
      ['*', 'gzip'], ['br;q=0, gzip;q=0', undefined], ['identity;q=1, gzip;q=0.5', undefined], ['deflate', undefined], [undefined, undefined],
    ]
    for (const [accept, want] of cases) {
      const res = await get(base + path, accept === undefined ? {} : { 'accept-encoding': accept })
      t.equal(res.status, 200)
      t.equal(res.header('content-encoding'), want, `${path}, Accept-Encoding ${accept ?? '(none)'}: ${want ?? 'identity'}`)
      t.same(decode(want, res.body), plain.body, `${path}, ${accept ?? '(none)'}: decodes to the identity answer`)
      t.match(res.header('vary'), /accept-encoding/, 'Vary: Accept-Encoding')
      t.equal(res.header('etag'), plain.header('etag'), 'one weak ETag for every encoding')
    }
    const br = await get(base + path, { 'accept-encoding': 'br' })
    t.ok(br.body.length < plain.body.length / 3, `${path}: br is ${br.body.length} of ${plain.body.length} B`)
    const head = await get(base + path, { 'accept-encoding': 'br, gzip' }, 'HEAD')
    t.equal(head.header('content-encoding'), undefined, `HEAD ${path}: not compressed`)
    t.equal(head.header('content-length'), String(plain.body.length), `HEAD ${path}: the identity length`)
    const notModified = await get(base + path, { 'accept-encoding': 'br', 'if-none-match': plain.header('etag')! })
    t.equal(notModified.status, 304, `${path}: 304`)
    t.equal(notModified.header('content-encoding'), undefined, '304: no Content-Encoding')
    t.match(notModified.header('vary'), /accept-encoding/, '304: the Vary of its 200')
  }
})

t.test('below the threshold nothing is compressed', async (t) => {
  const base = await gateway(t)
  for (const path of ['/api/v1/suggest?q=pers', '/health', '/api/v1/responsibility?postalCode=45964']) {
    const res = await get(base + path, { 'accept-encoding': 'br, gzip' })
    t.equal(res.status, 200, path)
    t.ok(res.body.length < COMPRESSION_THRESHOLD, `${path}: ${res.body.length} B`)
    t.equal(res.header('content-encoding'), undefined, `${path}: identity`)
  }
  const page = await get(`${base}/`, { 'accept-encoding': 'br' })
  t.equal(page.header('content-encoding'), 'br', 'the portal page (HTML) is compressed')
  t.match(page.header('vary'), /cookie/, 'its own Vary kept')
  t.match(page.header('vary'), /accept-encoding/, 'Vary: Accept-Encoding added')
})

t.test('the member proxy passes bodies through as the upstream sent them', async (t) => {
  const base = await gateway(t)
  const plain = await get(`${base}/cities/herten/big`, { 'accept-encoding': 'br, gzip' })
  t.equal(plain.status, 200)
  t.equal(plain.header('content-encoding'), undefined, 'an identity answer of 8 KB stays identity')
  t.equal(plain.body.toString(), BIG_PAGE, 'byte for byte')
  t.notMatch(plain.header('vary') ?? '', /accept-encoding/, 'no Vary added by the gateway')
  const gzipped = await get(`${base}/cities/herten/gzipped/big`, { 'accept-encoding': 'br, gzip' })
  t.equal(gzipped.header('content-encoding'), 'gzip', 'the upstream’s own encoding')
  t.same(gzipped.body, UPSTREAM_GZIP, 'the upstream’s bytes, not recompressed')
  const port = Number(new URL(base).port)
  const origin = await rawRequest(port, `GET /big HTTP/1.1\r\nHost: gladbeck.cities.test:${port}\r\nAccept-Encoding: br, gzip\r\nConnection: close\r\n\r\n`)
  t.equal(origin.status, 200)
  t.notOk(origin.headerLines.some((l) => /^content-encoding:/i.test(l)), 'member origin: not compressed')
  t.equal(origin.body, BIG_PAGE, 'member origin: byte for byte')
})

/** The search routes alone, behind the compression plugin, counting compressions of cached answers. */
async function searchApp(t: Test) {
  const app = Fastify()
  t.teardown(() => app.close())
  registerProblemHandlers(app, { production: false })
  for (const schema of namedSchemas) app.addSchema(schema)
  await registerCompression(app)
  const catalog = fixtureCatalog(1)
  const holder = new SearchIndexHolder({ synonyms })
  t.teardown(() => holder.cancel())
  holder.load(catalog)
  const calls: ContentEncoding[] = []
  const compress = (body: Buffer, encoding: ContentEncoding) => {
    calls.push(encoding)
    return encoding === 'br' ? zlib.brotliCompressSync(body) : zlib.gzipSync(body)
  }
  const live = { get current() { return catalog } } as unknown as LiveCatalog
  await app.register(catalogStub({ live, searchIndex: holder }))
  await app.register(searchRoutes, { compress })
  // a plain route of the same size: what @fastify/compress itself decides
  app.get('/plain', async (_request, reply) => reply.type('application/json; charset=utf-8').send(JSON.stringify({ filler: 'x'.repeat(4000) })))
  return { app, calls }
}

t.test('a cached search answer is compressed once per encoding; hits send the stored bytes', async (t) => {
  const { app, calls } = await searchApp(t)
  const url = '/api/v1/search?q=hund&pageSize=100'
  const plain = await app.inject({ url })
  t.ok(plain.rawPayload.length >= COMPRESSION_THRESHOLD, `the fixture answer is above the threshold (${plain.rawPayload.length} B)`)
  t.same(calls, [], 'no Accept-Encoding: nothing compressed')
  const first = await app.inject({ url, headers: { 'accept-encoding': 'br, gzip' } })
  t.equal(first.headers['content-encoding'], 'br')
  t.same(calls, ['br'], 'compressed on the first br request')
  const second = await app.inject({ url, headers: { 'accept-encoding': 'br' } })
  t.same(calls, ['br'], 'a hit costs no compression (not by the route, not by the plugin)')
  t.same(second.rawPayload, first.rawPayload, 'the stored bytes')
  t.equal(second.headers['content-length'], String(first.rawPayload.length))
  t.same(zlib.brotliDecompressSync(second.rawPayload), plain.rawPayload, 'decodes to the identity answer')
  const gzip = await app.inject({ url, headers: { 'accept-encoding': 'gzip' } })
  await app.inject({ url, headers: { 'accept-encoding': 'gzip' } })
  t.equal(gzip.headers['content-encoding'], 'gzip')
  t.same(calls, ['br', 'gzip'], 'gzip compressed once too')
  t.same(zlib.gunzipSync(gzip.rawPayload), plain.rawPayload)
  const head = await app.inject({ method: 'HEAD', url, headers: { 'accept-encoding': 'br' } })
  t.equal(head.headers['content-encoding'], undefined, 'HEAD: identity headers, like every other route')
  const small = await app.inject({ url: '/api/v1/suggest?q=hund', headers: { 'accept-encoding': 'br' } })
  t.ok(small.rawPayload.length < COMPRESSION_THRESHOLD)
  t.equal(small.headers['content-encoding'], undefined, 'a suggest answer below the threshold stays identity')
  t.equal(small.headers.vary, 'accept-encoding')
  t.same(calls, ['br', 'gzip'], 'and is never compressed')
})

t.test('the cached answers negotiate exactly as @fastify/compress does', async (t) => {
  const { app } = await searchApp(t)
  const headers = ['br', 'gzip', 'br, gzip', 'gzip, br', 'gzip;q=0.9, br;q=0.8', 'br;q=0.1, gzip;q=0.2, identity;q=0.3', 'x-gzip', '*', '*;q=0.5, br',
    'BR', 'identity', 'deflate', 'compress, br;q=0', 'br;q=0, *', 'gzip;q=0', '']
  for (const accept of headers) {
    const plugin = await app.inject({ url: '/plain', headers: { 'accept-encoding': accept } })
    const cached = await app.inject({ url: '/api/v1/search?q=hund&pageSize=100', headers: { 'accept-encoding': accept } })
    t.equal(cached.headers['content-encoding'], plugin.headers['content-encoding'], `Accept-Encoding "${accept}": ${plugin.headers['content-encoding'] ?? 'identity'}`)
  }
  const optOut = { 'accept-encoding': 'br', 'x-no-compression': '1' }
  t.equal((await app.inject({ url: '/plain', headers: optOut })).headers['content-encoding'], undefined, 'the plugin honours X-No-Compression')
  t.equal((await app.inject({ url: '/api/v1/search?q=hund&pageSize=100', headers: optOut })).headers['content-encoding'], undefined, 'so do the cached answers')
})
