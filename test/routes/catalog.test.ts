import t from 'tap'
import { realApp } from '../helpers/app.js'

t.test('life situations: taxonomy with counts, and one with its services', async (t) => {
  const app = await realApp(t)
  const list = (await app.inject('/api/v1/life-situations')).json()
  const labels = list.items.map((l: any) => l.label)
  for (const label of ['Gesundheit und Soziales', 'Familie und Kind', 'Unternehmensführung und Entwicklung']) t.ok(labels.includes(label), label)
  // weitere-leistungen is the region's fallback for imported member-local services (issue 24): the bundled manifests fill none
  t.ok(list.items.every((l: any) => (l.serviceCount > 0 || l.id === 'weitere-leistungen') && l.ozgTopic), 'every life situation but the import fallback has services, and each an OZG topic')

  const family = (await app.inject('/api/v1/life-situations/familie-kind?pageSize=100')).json()
  t.equal(family.label, 'Familie und Kind')
  t.equal(family.services.total, family.serviceCount)
  t.ok(family.services.items.every((s: any) => s.lifeSituations.includes('familie-kind')))
})

t.test('services: one regional service per catalog key with every member’s offering', async (t) => {
  const app = await realApp(t)
  const hund = (await app.inject('/api/v1/services/hund-anmelden')).json()
  t.equal(hund.id, 'hund-anmelden')
  t.equal(hund.leikaKey, '99102013104000')
  t.equal(hund.offeringCount, 12, 'twelve cities, one regional service')
  t.same(hund.levels, ['stadt'])
  const gladbeck = hund.offerings.find((o: any) => o.member === 'gladbeck')
  t.match(gladbeck, { level: 'stadt' })
  t.notOk(gladbeck.onlineUrl, 'the portal front page is links.servicePortal, not a start link (issue 13)')
  t.notOk(gladbeck.goUrl)
  t.ok(gladbeck.office?.name, 'office resolved from the manifest')
})

t.test('filters and paging', async (t) => {
  const app = await realApp(t)
  const all = (await app.inject('/api/v1/services?pageSize=100')).json()
  t.ok(all.total > 50)
  t.equal(all.items.length, Math.min(100, all.total))

  const page2 = (await app.inject('/api/v1/services?page=2&pageSize=10')).json()
  t.same(page2.items.map((s: any) => s.id), all.items.slice(10, 20).map((s: any) => s.id))
  t.match(page2, { page: 2, pageSize: 10, total: all.total })
  const beyond = (await app.inject('/api/v1/services?page=999&pageSize=100')).json()
  t.same(beyond.items, [])

  const bund = (await app.inject('/api/v1/services?level=bund&pageSize=100')).json()
  t.ok(bund.items.length > 0 && bund.items.every((s: any) => s.levels.includes('bund')))
  const business = (await app.inject('/api/v1/services?audience=businesses&pageSize=100')).json()
  t.ok(business.items.some((s: any) => s.id === 'gewerbe-anmelden'))
  t.ok(business.items.every((s: any) => s.audiences.includes('businesses')))
  const family = (await app.inject('/api/v1/services?lifeSituation=familie-kind&pageSize=100')).json()
  t.ok(family.items.every((s: any) => s.lifeSituations.includes('familie-kind')))
  const bottrop = (await app.inject('/api/v1/services?member=bottrop&pageSize=100')).json()
  t.ok(bottrop.items.every((s: any) => s.offerings.some((o: any) => o.member === 'bottrop')))
  t.ok(bottrop.items.some((s: any) => s.id === 'fahrzeug-zulassen'), 'Bottrop registers vehicles itself')
  const marl = (await app.inject('/api/v1/services?member=marl&pageSize=100')).json()
  t.notOk(marl.items.some((s: any) => s.id === 'fahrzeug-zulassen'), 'Marl does not (Kreis Recklinghausen does)')
})

t.test('a filter naming an unknown member or life situation is a 400 naming it, as on /search', async (t) => {
  const app = await realApp(t)
  for (const base of ['/api/v1/services', '/api/v1/search?q=hund']) {
    const sep = base.includes('?') ? '&' : '?'
    const res = await app.inject(`${base}${sep}member=gladbek&lifeSituation=familie-kind`)
    t.equal(res.statusCode, 400, base)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.same(res.json().errors, [{ path: '/member', in: 'querystring', message: 'unbekanntes Mitglied: gladbek' }])
    const both = (await app.inject(`${base}${sep}member=gladbek&lifeSituation=familie`)).json()
    t.same(both.errors.map((e: { path: string }) => e.path), ['/member', '/lifeSituation'], 'every bad filter named')
  }
})

t.test('postalCode: what applies to a resident, with forYou', async (t) => {
  const app = await realApp(t)
  const gladbeck = (await app.inject('/api/v1/services?postalCode=45964&pageSize=100')).json()
  const byId = new Map(gladbeck.items.map((s: any) => [s.id, s]))
  t.equal((byId.get('hund-anmelden') as any).forYou.member, 'gladbeck')
  t.equal((byId.get('fahrzeug-zulassen') as any).forYou.member, 'kreis-recklinghausen')
  t.equal((byId.get('fuehrungszeugnis') as any).forYou.member, 'gladbeck', 'the Bürgerbüro is more local than the Bund')
  t.equal((byId.get('kindergeld') as any).forYou.member, 'bund')
  t.equal((byId.get('bafoeg') as any).forYou.member, 'nrw')
  t.notOk(byId.has('bottrop:' + 'x'))
  const bottrop = (await app.inject('/api/v1/services?postalCode=46236&pageSize=100')).json()
  t.equal(bottrop.items.find((s: any) => s.id === 'fahrzeug-zulassen').forYou.member, 'bottrop')
})

t.test('a Bund service is visible for every member’s residents', async (t) => {
  const app = await realApp(t)
  const members = (await app.inject('/api/v1/members?level=stadt&pageSize=100')).json().items
  t.equal(members.length, 12)
  for (const m of members) {
    const res = (await app.inject(`/api/v1/services?postalCode=${m.postalCodes[0]}&level=bund&pageSize=100`)).json()
    const fz = res.items.find((s: any) => s.id === 'fuehrungszeugnis')
    t.ok(fz?.offerings.some((o: any) => o.member === 'bund'), `${m.id}: Führungszeugnis with the Bund's online offering`)
    const kg = res.items.find((s: any) => s.id === 'kindergeld')
    t.equal(kg?.forYou?.member, 'bund', `${m.id}: Kindergeld from the Bund`)
  }
})

t.test('ETag and If-None-Match -> 304 on catalog routes', async (t) => {
  const app = await realApp(t)
  for (const url of ['/api/v1/region', '/api/v1/members', '/api/v1/members/gladbeck', '/api/v1/life-situations', '/api/v1/life-situations/tiere', '/api/v1/services?postalCode=45964', '/api/v1/services/hund-anmelden', '/api/v1/responsibility?postalCode=45964']) {
    const first = await app.inject(url)
    t.equal(first.statusCode, 200, url)
    const etag = first.headers.etag as string
    t.match(etag, /^W\/"v\d+/, `${url} has a weak ETag (sent as identity, br or gzip)`)
    t.match(first.headers['cache-control'], /max-age=\d+/)
    const second = await app.inject({ url, headers: { 'if-none-match': etag } })
    t.equal(second.statusCode, 304, `${url} -> 304`)
    t.equal(second.body, '')
    t.match(second.headers.vary, /accept-encoding/, `${url}: the 304 carries the Vary of its 200`)
    const stale = await app.inject({ url, headers: { 'if-none-match': '"v0"' } })
    t.equal(stale.statusCode, 200, `${url} with an old ETag -> 200`)
  }
})

t.test('a new manifest version changes the ETag and is served at once', async (t) => {
  const app = await realApp(t)
  const before = await app.inject('/api/v1/services/hund-anmelden')
  const gladbeck = (await app.store.getMember('gladbeck'))!.manifest!
  const changed = structuredClone(gladbeck)
  changed.services = changed.services.filter((s) => s.key !== 'hund-anmelden')
  await app.store.putManifest('gladbeck', changed, { source: 'api' })
  await app.live.refresh()
  const after = await app.inject({ url: '/api/v1/services/hund-anmelden', headers: { 'if-none-match': before.headers.etag as string } })
  t.equal(after.statusCode, 200)
  t.not(after.headers.etag, before.headers.etag)
  t.notOk(after.json().offerings.some((o: any) => o.member === 'gladbeck'))
})

t.test('one service: each postal code its own answer, served again unchanged, a LeiKa key shares it', async (t) => {
  const app = await realApp(t)
  const gladbeck = await app.inject('/api/v1/services/hund-anmelden?postalCode=45964')
  const datteln = await app.inject('/api/v1/services/hund-anmelden?postalCode=45711')
  t.equal(gladbeck.json().forYou.member, 'gladbeck')
  t.equal(datteln.json().forYou.member, 'datteln')
  const again = await app.inject('/api/v1/services/hund-anmelden?postalCode=45964')
  t.equal(again.body, gladbeck.body, 'the same bytes the second time')
  t.equal(again.headers['content-type'], 'application/json; charset=utf-8')
  t.notOk('forYou' in (await app.inject('/api/v1/services/hund-anmelden')).json(), 'without a postal code, no forYou')
  const byLeika = await app.inject(`/api/v1/services/${gladbeck.json().leikaKey}?postalCode=45964`)
  t.equal(byLeika.statusCode, 200)
  t.equal(byLeika.body, gladbeck.body, 'the LeiKa key names the same service, the same answer')
})
