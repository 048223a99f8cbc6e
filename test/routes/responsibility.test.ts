import t from 'tap'
import { realApp } from '../helpers/app.js'
import { field } from '../../src/insights/fields.js'

const chainIds = (body: any, i = 0) => body.candidates[i].chain.map((m: any) => m.id)

t.test('postal code 45964 resolves Gladbeck -> Kreis Recklinghausen -> NRW -> Bund', async (t) => {
  const app = await realApp(t)
  const body = (await app.inject('/api/v1/responsibility?postalCode=45964')).json()
  t.match(body, { postalCode: '45964', inRegion: true, ambiguous: false })
  t.same(chainIds(body), ['gladbeck', 'kreis-recklinghausen', 'nrw', 'bund'])
})

t.test('a Bottrop postal code resolves without a Kreis', async (t) => {
  const app = await realApp(t)
  const body = (await app.inject('/api/v1/responsibility?postalCode=46236')).json()
  t.same(chainIds(body), ['bottrop', 'nrw', 'bund'])
})

t.test('ARS of a member, of the Kreis, and outside the region', async (t) => {
  const app = await realApp(t)
  t.same(chainIds((await app.inject('/api/v1/responsibility?ars=055620014014')).json()), ['gladbeck', 'kreis-recklinghausen', 'nrw', 'bund'])
  t.same(chainIds((await app.inject('/api/v1/responsibility?ars=055620000000')).json()), ['kreis-recklinghausen', 'nrw', 'bund'])
  const cologne = (await app.inject('/api/v1/responsibility?ars=053150000000')).json()
  t.match(cologne, { inRegion: false })
  t.same(chainIds(cologne), ['nrw', 'bund'])
  const munich = (await app.inject('/api/v1/responsibility?ars=091620000000')).json()
  t.same(chainIds(munich), ['bund'])
  const berlin = (await app.inject('/api/v1/responsibility?postalCode=10115')).json()
  t.match(berlin, { inRegion: false })
  t.same(chainIds(berlin), ['bund'])
})

t.test('with service: the most local offering, the others as alternatives', async (t) => {
  const app = await realApp(t)
  const hund = (await app.inject('/api/v1/responsibility?postalCode=45964&service=hund-anmelden')).json()
  t.equal(hund.service.forYou.member, 'gladbeck')
  t.equal(hund.service.alternatives.length, 11)
  const kfz = (await app.inject('/api/v1/responsibility?postalCode=45964&service=fahrzeug-zulassen')).json()
  t.equal(kfz.service.forYou.member, 'kreis-recklinghausen')
  const kg = (await app.inject('/api/v1/responsibility?postalCode=46236&service=kindergeld')).json()
  t.equal(kg.service.forYou.member, 'bund')
  const fz = (await app.inject('/api/v1/responsibility?postalCode=46236&service=fuehrungszeugnis')).json()
  t.equal(fz.service.forYou.member, 'bottrop', 'Bürgerbüro first')
  t.ok(fz.service.alternatives.some((o: any) => o.member === 'bund'), 'the Bund online service as alternative')
})

t.test('bad requests', async (t) => {
  const app = await realApp(t)
  for (const url of ['/api/v1/responsibility', '/api/v1/responsibility?postalCode=45964&ars=055620014014', '/api/v1/responsibility?postalCode=4596', '/api/v1/responsibility?ars=12']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 400, url)
    t.ok(res.json().errors.length > 0, `${url} names the parameter`)
  }
  t.equal((await app.inject('/api/v1/responsibility?postalCode=45964&service=gibt-es-nicht')).statusCode, 404)
})

// Link checkers and link previews ask with HEAD: each was counted in the
// insights as a resident starting the online service (and a service page view).
t.test('a HEAD on /go (or a service page) is not counted as a redirect in the insights', async (t) => {
  const app = await realApp(t)
  const day = new Date().toISOString().slice(0, 10)
  const counts = async () => {
    await app.insights.flush()
    return (await app.store.readCounts([day]))[0]?.counts ?? {}
  }
  const head = await app.inject({ method: 'HEAD', url: '/go/bund/fuehrungszeugnis' })
  t.equal(head.statusCode, 302)
  t.equal(head.headers.location, 'https://www.fuehrungszeugnis.bund.de/')
  t.equal((await app.inject({ method: 'HEAD', url: '/leistungen/fuehrungszeugnis' })).statusCode, 200)
  t.same(await counts(), {}, 'nothing counted')
  t.equal((await app.inject('/go/bund/fuehrungszeugnis')).statusCode, 302)
  t.equal((await app.inject('/leistungen/fuehrungszeugnis')).statusCode, 200)
  t.same(await counts(), { [field.go('bund', 'fuehrungszeugnis')]: 1, [field.serviceView('fuehrungszeugnis')]: 1 }, 'a GET counts once')
})

t.test('/go redirects only to declared hosts', async (t) => {
  const app = await realApp(t)
  // a start link of the member's own (the portal front page is no longer one, issue 13)
  const res = await app.inject('/go/bund/fuehrungszeugnis')
  t.equal(res.statusCode, 302)
  t.equal(res.headers.location, 'https://www.fuehrungszeugnis.bund.de/')
  t.equal((await app.inject('/go/gladbeck/hund-anmelden')).statusCode, 404, 'portal front page is not a start link')
  // A manifest that slipped a foreign host past validation must still not redirect there.
  const gladbeck = (await app.store.getMember('gladbeck'))!.manifest!
  const evil = structuredClone(gladbeck)
  evil.services[0]!.onlineUrl = 'https://evil.example/'
  await app.store.putManifest('gladbeck', evil, { source: 'api' })
  await app.live.refresh()
  const blocked = await app.inject(`/go/gladbeck/${evil.services[0]!.id}`)
  t.equal(blocked.statusCode, 404)
  t.notOk(blocked.headers.location)
  t.equal((await app.inject('/go/datteln/hund-anmelden')).statusCode, 404, 'no online URL -> 404')
})

// A resident who follows a /go link from a bookmark, a printed flyer or an old
// page gets a page to go on from; a program keeps the problem document.
t.test('a dead /go link: a page for a browser, problem+json for a program', async (t) => {
  const app = await realApp(t)
  const browser = await app.inject({ url: '/go/datteln/hund-anmelden', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } })
  t.equal(browser.statusCode, 404)
  t.match(browser.headers['content-type'], /^text\/html/)
  t.match(browser.body, /Dieser Online-Dienst ist über das Serviceportal nicht \(mehr\) erreichbar/)
  t.match(browser.body, /<form[^>]+action="\/suche"/, 'with the search form')
  t.match(browser.headers['content-security-policy'], /default-src/, 'with the portal\'s security headers')
  t.equal(browser.headers['cache-control'], 'no-store')
  t.ok(browser.headers['x-request-id'])
  const program = await app.inject({ url: '/go/datteln/hund-anmelden', headers: { accept: 'application/json' } })
  t.equal(program.statusCode, 404)
  t.match(program.headers['content-type'], /^application\/problem\+json/)
  t.match(program.json(), { code: 'DP_ERR_GO_TARGET_NOT_FOUND' })
  t.match((await app.inject('/go/datteln/hund-anmelden')).headers['content-type'], /^application\/problem\+json/, 'no Accept: problem+json')
  const other = await app.inject({ url: '/api/v1/services/gibt-es-nicht', headers: { accept: 'text/html' } })
  t.match(other.headers['content-type'], /^application\/problem\+json/, 'other API errors stay problem+json for browsers')
})
