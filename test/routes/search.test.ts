import t from 'tap'
import Fastify from 'fastify'
import { registerProblemHandlers } from '../../src/routes/problem.js'
import { namedSchemas } from '../../src/routes/named-schemas.js'
import searchRoutes from '../../src/routes/search.js'
import { SearchIndexHolder } from '../../src/search/live-index.js'
import { fixtureCatalog, synonyms } from '../search/fixture-catalog.js'
import { catalogStub } from '../helpers/catalog-stub.js'
import type { LiveCatalog } from '../../src/lifecycle/live-catalog.js'

type TestContext = { teardown: (fn: () => unknown) => void }

async function buildTestApp(t: TestContext, options: { loaded?: boolean } = {}) {
  const app = Fastify({ ajv: { customOptions: { allErrors: true } } })
  t.teardown(() => app.close())
  registerProblemHandlers(app, { production: false })
  for (const schema of namedSchemas) app.addSchema(schema)
  let catalog = fixtureCatalog(1)
  const holder = new SearchIndexHolder({ synonyms })
  t.teardown(() => holder.cancel())
  if (options.loaded !== false) holder.load(catalog)
  const live = { get current() { return catalog } } as unknown as LiveCatalog
  await app.register(catalogStub({ live, searchIndex: holder }))
  await app.register(searchRoutes)
  return { app, holder, setCatalog: (c: typeof catalog) => { catalog = c } }
}

const get = (app: Awaited<ReturnType<typeof buildTestApp>>['app'], url: string) => app.inject({ method: 'GET', url })

t.test('GET /api/v1/search returns ranked hits, facets and forYou', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await get(app, `/api/v1/search?q=${encodeURIComponent('Hunde Steuer')}&postalCode=22222`)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'public, max-age=60')
  const body = res.json()
  t.equal(body.query, 'Hunde Steuer')
  t.equal(body.normalizedQuery, 'hunde steuer')
  t.equal(body.page, 1)
  t.equal(body.pageSize, 20, 'one paging rule: 20 by default, search too')
  t.equal(body.hits[0].service.id, 'hund-anmelden')
  t.equal(body.hits[0].forYou.member, 'stadt-b')
  t.equal(body.hits[0].forYou.goUrl, '/go/stadt-b/hund-anmelden')
  t.ok(body.hits[0].highlights.length > 0)
  t.type(body.hits[0].score, 'number')
  t.same(Object.keys(body.facets).sort(), ['channel', 'level', 'lifeSituation', 'member'])
})

// Issue 13: channel facet and filter (online / in-person), counted like the others.
t.test('GET /api/v1/search?channel= filters; total equals the channel facet', async (t) => {
  const { app } = await buildTestApp(t)
  const all = (await get(app, '/api/v1/search?q=anmelden')).json()
  t.same(all.facets.channel, [{ value: 'in-person', count: 2 }, { value: 'online', count: 1 }])
  for (const { value, count } of all.facets.channel) {
    const body = (await get(app, `/api/v1/search?q=anmelden&channel=${value}`)).json()
    t.equal(body.total, count, `${value}: total equals the channel facet`)
    t.same(body.facets.channel, all.facets.channel, 'the channel facet ignores its own filter')
  }
  const online = (await get(app, '/api/v1/search?q=anmelden&channel=online')).json()
  t.same(online.hits.map((h: { service: { id: string } }) => h.service.id), ['hund-anmelden'])
  const parking = (await get(app, '/api/v1/search?q=bewohnerparkausweis&channel=in-person')).json()
  t.equal(parking.total, 0, 'no office, no in-person channel')
})

// Issue 17: member filters (same meaning as on /api/v1/services); residentMember ranks.
t.test('GET /api/v1/search?member= filters, residentMember ranks', async (t) => {
  const { app } = await buildTestApp(t)
  const all = (await get(app, '/api/v1/search?q=hund')).json()
  for (const { value, count } of all.facets.member) {
    const body = (await get(app, `/api/v1/search?q=hund&member=${value}`)).json()
    t.equal(body.total, count, `${value}: total equals the provider facet`)
    t.ok(body.hits.every((h: { forYou?: { member: string } }) => h.forYou?.member === value))
  }
  const hinted = (await get(app, '/api/v1/search?q=hund&residentMember=stadt-b')).json()
  t.equal(hinted.total, all.total, 'residentMember does not filter')
  t.equal(hinted.hits[0].forYou.member, 'stadt-b')
})

t.test('GET /api/v1/suggest', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await get(app, '/api/v1/suggest?q=pers')
  t.equal(res.statusCode, 200)
  t.ok(res.headers['cache-control']?.startsWith('public'))
  t.same(res.json().suggestions[0], { text: 'Personalausweis beantragen', serviceId: 'personalausweis' })
})

t.test('bad input answers 400 problem+json', async (t) => {
  const { app } = await buildTestApp(t)
  const cases: [string, string][] = [
    ['/api/v1/search', '/q'],
    ['/api/v1/search?q=', '/q'],
    ['/api/v1/search?q=%20%20%09', '/q'],
    [`/api/v1/search?q=${'a'.repeat(201)}`, '/q'],
    ['/api/v1/search?q=hund&postalCode=4596', '/postalCode'],
    ['/api/v1/search?q=hund&postalCode=4596x', '/postalCode'],
    ['/api/v1/search?q=hund&level=gemeinde', '/level'],
    ['/api/v1/search?q=hund&page=0', '/page'],
    ['/api/v1/search?q=hund&pageSize=101', '/pageSize'],
    ['/api/v1/search?q=hund&member=nirgendwo', '/member'],
    ['/api/v1/search?q=hund&residentMember=nirgendwo', '/residentMember'],
    ['/api/v1/search?q=hund&lifeSituation=unbekannt', '/lifeSituation'],
    ['/api/v1/search?q=hund&channel=post', '/channel'],
    ['/api/v1/search?q=hund&channel=', '/channel'],
    ['/api/v1/suggest?q=%20', '/q'],
    [`/api/v1/suggest?q=${'a'.repeat(201)}`, '/q'],
  ]
  for (const [url, path] of cases) {
    const res = await get(app, url)
    t.equal(res.statusCode, 400, url)
    t.match(res.headers['content-type'], /^application\/problem\+json/, url)
    const body = res.json()
    t.equal(body.status, 400, url)
    t.ok(body.errors?.some((e: { path: string }) => e.path === path), `${url} names ${path}`)
  }
})

t.test('hostile but valid queries are plain text', async (t) => {
  const { app } = await buildTestApp(t)
  for (const q of ['.*', '(hund', 'hund\u0000steuer', 'a'.repeat(200), 'hund '.repeat(40), '%%%', '<script>']) {
    const res = await get(app, `/api/v1/search?q=${encodeURIComponent(q)}`)
    t.equal(res.statusCode, 200, q)
  }
  const res = await get(app, `/api/v1/search?q=${encodeURIComponent('hund\u0000steuer')}`)
  t.equal(res.json().normalizedQuery, 'hundsteuer')
})

t.test('503 before the first index; a newer catalog is picked up in the background', async (t) => {
  const { app, holder, setCatalog } = await buildTestApp(t, { loaded: false })
  const first = await get(app, '/api/v1/search?q=hund')
  t.equal(first.statusCode, 503)
  await holder.whenReady(1)
  t.equal((await get(app, '/api/v1/search?q=hund')).statusCode, 200)
  setCatalog(fixtureCatalog(2, ['stadt-a']))
  await get(app, '/api/v1/search?q=hund')
  await holder.whenReady(2)
  const body = (await get(app, '/api/v1/search?q=hund')).json()
  t.notOk(body.hits.some((h: { service: { id: string } }) => h.service.id === 'stadt-a:hundeschule'))
})

t.test('search and suggest carry an ETag of the index version and answer If-None-Match with 304', async (t) => {
  const { app, holder, setCatalog } = await buildTestApp(t)
  for (const url of ['/api/v1/search?q=hund', '/api/v1/suggest?q=hund']) {
    const first = await get(app, url)
    t.equal(first.headers.etag, 'W/"v1"', `${url}: weak, the same bytes are not promised (identity, br, gzip)`)
    const again = await app.inject({ url, headers: { 'if-none-match': '"v1"' } })
    t.equal(again.statusCode, 304, `${url} unchanged: 304 (weak comparison)`)
    t.equal(again.body, '')
    t.equal(again.headers.vary, 'accept-encoding', 'the 304 carries the Vary of its 200')
    t.equal(again.headers['cache-control'], first.headers['cache-control'], 'same caching rules on the 304')
  }
  const invalid = await app.inject({ url: '/api/v1/search?q=hund&member=gibt-es-nicht', headers: { 'if-none-match': '"v1"' } })
  t.equal(invalid.statusCode, 400, 'a bad query is still a 400, whatever the client cached')
  setCatalog(fixtureCatalog(2))
  await get(app, '/api/v1/search?q=hund')
  await holder.whenReady(2)
  const changed = await app.inject({ url: '/api/v1/search?q=hund', headers: { 'if-none-match': '"v1"' } })
  t.equal(changed.statusCode, 200, 'a new catalog: the full answer')
  t.equal(changed.headers.etag, 'W/"v2"')
})
