import t from 'tap'
import { realApp } from '../helpers/app.js'

t.test('region, members and member detail with the real members', async (t) => {
  const app = await realApp(t)
  const region = await app.inject('/api/v1/region')
  t.equal(region.statusCode, 200)
  t.match(region.json(), { id: 'emscher-lippe', name: 'Serviceportal Emscher-Lippe', memberCount: 15, staleMembers: [], failedMembers: [] })

  const members = (await app.inject('/api/v1/members?pageSize=100')).json()
  t.equal(members.total, 15)
  t.ok(members.items.every((m: any) => m.status === 'ok'), 'all 15 ok')
  const ids = members.items.map((m: any) => m.id).sort()
  t.same(ids, ['bottrop', 'bund', 'castrop-rauxel', 'datteln', 'dorsten', 'gelsenkirchen', 'gladbeck', 'haltern-am-see', 'herten', 'kreis-recklinghausen', 'marl', 'nrw', 'oer-erkenschwick', 'recklinghausen', 'waltrop'])
  const gladbeck = members.items.find((m: any) => m.id === 'gladbeck')
  t.match(gladbeck, { level: 'stadt', ars: '055620014014', parent: 'kreis-recklinghausen', postalCodes: ['45964', '45966', '45968'], portalUrl: 'https://serviceportal.gladbeck.de/' })
  t.ok(gladbeck.serviceCount >= 25)

  const kreise = (await app.inject('/api/v1/members?level=kreis')).json()
  t.same(kreise.items.map((m: any) => m.id), ['kreis-recklinghausen'])

  const detail = await app.inject('/api/v1/members/bottrop')
  t.equal(detail.statusCode, 200)
  t.match(detail.json(), { id: 'bottrop', parent: 'nrw', meta: { source: 'file' } })
  t.ok(detail.json().meta.acceptedAt)
})

t.test('unknown ids and routes are problem documents, never stack traces', async (t) => {
  const app = await realApp(t)
  for (const url of ['/api/v1/members/atlantis', '/api/v1/services/hundesteur', '/api/v1/life-situations/weltraum', '/nirgendwo', '/go/gladbeck/gibt-es-nicht', '/go/atlantis/x']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 404, url)
    t.match(res.headers['content-type'], /^application\/problem\+json/, url)
    const body = res.json()
    t.match(body, { status: 404, title: 'Nicht gefunden', instance: url })
    t.notMatch(res.body, /at .*\.(ts|js):\d+/, 'no stack trace')
  }
})

t.test('bad parameters: 400 problem naming each parameter', async (t) => {
  const app = await realApp(t)
  const res = await app.inject('/api/v1/services?postalCode=abc&page=-1&pageSize=10000&level=dorf')
  t.equal(res.statusCode, 400)
  t.match(res.headers['content-type'], /application\/problem\+json/)
  const paths = res.json().errors.map((e: any) => e.path).sort()
  t.same(paths, ['/level', '/page', '/pageSize', '/postalCode'])
  t.equal((await app.inject('/api/v1/members/Not%20A%20Slug')).statusCode, 400)
})

t.test('the manifest schema is published', async (t) => {
  const app = await realApp(t)
  const res = await app.inject('/schemas/manifest.json')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /application\/schema\+json/)
  t.match(res.json(), { title: 'dachportal member manifest', properties: { schemaVersion: { const: 2 }, onlineServices: { type: 'array' } } })
  const v1 = await app.inject('/schemas/manifest-v1.json')
  t.equal(v1.statusCode, 200)
  t.match(v1.headers['content-type'], /application\/schema\+json/)
  t.match(v1.json(), { properties: { schemaVersion: { const: 1 } } })
  t.notOk(v1.json().properties.onlineServices, 'v1 has no online services')
})

t.test('health, ready and docs', async (t) => {
  const app = await realApp(t)
  t.same((await app.inject('/health')).json(), { status: 'ok' })
  t.match((await app.inject('/ready')).json(), { status: 'ready', reasons: [] })
  app.readiness.draining = true
  t.equal((await app.inject('/ready')).statusCode, 503)
  app.readiness.draining = false
  const docs = await app.inject('/docs/json')
  t.equal(docs.statusCode, 200)
  const spec = docs.json()
  t.equal(spec.openapi, '3.1.0')
  for (const path of ['/api/v1/region', '/api/v1/members', '/api/v1/services', '/api/v1/services/{id}', '/api/v1/life-situations', '/api/v1/life-situations/{id}', '/api/v1/responsibility', '/go/{member}/{service}']) {
    t.ok(spec.paths[path], `documented: ${path}`)
  }
  t.equal((await app.inject('/docs')).statusCode < 400, true)
})
