// GET /api/v1/routes: FIT-Connect-like routing over the real region, table-driven.
import t from 'tap'
import { realApp } from '../helpers/app.js'
import { makeRegion, manifest, service } from '../helpers/region.js'
import { providerManifest, sharingMembers, userManifest } from '../helpers/shared-service.js'
import { DEST_ALPHA, DEST_BETA, fitConnectRegion, SIG } from '../helpers/fit-connect-region.js'

const HUND = '99102013104000'
const BAU = '99012070006001'
const BAFOEG = '99022001017003'
const FZ = '99049001001000'
const GEWERBE = '99050012104000'
const KREIS_CITIES = ['castrop-rauxel', 'datteln', 'dorsten', 'gladbeck', 'haltern-am-see', 'herten', 'marl', 'oer-erkenschwick', 'recklinghausen', 'waltrop']
const ALL_CITIES = [...KREIS_CITIES, 'bottrop', 'gelsenkirchen']

t.test('routes by ARS, AGS and postal code to the deepest responsible member', async (t) => {
  const app = await realApp(t)
  const cases: [string, string[]][] = [
    [`leikaKey=${HUND}&ars=055620014014`, ['gladbeck']],
    [`leikaKey=${HUND}&ags=05562014`, ['gladbeck']],
    [`leikaKey=${HUND}&postalCode=45964`, ['gladbeck']],
    [`leikaKey=${HUND}&ars=055120000000`, ['bottrop']],
    [`leikaKey=${HUND}&ars=05512`, ['bottrop']],
    // every city of the Kreis is a Große or Mittlere kreisangehörige Stadt with its own Bauaufsicht (members/*.json sources)
    [`leikaKey=${BAU}&ars=055620036036`, ['waltrop']],
    [`leikaKey=${BAU}&ars=055620014014`, ['gladbeck']],
    // a Kreis (ARS or AGS of 5 digits) answers every member inside it
    [`leikaKey=${BAU}&ags=05562`, KREIS_CITIES],
    [`leikaKey=${HUND}&ars=05562`, KREIS_CITIES],
    // 9 digits: the Gemeindeverband; a kreisangehörige Stadt is its own (was padded to 055620014000 and fell to the Kreis)
    [`leikaKey=${HUND}&ars=055620014`, ['gladbeck']],
    [`leikaKey=${HUND}&ars=055120000`, ['bottrop']],
    // Land and Regierungsbezirk: every member inside
    [`leikaKey=${HUND}&ars=05`, ALL_CITIES],
    [`leikaKey=${HUND}&ags=055`, ALL_CITIES],
    [`leikaKey=${BAFOEG}&ars=05`, ['nrw']],
    [`leikaKey=${BAFOEG}&ars=055620014014`, ['nrw']],
    // outside the region: no route, never a guessed key (06435014 had become 064350000014)
    [`leikaKey=${HUND}&ags=06435014`, []],
    [`leikaKey=${FZ}&ags=06435014`, []],
    [`leikaKey=${BAFOEG}&ars=053150000000`, []],
    [`leikaKey=${FZ}&ars=091620000000`, []],
    [`leikaKey=${FZ}&ars=09`, []],
    [`leikaKey=${FZ}&postalCode=10115`, []],
    [`leikaKey=${HUND}&ars=091620000000`, []],
    ['leikaKey=99999999999999&ars=055620014014', []],
  ]
  for (const [query, members] of cases) {
    const res = await app.inject(`/api/v1/routes?${query}`)
    t.equal(res.statusCode, 200, query)
    const body = res.json()
    t.same(body.routes.map((r: { member: string }) => r.member).sort(), [...members].sort(), query)
    t.equal(body.totalCount, members.length, query)
    t.equal(body.count, members.length, query)
    t.equal(body.offset, 0)
    for (const r of body.routes) {
      t.type(r.destinationName, 'string')
      t.notOk('destinationId' in r, 'no destinationId unless declared')
      t.notOk('destinationSignature' in r, 'no destinationSignature unless declared')
    }
  }
  const g = (await app.inject(`/api/v1/routes?leikaKey=${HUND}&ars=055620014014`)).json().routes[0]
  t.match(g, { memberName: 'Gladbeck', level: 'stadt', address: { postalCode: '45964', city: 'Gladbeck' }, origin: 'dachportal' })
  const paged = (await app.inject(`/api/v1/routes?leikaKey=${HUND}&ars=055620014014&offset=1&limit=1`)).json()
  t.same(paged, { count: 0, offset: 1, totalCount: 1, routes: [] })
})

t.test('bad parameters: 400 problem+json', async (t) => {
  const app = await realApp(t)
  for (const query of [
    'ars=055620014014',
    'leikaKey=12345&ars=055620014014',
    `leikaKey=${HUND}&ars=0556200140`,
    `leikaKey=${HUND}&ags=0556201`,
    `leikaKey=${HUND}&postalCode=4596`,
    `leikaKey=${HUND}`,
    `leikaKey=${HUND}&ars=055620014014&postalCode=45964`,
    `leikaKey=${HUND}&ars=055620014014&limit=501`,
    `leikaKey=${HUND}&ars=055620014014&offset=-1`,
  ]) {
    const res = await app.inject(`/api/v1/routes?${query}`)
    t.equal(res.statusCode, 400, query)
    t.match(res.headers['content-type'], /^application\/problem\+json/, query)
  }
  const doc = (await app.inject('/docs/json')).json()
  t.ok(doc.paths['/api/v1/routes']?.get, 'documented in OpenAPI')
})

t.test('destinationId and destinationSignature only from the responsible member (offering or office), never a shared online service', async (t) => {
  const DEST = '3f2504e0-4f89-41d3-9a0c-0305e82c3301'
  const withDest = providerManifest(['alpha', 'beta'])
  withDest.onlineServices[0] = { ...withDest.onlineServices[0]!, destinationId: DEST } as never
  const region = await makeRegion(sharingMembers(), { kreis: withDest as never, alpha: userManifest('alpha') as never, beta: userManifest('beta') as never, gamma: null, delta: null })
  t.teardown(region.cleanup)
  const app = await realApp(t, { regionConfig: region.regionPath, rateLimit: false })
  const shared = (await app.inject(`/api/v1/routes?leikaKey=${GEWERBE}&ars=05562`)).json()
  t.same(shared.routes.map((r: { member: string }) => r.member), ['alpha', 'beta'])
  for (const r of shared.routes) t.notOk('destinationId' in r, `${r.member}: the shared online service's destination is not the city's`)

  const fc = await fitConnectRegion()
  t.teardown(fc.cleanup)
  const app2 = await realApp(t, { regionConfig: fc.regionPath, rateLimit: false })
  const body = (await app2.inject(`/api/v1/routes?leikaKey=${HUND}&ars=05562`)).json()
  t.same(body.routes.map((r: { member: string; destinationId?: string }) => [r.member, r.destinationId]), [['alpha', DEST_ALPHA], ['beta', DEST_BETA], ['gamma', undefined]])
  t.equal(body.routes[0].destinationSignature, SIG, 'the signature as declared')
})

t.test('a LeiKa key only uncurated services carry (imported, not in the catalog) routes to each city offering it', async (t) => {
  const LOCAL = '99102013999000'
  const local = (id: string) => ({ ...manifest(id, [service('hundesteuer-aenderung', { name: 'Hundesteuer: Änderung melden', leikaKey: LOCAL, lifeSituations: ['tiere'] })]), schemaVersion: 2 as const }) as never
  const region = await makeRegion(sharingMembers(), { kreis: null, alpha: local('alpha'), beta: local('beta'), gamma: null, delta: null })
  t.teardown(region.cleanup)
  const app = await realApp(t, { regionConfig: region.regionPath, rateLimit: false })
  for (const [area, members] of [['ars=055620004004', ['alpha']], ['postalCode=45711', ['beta']], ['ars=055620014014', []]] as const) {
    const body = (await app.inject(`/api/v1/routes?leikaKey=${LOCAL}&${area}`)).json()
    t.same(body.routes.map((r: { member: string }) => r.member), members, area)
  }
  const merged = (await app.inject(`/api/v1/services/leika-${LOCAL}`)).json()
  t.match(merged, { leikaKey: LOCAL, offeringCount: 2 }, 'one regional service of both cities, with its LeiKa key')
})
