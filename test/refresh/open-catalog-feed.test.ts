// The open catalog (issue 27) through XZuFi feeds: two cities' feeds name the
// same LeiKa key the catalog does not know; the refresher imports both and the
// region answers one service with two offerings, each resident their own city.
// A real HTTP server on 127.0.0.1 serves the feeds.
import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { buildApp } from '../../src/app.js'
import { copyBundledRegion } from '../helpers/region.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'
import { xzufiExport } from '../helpers/xzufi.js'

const KEY = '99123456789000'
const ID = `leika-${KEY}`
const feeds: Record<string, string> = {
  '/gladbeck.xml': xzufiExport('055620014014', 'Grünflächenamt Gladbeck', [{
    id: 'L-1', leikaKey: KEY, name: 'Baumpatenschaft Gladbeck', leikaName: 'Baumpatenschaft übernehmen', summary: 'Pflegen Sie einen Straßenbaum.',
  }]),
  '/marl.xml': xzufiExport('055620024024', 'Umweltamt Marl', [{
    id: 'M-7', leikaKey: KEY, name: 'Baumpaten in Marl', leikaName: 'Baumpatenschaft übernehmen', summary: 'In Marl Baumpate werden.',
  }]),
}

t.test('two feeds with the same unknown LeiKa key give one regional service; each resident gets their own city', async (t) => {
  const server = createServer((req, res) => {
    const body = feeds[req.url ?? '']
    if (body === undefined) return void res.writeHead(404).end()
    res.writeHead(200, { 'content-type': 'application/xml' }).end(body)
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  t.teardown(() => new Promise<void>((done) => { server.closeAllConnections(); server.close(() => done()) }))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const { dir, regionPath, cleanup } = await copyBundledRegion('dp-open-feed-', (m) => {
    if (m.id === 'gladbeck' || m.id === 'marl') Object.assign(m, { xzufi: `${base}/${m.id}.xml`, allowPrivateNetwork: true, refreshIntervalSeconds: 3600 })
  })
  t.teardown(cleanup)
  const app = await buildApp({ settings: { regionConfig: regionPath, dataDir: join(dir, 'data'), pressure: NO_LOAD_SHEDDING } })
  t.teardown(() => app.close())
  await app.ready()

  // the refresher's first round imports both feeds (polled, no timing assertion)
  for (let i = 0; i < 600; i++) {
    const sources = await Promise.all(['gladbeck', 'marl'].map(async (id) => (await app.store.getMember(id))?.meta.source))
    if (sources.every((s) => s === 'xzufi')) break
    await new Promise((done) => setTimeout(done, 25))
  }
  await app.live.refresh()

  const service = (await app.inject(`/api/v1/services/${ID}`)).json()
  t.match(service, { id: ID, leikaKey: KEY, name: 'Baumpatenschaft übernehmen', offeringCount: 2, lifeSituations: ['weitere-leistungen'] })
  t.same(service.offerings.map((o: { member: string; name: string }) => [o.member, o.name]), [['gladbeck', 'Baumpatenschaft Gladbeck'], ['marl', 'Baumpaten in Marl']])
  const gladbeck = (await app.inject(`/api/v1/responsibility?postalCode=45966&service=${ID}`)).json()
  t.match(gladbeck.service, { name: 'Baumpatenschaft übernehmen', forYou: { member: 'gladbeck', office: { name: 'Grünflächenamt Gladbeck' } } })
  const marl = (await app.inject(`/api/v1/responsibility?postalCode=45770&service=${ID}`)).json()
  t.match(marl.service, { forYou: { member: 'marl', office: { name: 'Umweltamt Marl' } } })
  const fallback = (await app.inject('/api/v1/life-situations/weitere-leistungen')).json()
  t.ok(JSON.stringify(fallback).includes(ID), 'unclassified: in the fallback Lebenslage')
  const uncurated = app.live.current.uncurated.find((u) => u.id === ID)
  t.match(uncurated, { nameSource: 'leika', offeringCount: 2, members: ['gladbeck', 'marl'] })
  t.match(uncurated?.disagreements, [/^names differ/], 'the member names differ: the merge report says so')
})
