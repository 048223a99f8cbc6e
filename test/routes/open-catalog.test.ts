// The open regional catalog (issue 27) through the HTTP API: two members
// import the same LeiKa key the catalog does not know; the region answers one
// service with two offerings, and every answer treats it like a catalog service.
import t, * as Tap from 'tap'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { sha256Hex } from '../../src/auth/token.js'
import { REPO } from '../helpers/region.js'
import { NO_LOAD_SHEDDING, realApp } from '../helpers/app.js'
import { makeRegion, manifest, service } from '../helpers/region.js'
import { sharingMembers } from '../helpers/shared-service.js'
import { DEST_ALPHA, DEST_BETA, SIG } from '../helpers/fit-connect-region.js'
import { xzufiExport } from '../helpers/xzufi.js'
// @ts-expect-error plain ESM script without types
import { run as uncuratedCli } from '../../scripts/uncurated.mjs'

const KEY = '99123456789000'
const ID = `leika-${KEY}`
const REGION_TOKEN = 'tok-region'

export const GLADBECK = xzufiExport('055620014014', 'Grünflächenamt Gladbeck', [{
  id: 'L-1', leikaKey: KEY, name: 'Straßenbaumpatenschaft übernehmen', summary: 'Übernehmen Sie die Pflege eines Straßenbaums vor Ihrem Haus.',
  onlineUrl: 'https://serviceportal.gladbeck.de/baumpatenschaft',
}])
export const MARL = xzufiExport('055620024024', 'Umweltamt Marl', [{
  id: 'M-7', leikaKey: KEY, name: 'Baumpatenschaft', summary: 'In Marl können Bürgerinnen und Bürger Baumpaten werden.', categories: ['Umwelt und Abfall'],
}])

async function gateway(t: Tap.Test): Promise<FastifyInstance> {
  const dir = await mkdtemp(join(tmpdir(), 'dp-open-'))
  await cp(join(REPO, 'config'), join(dir, 'config'), { recursive: true })
  await cp(join(REPO, 'members'), join(dir, 'members'), { recursive: true })
  const regionPath = join(dir, 'config', 'region.json')
  const region = JSON.parse(await readFile(regionPath, 'utf8'))
  for (const m of region.members) if (m.id === 'gladbeck' || m.id === 'marl') m.tokenSha256 = sha256Hex(`tok-${m.id}`)
  await writeFile(regionPath, JSON.stringify(region))
  const app = await buildApp({
    settings: { regionConfig: regionPath, dataDir: join(dir, 'data'), pressure: NO_LOAD_SHEDDING, regionAdminTokenSha256: sha256Hex(REGION_TOKEN) },
  })
  t.teardown(async () => {
    await app.close()
    await rm(dir, { recursive: true, force: true })
  })
  return app
}

const importFeed = (app: FastifyInstance, member: string, xml: string) => app.inject({
  method: 'POST',
  url: `/api/v1/admin/members/${member}/import`,
  headers: { 'content-type': 'application/xml', authorization: `Bearer tok-${member}` },
  payload: xml,
})

/** the search index is rebuilt after the catalog swap: poll until it answers (no timing assertion) */
async function searchUntil(app: FastifyInstance, url: string, found: (body: any) => boolean): Promise<any> {
  let body: any
  for (let i = 0; i < 200; i++) {
    body = (await app.inject(url)).json()
    if (found(body)) return body
    await new Promise((r) => setTimeout(r, 50))
  }
  return body
}

t.test('two members importing the same unknown LeiKa key give one regional service; each resident\'s answer names the right member', async (t) => {
  const app = await gateway(t)
  for (const [member, xml] of [['gladbeck', GLADBECK], ['marl', MARL]] as const) {
    const res = await importFeed(app, member, xml)
    t.equal(res.statusCode, 200, res.body)
    t.match(res.json().report.mapped, { services: 1, localServices: 1 }, `${member}: imported`)
  }
  await app.live.refresh()

  const service = (await app.inject(`/api/v1/services/${ID}`)).json()
  t.match(service, { id: ID, leikaKey: KEY, offeringCount: 2, lifeSituations: ['umwelt-abfall'] })
  t.same(service.offerings.map((o: { member: string }) => o.member), ['gladbeck', 'marl'])
  t.notOk(service.key, 'uncurated: no catalog key')
  t.ok(['Straßenbaumpatenschaft übernehmen', 'Baumpatenschaft'].includes(service.name), 'a member\'s own name')

  // responsibility: each resident gets their own city
  const gladbeck = (await app.inject(`/api/v1/responsibility?postalCode=45964&service=${ID}`)).json()
  t.match(gladbeck.service.forYou, { member: 'gladbeck', office: { name: 'Grünflächenamt Gladbeck' } })
  t.match(gladbeck.service.alternatives, [{ member: 'marl' }], 'the other city is an alternative')
  const marl = (await app.inject(`/api/v1/responsibility?postalCode=45768&service=${ID}`)).json()
  t.match(marl.service.forYou, { member: 'marl', office: { name: 'Umweltamt Marl' } })
  const dorsten = (await app.inject(`/api/v1/responsibility?postalCode=46282&service=${ID}`)).json()
  t.notOk(dorsten.service.forYou, 'Dorsten offers it not: no offering is a guess')

  // routes by LeiKa key (JSON API and FIT-Connect surface)
  const routes = (await app.inject(`/api/v1/routes?leikaKey=${KEY}&postalCode=45768`)).json()
  t.match(routes, { totalCount: 1, routes: [{ member: 'marl' }] })
  const fit = await app.inject(`/fit-connect/v1/routes?leikaKey=${KEY}&ars=055620014014`)
  t.equal(fit.statusCode, 200, 'FIT-Connect answers (no destination declared: no route)')

  // /go: Gladbeck's online service, through the regional service's offering
  const offering = service.offerings.find((o: { member: string }) => o.member === 'gladbeck')
  t.match(offering.goUrl, /^\/go\/gladbeck\//)
  const go = await app.inject(offering.goUrl)
  t.equal(go.statusCode, 302)
  t.equal(go.headers.location, 'https://serviceportal.gladbeck.de/baumpatenschaft')

  // Lebenslage, search (one hit for both cities), coverage
  const ls = (await app.inject('/api/v1/life-situations/umwelt-abfall')).json()
  t.ok(JSON.stringify(ls).includes(ID), 'listed in its Lebenslage')
  const search = await searchUntil(app, '/api/v1/search?q=Baumpatenschaft&postalCode=45768', // the index of the catalog with both imports
    (b) => b.hits?.some((h: { service: { id: string; offeringCount: number } }) => h.service.id === ID && h.service.offeringCount === 2))
  const hits = search.hits.filter((h: { service: { leikaKey?: string } }) => h.service.leikaKey === KEY)
  t.equal(hits.length, 1, 'one regional hit, not one per city')
  t.match(hits[0], { service: { id: ID, forYou: { member: 'marl' } } })
  const coverage = (await app.inject('/api/v1/coverage')).json()
  t.ok(coverage.services.some((s: { id: string }) => s.id === ID), 'a coverage column')
  const row = coverage.members.find((m: { member?: string; id?: string }) => (m.member ?? m.id) === 'gladbeck')
  t.match(JSON.stringify(row), new RegExp(`"service":"${ID}","state":"online"`), 'Gladbeck offers it online')
  const page = await app.inject(`/leistungen/${ID}?plz=45964`)
  t.equal(page.statusCode, 200)
  t.match(page.body, /Grünflächenamt Gladbeck/)
  const abdeckung = await app.inject('/abdeckung')
  t.equal(abdeckung.statusCode, 200)
  t.match(abdeckung.body, service.name, 'a column of the coverage page')
  const lebenslage = await app.inject('/lebenslagen/umwelt-abfall')
  t.match(lebenslage.body, `/leistungen/${ID}`, 'linked from its Lebenslage page')
})

t.test('the curator\'s list: uncurated services with offering count, names and Lebenslagen (region token); the script prints the same', async (t) => {
  const app = await gateway(t)
  for (const [member, xml] of [['gladbeck', GLADBECK], ['marl', MARL]] as const) t.equal((await importFeed(app, member, xml)).statusCode, 200)
  await app.live.refresh()
  const url = '/api/v1/admin/catalog/uncurated'
  t.equal((await app.inject(url)).statusCode, 401, 'no token')
  t.equal((await app.inject({ url, headers: { authorization: 'Bearer tok-gladbeck' } })).statusCode, 401, 'a member token is not the region\'s')
  const res = await app.inject({ url, headers: { authorization: `Bearer ${REGION_TOKEN}` } })
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.headers['cache-control'], 'no-store')
  const list = res.json()
  t.match(list, { total: 1, services: [{
    id: ID, leikaKey: KEY, offeringCount: 2, members: ['gladbeck', 'marl'], nameSource: 'members',
    names: [{ count: 1 }, { count: 1 }], lifeSituations: ['umwelt-abfall'],
    disagreements: [/^names differ/, /^Lebenslagen differ: "umwelt-abfall" \(marl\); "weitere-leistungen" \(gladbeck\)/],
  }] })
  t.equal((await app.inject({ url: `${url}?limit=0`, headers: { authorization: `Bearer ${REGION_TOKEN}` } })).statusCode, 400)

  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address() as { port: number }
  const lines: string[] = []
  const errs: string[] = []
  const code = await uncuratedCli(['--url', `http://127.0.0.1:${address.port}`], { REGION_ADMIN_TOKEN: REGION_TOKEN }, (l: string) => lines.push(l), (l: string) => errs.push(l))
  t.equal(code, 0, errs.join('\n'))
  t.match(lines.join('\n'), new RegExp(`1 uncurated service\\(s\\)[^]*${ID} {2}${list.services[0].name} {2}\\(2 offering\\(s\\): gladbeck, marl\\)[^]*Lebenslagen: umwelt-abfall[^]*! names differ`))
  t.equal(await uncuratedCli(['--url', `http://127.0.0.1:${address.port}`], { REGION_ADMIN_TOKEN: 'wrong' }, () => {}, () => {}), 1, 'a wrong token fails')
  t.equal(await uncuratedCli([], {}, () => {}, () => {}), 2, 'no token: usage')
})

t.test('FIT-Connect routes a merged LeiKa service to each city\'s declared destination', async (t) => {
  const city = (id: string, destinationId: string) => ({
    ...manifest(id, [service('baumpate', { name: `Baumpatenschaft ${id}`, leikaKey: KEY, lifeSituations: ['umwelt-abfall'], office: 'amt', fitConnect: { destinationId, destinationSignature: SIG } } as never)], {
      offices: [{ id: 'amt', name: `Grünflächenamt ${id}` }] as never,
    }),
    schemaVersion: 2 as const,
  }) as never
  const region = await makeRegion(sharingMembers(), { kreis: null, alpha: city('alpha', DEST_ALPHA), beta: city('beta', DEST_BETA), gamma: null, delta: null })
  t.teardown(region.cleanup)
  const app = await realApp(t, { regionConfig: region.regionPath, rateLimit: false })
  t.match((await app.inject(`/api/v1/services/${ID}`)).json(), { offeringCount: 2 })
  const kreis = (await app.inject(`/fit-connect/v1/routes?leikaKey=${KEY}&ars=05562`)).json()
  t.same(kreis.routes.map((r: { destinationId: string }) => r.destinationId).sort(), [DEST_ALPHA, DEST_BETA].sort(), 'every city of the Kreis with its destination')
  const alpha = (await app.inject(`/fit-connect/v1/routes?leikaKey=${KEY}&ars=055620004004`)).json()
  t.same(alpha.routes.map((r: { destinationId: string }) => r.destinationId), [DEST_ALPHA], 'alpha\'s resident: alpha\'s destination')
})
