// The bundled data after the corrections of issue 13, through the public API:
// who is responsible, and the real shared online services.
import t from 'tap'
import { realApp } from '../helpers/app.js'

t.test('responsibility after the corrections', async (t) => {
  const app = await realApp(t)
  const forYou = async (postalCode: string, service: string) => {
    const res = await app.inject(`/api/v1/responsibility?postalCode=${postalCode}&service=${service}`)
    t.equal(res.statusCode, 200)
    return res.json().service?.forYou?.member as string | undefined
  }
  t.equal(await forYou('45711', 'baugenehmigung'), 'datteln', 'Bauantrag in Datteln: the Mittlere Stadt is its own Bauaufsicht')
  for (const [code, city] of [['45721', 'haltern-am-see'], ['45739', 'oer-erkenschwick'], ['45731', 'waltrop']]) {
    t.equal(await forYou(code!, 'bauvoranfrage'), city)
  }
  t.equal(await forYou('45964', 'einbuergerung'), 'gladbeck', 'Einbürgerung in Gladbeck: the Große Stadt itself')
  t.equal(await forYou('45721', 'einbuergerung'), 'kreis-recklinghausen', 'Einbürgerung in Haltern am See: the Kreis')
  const zulassung = (await app.inject('/api/v1/responsibility?postalCode=45964&service=fahrzeug-zulassen')).json().service.forYou
  t.match(zulassung, { member: 'kreis-recklinghausen', office: { name: /Straßenverkehrsamt.*Marl/ } })
})

t.test('bundled shared services: Bauportal.NRW used only where a source confirms it; no portal root as a start link', async (t) => {
  const app = await realApp(t)
  const list = (await app.inject('/api/v1/online-services?provider=nrw&shared=true')).json()
  const bauportal = list.items.find((o: { id: string }) => o.id === 'nrw:bauportal')
  t.ok(bauportal, 'listed')
  const users = new Set(bauportal.users.map((u: { member: string }) => u.member))
  // joining is voluntary (issue 28): Haltern am See is confirmed; no source confirms the others
  t.ok(users.has('haltern-am-see'), 'Haltern am See uses it')
  for (const city of ['bottrop', 'castrop-rauxel', 'datteln', 'dorsten', 'gelsenkirchen', 'gladbeck', 'herten', 'marl', 'oer-erkenschwick', 'recklinghausen', 'waltrop']) {
    t.notOk(users.has(city), `${city} is not claimed without a source`)
  }
  const go = await app.inject('/go/haltern-am-see/baugenehmigung')
  t.equal(go.statusCode, 302)
  t.equal(go.headers.location, 'https://www.bauportal.nrw/')
  t.not((await app.inject('/go/datteln/baugenehmigung')).headers.location, 'https://www.bauportal.nrw/', 'Datteln no longer sends the Bauantrag to Bauportal.NRW')
  const personalausweis = (await app.inject('/api/v1/services/personalausweis')).json()
  const gladbeck = personalausweis.offerings.find((o: { member: string }) => o.member === 'gladbeck')
  t.notOk(gladbeck.onlineUrl, 'Gladbeck no longer sends Personalausweis to its portal front page')
  t.notOk(gladbeck.trustLevel, 'no unsourced trust level')
  t.equal((await app.inject('/api/v1/members/gladbeck')).json().portalUrl, 'https://serviceportal.gladbeck.de/')
})
