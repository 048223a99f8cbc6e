// PVOG-style look-ups over the real region: a LeiKa key wherever a service key
// is taken (responsibility, service detail, search text) and ARS/AGS as the
// area of a search instead of a postal code (issue 29).
import t from 'tap'
import { realApp } from '../helpers/app.js'

const HUND = '99102013104000'

t.test('a LeiKa key stands for its service', async (t) => {
  const app = await realApp(t)
  const r = await app.inject(`/api/v1/responsibility?postalCode=45964&service=${HUND}`)
  t.equal(r.statusCode, 200)
  t.match(r.json().service, { id: 'hund-anmelden', forYou: { member: 'gladbeck' } })
  const byArs = (await app.inject(`/api/v1/responsibility?ars=055620014014&service=${HUND}`)).json()
  t.equal(byArs.service.forYou.member, 'gladbeck')
  const detail = await app.inject(`/api/v1/services/${HUND}?postalCode=45964`)
  t.equal(detail.statusCode, 200)
  t.match(detail.json(), { id: 'hund-anmelden', leikaKey: HUND, forYou: { member: 'gladbeck' } })
  for (const url of ['/api/v1/services/99999999999999', '/api/v1/responsibility?postalCode=45964&service=99999999999999']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 404, url)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
  }
  const search = (await app.inject(`/api/v1/search?q=${HUND}`)).json()
  t.equal(search.hits[0]?.service.id, 'hund-anmelden', 'a LeiKa key as q finds the service')
  t.equal(search.total, 1, 'and only that one')
})

t.test('search with ars or ags instead of postalCode ranks for that area', async (t) => {
  const app = await realApp(t)
  const byPostalCode = (await app.inject('/api/v1/search?q=hund&postalCode=45964')).json()
  for (const area of ['ars=055620014014', 'ars=055620014', 'ags=05562014']) {
    const res = await app.inject(`/api/v1/search?q=hund&${area}`)
    t.equal(res.statusCode, 200, area)
    const hits = res.json().hits
    t.equal(hits[0]?.service.forYou?.member, 'gladbeck', `${area}: Gladbeck's offering`)
    t.same(hits.map((h: { service: { id: string; forYou?: { member: string } } }) => [h.service.id, h.service.forYou?.member]),
      byPostalCode.hits.map((h: { service: { id: string; forYou?: { member: string } } }) => [h.service.id, h.service.forYou?.member]), `${area}: as Gladbeck's postal code`)
  }
  const bottrop = (await app.inject('/api/v1/search?q=hund&ars=055120000000')).json()
  t.equal(bottrop.hits[0]?.service.forYou?.member, 'bottrop')
  const outside = (await app.inject('/api/v1/search?q=hund&ags=06435014')).json()
  t.notOk(outside.hits[0]?.service.forYou, 'outside the region: no offering is yours')
  for (const query of ['q=hund&ars=055620014014&postalCode=45964', 'q=hund&ars=05562&ags=05562', 'q=hund&ars=0556', 'q=hund&ags=055620140']) {
    const res = await app.inject(`/api/v1/search?${query}`)
    t.equal(res.statusCode, 400, query)
    t.match(res.headers['content-type'], /^application\/problem\+json/, query)
  }
})
