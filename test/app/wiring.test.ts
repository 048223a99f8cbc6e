// The whole gateway as buildApp() wires it, through its public HTTP API:
// a member registers a manifest, and catalog, search, suggest, metrics and
// the portal all serve it; errors stay problem+json (API) or HTML (people).
import t from 'tap'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadRegionData } from '../../src/config/load.js'
import { sha256Hex } from '../../src/auth/token.js'
import { REPO } from '../helpers/region.js'

const TOKEN = 'gladbeck-test-token'

async function gateway(t: Tap.Test): Promise<FastifyInstance> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-wiring-'))
  const regionData = await loadRegionData(join(REPO, 'config', 'region.json'))
  const gladbeck = regionData.region.members.find((m) => m.id === 'gladbeck')
  if (!gladbeck) throw new Error('gladbeck missing from config/region.json')
  gladbeck.tokenSha256 = sha256Hex(TOKEN)
  const app = await buildApp({ regionData, settings: { dataDir, rateLimit: false, pressure: NO_LOAD_SHEDDING } })
  t.teardown(async () => {
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  })
  return app
}

t.test('a registered manifest reaches catalog, search, suggest and the portal', async (t) => {
  const app = await gateway(t)
  const doc = JSON.parse(await readFile(join(REPO, 'members', 'gladbeck.json'), 'utf8'))
  doc.updatedAt = new Date().toISOString()
  doc.services.push({
    id: 'zebrafinken-anmelden', name: 'Zebrafinken anmelden', summary: 'Anmeldung einer Zebrafinkenzucht.',
    audiences: ['residents'], lifeSituations: ['tiere'],
  })
  const put = await app.inject({
    method: 'PUT', url: '/api/v1/admin/members/gladbeck/manifest',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    payload: JSON.stringify(doc),
  })
  t.equal(put.statusCode, 200)
  const { version } = put.json() as { version: number }
  await app.live.refresh()
  t.equal(app.live.current.version, version, 'the catalog swapped to the new version')
  await app.searchIndex.update(app.live.current)

  const service = await app.inject('/api/v1/services/gladbeck:zebrafinken-anmelden')
  t.equal(service.statusCode, 200)
  const search = await app.inject('/api/v1/search?q=zebrafinken&postalCode=45964')
  t.equal(search.statusCode, 200)
  t.equal(search.json().hits[0]?.service.id, 'gladbeck:zebrafinken-anmelden')
  const suggest = await app.inject('/api/v1/suggest?q=zebraf')
  t.match(suggest.json().suggestions, [{ text: /Zebrafinken/ }])
  const page = await app.inject('/suche?q=zebrafinken')
  t.equal(page.statusCode, 200)
  t.match(page.body, /Zebrafinken anmelden/)
  t.match(page.headers['content-security-policy'], /script-src 'self'/, 'the portal runs under the strict CSP')

  const metrics = await app.inject('/metrics')
  t.match(metrics.body, /dachportal_search_duration_seconds_count\{kind="search"\} [1-9]/)
  t.match(metrics.body, new RegExp(`dachportal_catalog_version ${version}`))
})

t.test('not found: problem+json for programs, an HTML page for people', async (t) => {
  const app = await gateway(t)
  const api = await app.inject('/api/v1/nothing-here')
  t.equal(api.statusCode, 404)
  t.match(api.headers['content-type'], /^application\/problem\+json/)
  const browser = await app.inject({ url: '/gibt-es-nicht', headers: { accept: 'text/html,application/xhtml+xml' } })
  t.equal(browser.statusCode, 404)
  t.match(browser.headers['content-type'], /^text\/html/)
  t.match(browser.body, /Seite nicht gefunden/)
  const program = await app.inject('/gibt-es-nicht')
  t.match(program.headers['content-type'], /^application\/problem\+json/)
})

t.test('the OpenAPI document lists every public route of api.md', async (t) => {
  const app = await gateway(t)
  const doc = (await app.inject('/docs/json')).json() as { openapi: string; paths: Record<string, unknown> }
  t.equal(doc.openapi, '3.1.0')
  for (const path of [
    '/api/v1/region', '/api/v1/members', '/api/v1/members/{id}', '/api/v1/life-situations', '/api/v1/life-situations/{id}',
    '/api/v1/services', '/api/v1/services/{id}', '/api/v1/search', '/api/v1/suggest', '/api/v1/responsibility',
    '/go/{member}/{service}', '/schemas/manifest.json', '/api/v1/admin/members/{id}/manifest', '/api/v1/admin/members/{id}/refresh',
    '/health', '/ready', '/metrics',
  ]) t.ok(doc.paths[path], `${path} is documented`)
  t.notOk(Object.keys(doc.paths).some((p) => p === '/' || p.startsWith('/suche')), 'portal pages stay out of the API document')
  const put = (doc.paths['/api/v1/admin/members/{id}/manifest'] as Record<string, any>).put
  t.same(put.requestBody.content['application/json'].schema.oneOf.map((s: { $ref: string }) => s.$ref), ['#/components/schemas/Manifest', '#/components/schemas/ManifestV1'], 'the manifest body is documented in the document itself')
  t.same(put.security, [{ memberToken: [] }])
  const xzufi = (doc.paths['/api/v1/admin/members/{id}/import'] as Record<string, any>).post
  t.same(Object.keys(xzufi.requestBody?.content ?? {}), ['application/xml', 'text/xml', 'application/x-xzufi+xml'], 'the XZuFi body of the import is documented')
  t.equal(xzufi.requestBody.required, true)
  t.ok(put.responses['422'].content['application/problem+json'], 'errors are documented as problem+json')
  const search = (doc.paths['/api/v1/search'] as Record<string, any>).get
  t.ok(search.responses['400'].content['application/problem+json'])
  t.ok(search.responses['200'].content['application/json'], 'success stays application/json')
  t.match(search.parameters.find((p: { name: string }) => p.name === 'channel'), { in: 'query', schema: { enum: ['online', 'in-person'] } }, 'the channel filter is documented')
  t.equal(search.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/SearchAnswer', 'a named answer')
  t.ok((doc as any).components.schemas.SearchAnswer.properties.facets.properties.channel, 'the channel facet is documented')
})

t.test('the OpenAPI document tells the truth about conditional GET, optional paging, limits and problems', async (t) => {
  const app = await gateway(t)
  const doc = (await app.inject('/docs/json')).json() as { paths: Record<string, Record<string, any>> }
  const service = (await app.inject('/api/v1/services?pageSize=1')).json().items[0].id as string
  const situation = (await app.inject('/api/v1/life-situations')).json().items[0].id as string
  const ids: Record<string, string> = { '/api/v1/members/{id}': 'gladbeck', '/api/v1/life-situations/{id}': situation, '/api/v1/services/{id}': service }
  const queries: Record<string, string> = { '/api/v1/search': '?q=hund', '/api/v1/suggest': '?q=hund', '/api/v1/responsibility': '?postalCode=45964', '/api/v1/routes': '?leikaKey=99102013104000&postalCode=45964' }
  let checked = 0
  for (const [path, operations] of Object.entries(doc.paths)) {
    const get = operations.get
    if (!get || !path.startsWith('/api/v1/') || path.startsWith('/api/v1/admin/')) continue
    const url = path.replace(/\{id\}/, ids[path] ?? '') + (queries[path] ?? '')
    const res = await app.inject(url)
    t.equal(res.statusCode, 200, url)
    const documented = get.responses['304'] !== undefined
    t.equal(res.headers.etag !== undefined, documented, `${path}: ETag ${documented ? 'documented and sent' : 'neither documented nor sent'}`)
    if (documented) {
      t.ok(get.parameters.some((p: { in: string; name: string }) => p.in === 'header' && p.name === 'If-None-Match'), `${path}: If-None-Match documented`)
      const again = await app.inject({ url, headers: { 'if-none-match': String(res.headers.etag) } })
      t.equal(again.statusCode, 304, `${path}: 304 as documented`)
    }
    for (const p of get.parameters ?? []) {
      if (p.in === 'query' && (p.name === 'page' || p.name === 'pageSize')) t.equal(p.required, false, `${path}: ${p.name} is optional`)
    }
    t.ok(get.responses['429']?.headers?.['Retry-After'], `${path}: 429 with Retry-After documented`)
    t.ok(get.responses['503']?.content?.['application/problem+json'], `${path}: load shedding documented`)
    checked++
  }
  t.ok(checked >= 10, `${checked} API GET routes checked`)
  const ready503 = doc.paths['/ready']!.get.responses['503']
  t.ok(ready503.content['application/json'] && ready503.content['application/problem+json'], '/ready’s 503: JSON while draining, a problem when shedding load')
  t.ok(doc.paths['/api/v1/search']!.get.responses['503'].headers['Retry-After'], 'a route’s own 503 also documents load shedding')
  t.notOk(doc.paths['/health']!.get.responses['429'], 'ops routes are not rate limited')
  for (const method of ['get', 'head', 'post', 'put', 'patch', 'delete', 'options']) {
    t.ok(doc.paths['/cities/{member}/{path}']?.[method]?.responses['502'], `the proxy is documented: ${method}`)
    t.ok(doc.paths['/cities/{member}']?.[method]?.responses['308'], `and its bare prefix redirect: ${method}`)
  }
  const problem = await app.inject('/api/v1/services/gibt-es-nicht')
  t.match(problem.json().type, /^urn:dachportal:problem:[a-z-]+$/)
  const proxied = await app.inject('/cities/gibt-es-nicht/x')
  t.equal(proxied.statusCode, 404)
  t.match(proxied.json().type, /^urn:dachportal:problem:[a-z-]+$/, 'the proxy uses the same problem types')
})

import type * as Tap from 'tap'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'
