// GET /api/v1/routes: FIT-Connect routing shape over the real region, table-driven.
import t from 'tap'
import { realApp } from '../helpers/app.js'
import { makeRegion, manifest, service } from '../helpers/region.js'
import { providerManifest, sharingMembers, userManifest } from '../helpers/shared-service.js'

const HUND = '99102013104000'
const BAU = '99012070006001'
const BAFOEG = '99022001017003'
const FZ = '99049001001000'
const GEWERBE = '99050012104000'

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
    [`leikaKey=${BAU}&ags=05562`, []],
    [`leikaKey=${BAFOEG}&ars=055620014014`, ['nrw']],
    [`leikaKey=${BAFOEG}&ars=053150000000`, ['nrw'], ] as [string, string[]],
    [`leikaKey=${FZ}&ars=091620000000`, ['bund']],
    [`leikaKey=${FZ}&postalCode=10115`, ['bund']],
    [`leikaKey=${HUND}&ars=091620000000`, []],
    ['leikaKey=99999999999999&ars=055620014014', []],
  ]
  for (const [query, members] of cases) {
    const res = await app.inject(`/api/v1/routes?${query}`)
    t.equal(res.statusCode, 200, query)
    const body = res.json()
    t.same(body.routes.map((r: { member: string }) => r.member), members, query)
    t.equal(body.totalCount, members.length, query)
    t.equal(body.count, members.length, query)
    t.equal(body.offset, 0)
    for (const r of body.routes) {
      t.type(r.destinationName, 'string')
      t.notOk('destinationId' in r, 'no destinationId unless declared')
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

t.test('destinationId only when the online service declares a FIT-Connect destination', async (t) => {
  const DEST = '3f2504e0-4f89-41d3-9a0c-0305e82c3301'
  const withDest = providerManifest(['alpha'])
  withDest.onlineServices[0] = { ...withDest.onlineServices[0]!, destinationId: DEST } as never
  const withoutDest = { ...providerManifest(['beta']), onlineServices: [{ ...providerManifest(['beta']).onlineServices[0]!, id: 'gewerbe-b', url: 'https://portal.kreis.example/gewerbe/b' }] }
  const region = await makeRegion(sharingMembers(), {
    kreis: { ...withDest, onlineServices: [...withDest.onlineServices, ...withoutDest.onlineServices] } as never,
    alpha: userManifest('alpha') as never,
    beta: userManifest('beta', 'kreis:gewerbe-b') as never,
    gamma: null,
    delta: null,
  })
  t.teardown(region.cleanup)
  const app = await realApp(t, { regionConfig: region.regionPath, rateLimit: false })
  const alpha = (await app.inject(`/api/v1/routes?leikaKey=${GEWERBE}&ars=055620004004`)).json()
  t.equal(alpha.totalCount, 1)
  t.match(alpha.routes[0], { member: 'alpha', destinationId: DEST, onlineService: { provider: 'kreis' } })
  const beta = (await app.inject(`/api/v1/routes?leikaKey=${GEWERBE}&ars=055620008008`)).json()
  t.equal(beta.totalCount, 1)
  t.match(beta.routes[0], { member: 'beta', onlineService: { provider: 'kreis', url: 'https://portal.kreis.example/gewerbe/b' } })
  t.notOk('destinationId' in beta.routes[0], 'no destinationId without a declared destination')
  const offering = (await app.inject('/api/v1/services/gewerbe-anmelden')).json().offerings.find((o: { member: string }) => o.member === 'alpha')
  t.equal(offering.onlineService.destinationId, DEST, 'the offering shows it too')
})

t.test('a LeiKa key only member-local services carry (imported, not in the catalog) routes to each city offering it', async (t) => {
  const LOCAL = '99102013999000'
  const local = (id: string) => ({ ...manifest(id, [service('hundesteuer-aenderung', { name: 'Hundesteuer: Änderung melden', leikaKey: LOCAL, lifeSituations: ['tiere'] })]), schemaVersion: 2 as const }) as never
  const region = await makeRegion(sharingMembers(), { kreis: null, alpha: local('alpha'), beta: local('beta'), gamma: null, delta: null })
  t.teardown(region.cleanup)
  const app = await realApp(t, { regionConfig: region.regionPath, rateLimit: false })
  for (const [area, members] of [['ars=055620004004', ['alpha']], ['postalCode=45711', ['beta']], ['ars=055620014014', []]] as const) {
    const body = (await app.inject(`/api/v1/routes?leikaKey=${LOCAL}&${area}`)).json()
    t.same(body.routes.map((r: { member: string }) => r.member), members, area)
  }
  t.equal((await app.inject('/api/v1/services/alpha:hundesteuer-aenderung')).json().leikaKey, LOCAL, 'the service shows its LeiKa key')
})
