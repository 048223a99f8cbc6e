// A shared online service through the public API: listed once with its users,
// each user's offering and /go reach the provider's URL, a one-sided reference
// is 422, and a withdrawal by the provider drops the link after one registration.
import t, * as Tap from 'tap'
import type { FastifyInstance } from 'fastify'
import { makeRegion } from '../helpers/region.js'
import { PROVIDER_URL, USERS, providerManifest, sharingMembers, userManifest } from '../helpers/shared-service.js'
import { realApp } from '../helpers/app.js'

async function gateway(t: Tap.Test): Promise<FastifyInstance> {
  const region = await makeRegion(sharingMembers(), {
    kreis: providerManifest() as never,
    ...Object.fromEntries(USERS.map((id) => [id, userManifest(id) as never])),
    delta: null,
  })
  t.teardown(region.cleanup)
  const app = await realApp(t, { regionConfig: region.regionPath, rateLimit: false })
  return app
}

async function put(app: FastifyInstance, id: string, body: unknown) {
  const res = await app.inject({
    method: 'PUT', url: `/api/v1/admin/members/${id}/manifest`,
    headers: { authorization: `Bearer tok-${id}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  })
  await app.live.refresh()
  return res
}

t.test('a service shared by three members appears once, with its users; each offering and /go reach the provider', async (t) => {
  const app = await gateway(t)
  const list = await app.inject('/api/v1/online-services')
  t.equal(list.statusCode, 200)
  const body = list.json()
  t.equal(body.total, 1, 'listed once')
  t.match(body.items[0], {
    id: 'kreis:gewerbe', provider: 'kreis', providerName: 'Kreis', url: PROVIDER_URL, shared: true,
    maturity: { model: 'ozg-1.1', level: 3 }, maturityText: 'vollständig online, Nachweise werden hochgeladen',
    account: ['servicekonto-nrw', 'bundid'], accountText: 'Anmeldung mit Servicekonto.NRW oder BundID',
  })
  t.same(body.items[0].users.map((u: { member: string }) => u.member), [...USERS])

  const service = (await app.inject('/api/v1/services/gewerbe-anmelden')).json()
  t.equal(service.offerings.length, 3)
  for (const offering of service.offerings) {
    t.match(offering.onlineService, { id: 'kreis:gewerbe', provider: 'kreis', shared: true, url: PROVIDER_URL }, `${offering.member}: online service`)
    t.same(offering.channels, ['online', 'in-person'])
    const go = await app.inject(offering.goUrl)
    t.equal(go.statusCode, 302, `${offering.member}: /go redirects`)
    t.equal(go.headers.location, PROVIDER_URL, `${offering.member}: to the provider's URL`)
  }
})

t.test('filters: provider, serves, shared, minMaturity, service; unknown ids are 400', async (t) => {
  const app = await gateway(t)
  const total = async (qs: string) => (await app.inject(`/api/v1/online-services?${qs}`)).json().total
  t.equal(await total('provider=kreis'), 1)
  t.equal(await total('provider=alpha'), 0)
  t.equal(await total('serves=beta'), 1)
  t.equal(await total('serves=delta'), 0)
  t.equal(await total('shared=true'), 1)
  t.equal(await total('shared=false'), 0)
  t.equal(await total('minMaturity=3'), 1)
  t.equal(await total('minMaturity=4'), 0)
  t.equal(await total('service=gewerbe-anmelden'), 1)
  const bad = await app.inject('/api/v1/online-services?provider=nobody&service=gibt-es-nicht')
  t.equal(bad.statusCode, 400)
  t.same(bad.json().errors.map((e: { path: string }) => e.path).sort(), ['/provider', '/service'])
})

t.test('a one-sided reference is 422 with the path; the previous manifest stays live', async (t) => {
  const app = await gateway(t)
  const res = await put(app, 'delta', userManifest('delta'))
  t.equal(res.statusCode, 422)
  t.match(res.json().errors, [{ path: '/services/0/onlineService', message: /Einseitiger Verweis/ }])
  t.equal((await app.inject('/go/delta/gewerbe-anmelden')).statusCode, 404)
  // a user whose manifest is live cannot be broken by its own bad registration either
  const alphaBad = await put(app, 'alpha', userManifest('alpha', 'kreis:gibt-es-nicht'))
  t.equal(alphaBad.statusCode, 422)
  t.equal((await app.inject('/go/alpha/gewerbe-anmelden')).headers.location, PROVIDER_URL)
})

t.test('the provider withdrawing a member removes the link from its offering after one registration', async (t) => {
  const app = await gateway(t)
  const res = await put(app, 'kreis', providerManifest(['alpha', 'beta']))
  t.equal(res.statusCode, 200)
  const service = (await app.inject('/api/v1/services/gewerbe-anmelden')).json()
  const gamma = service.offerings.find((o: { member: string }) => o.member === 'gamma')
  t.ok(gamma, 'gamma still offers the service: its manifest stays live')
  t.notOk(gamma.onlineService, 'without the withdrawn online service')
  t.equal((await app.inject('/go/gamma/gewerbe-anmelden')).statusCode, 404)
  t.equal((await app.inject('/go/alpha/gewerbe-anmelden')).headers.location, PROVIDER_URL)
  const list = (await app.inject('/api/v1/online-services')).json()
  t.same(list.items[0].users.map((u: { member: string }) => u.member), ['alpha', 'beta'])
  t.equal((await app.inject('/api/v1/members/gamma')).json().status, 'ok')
})
