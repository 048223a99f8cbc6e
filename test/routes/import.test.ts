// POST /api/v1/admin/members/:id/import through the real app: XZuFi fixture ->
// manifest -> search and responsibility answers; hostile XML is a clear 4xx
// and nothing changes.
import t, * as Tap from 'tap'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../../src/app.js'
import { sha256Hex } from '../../src/auth/token.js'
import { REPO } from '../helpers/region.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'

const NS = 'http://xoev.de/schemata/xzufi/2_2_0'

async function app(t: Tap.Test) {
  const dir = await mkdtemp(join(tmpdir(), 'dp-import-'))
  await cp(join(REPO, 'config'), join(dir, 'config'), { recursive: true })
  await cp(join(REPO, 'members'), join(dir, 'members'), { recursive: true })
  const regionPath = join(dir, 'config', 'region.json')
  const region = JSON.parse(await readFile(regionPath, 'utf8'))
  for (const m of region.members) if (m.id === 'gladbeck') m.tokenSha256 = sha256Hex('tok-gladbeck')
  await writeFile(regionPath, JSON.stringify(region))
  const instance = await buildApp({ settings: { regionConfig: regionPath, dataDir: join(dir, 'data'), pressure: NO_LOAD_SHEDDING } })
  t.teardown(async () => {
    await instance.close()
    await rm(dir, { recursive: true, force: true })
  })
  return instance
}

const post = (body: string | Buffer, headers: Record<string, string> = {}, token = 'tok-gladbeck') => ({
  method: 'POST' as const,
  url: '/api/v1/admin/members/gladbeck/import',
  headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}`, ...headers },
  payload: body,
})
const fixture = (name: string) => readFile(join(REPO, 'test', 'fixtures', 'xzufi', name))

t.test('golden: Gladbeck fixtures -> manifest -> search and responsibility', async (t) => {
  const gw = await app(t)
  const before = (await gw.inject('/api/v1/responsibility?postalCode=45964&service=hund-anmelden')).json()
  const res = await gw.inject(post(await fixture('gladbeck-hund.xml'), { 'content-type': 'application/x-xzufi+xml; charset=utf-8' }))
  t.equal(res.statusCode, 200, res.body)
  const body = res.json()
  t.match(body, { member: 'gladbeck', version: Number, report: { mapped: { services: 2, onlineServices: 1 } } })
  t.ok(body.report.dropped.some((d: { id: string }) => d.id === 'OD-2'))
  await gw.live.refresh?.()
  const stored = (await gw.inject({ url: '/api/v1/admin/members/gladbeck/manifest', headers: { authorization: 'Bearer tok-gladbeck' } })).json()
  t.equal(stored.links.website, 'https://www.gladbeck.de/', 'links kept from the previous manifest')
  const resp = (await gw.inject('/api/v1/responsibility?postalCode=45964&service=hund-anmelden')).json()
  t.equal(resp.service.forYou.member, 'gladbeck')
  t.not(JSON.stringify(resp.service.forYou), JSON.stringify(before.service?.forYou), 'the offering changed with the import')
  // the search index is rebuilt after the catalog swap: wait for it (no timing assertion)
  let found = ''
  for (let i = 0; i < 100 && !found.includes('Hundesteuer: Änderung melden'); i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 100))
    found = (await gw.inject('/api/v1/search?q=Hundesteuer%20%C3%84nderung%20melden')).body
  }
  t.match(found, /Hundesteuer: Änderung melden/, 'the member-local service is found')
  t.notMatch(found, /<script|alert\(/, 'no markup from the import')
})

t.test('hostile XML: a clear 4xx and nothing changed', async (t) => {
  const gw = await app(t)
  const manifestNow = async () => (await gw.inject({ url: '/api/v1/admin/members/gladbeck/manifest', headers: { authorization: 'Bearer tok-gladbeck' } })).body
  const original = await manifestNow()
  const lol = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`)].join('')
  const cases: [string, string | Buffer, number, RegExp, Record<string, string>?][] = [
    ['XXE with a local file', `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x:t xmlns:x="${NS}"><x:leistung><x:id>&xxe;</x:id></x:leistung></x:t>`, 422, /doctype/],
    ['billion laughs', `<?xml version="1.0"?><!DOCTYPE l [${lol}]><x:t xmlns:x="${NS}">&lol9;</x:t>`, 422, /doctype/],
    ['10 000-deep nesting', `<x:t xmlns:x="${NS}">${'<x:a>'.repeat(10_000)}${'</x:a>'.repeat(10_000)}</x:t>`, 422, /depth/],
    ['wrong namespace', '<t xmlns="urn:example:other"/>', 422, /namespace/],
    ['wrong encoding', Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?><x:t xmlns:x="${NS}">\u00e4</x:t>`, 'latin1'), 422, /encoding/],
    ['2 GB declared length', '<x/>', 413, /./, { 'content-length': String(2 * 1024 ** 3) }],
    ['JSON on the import route', '{}', 415, /./, { 'content-type': 'application/json' }],
  ]
  for (const [name, payload, status, pattern, headers] of cases) {
    const res = await gw.inject(post(payload, headers))
    t.equal(res.statusCode, status, `${name}: ${res.body.slice(0, 200)}`)
    t.match(res.headers['content-type'], /^application\/problem\+json/, name)
    t.match(res.body, pattern, name)
    t.notMatch(res.body, /root:x:0/, `${name}: no file content`)
  }
  t.equal((await gw.inject(post('<x/>', {}, 'tok-wrong'))).statusCode, 401)
  t.equal((await gw.inject({ ...post('<x/>'), url: '/api/v1/admin/members/gladbeck/manifest', method: 'PUT' })).statusCode, 415, 'XML on the PUT route')
  t.equal((await gw.inject({ ...post('<x/>', { 'content-type': 'text/xml' }), url: '/api/v1/admin/members/gladbeck/manifest', method: 'PUT' })).statusCode, 415, 'text/xml on the PUT route')
  t.equal(await manifestNow(), original, 'the last good manifest stays')
})

t.test('an export that maps no service (another city\'s, or an empty one) is a 422 with the report; the manifest stays', async (t) => {
  const gw = await app(t)
  const manifestNow = async () => (await gw.inject({ url: '/api/v1/admin/members/gladbeck/manifest', headers: { authorization: 'Bearer tok-gladbeck' } })).body
  const original = await manifestNow()
  // Marl's Zuständigkeiten only (Marl's ARS): nothing is in Gladbeck's area
  const marls = (await fixture('gladbeck-hund.xml')).toString('utf8').replace(/055620014014/g, '055620024024')
  for (const [name, payload] of [['another city\'s export', marls], ['an empty transfer', `<x:t xmlns:x="${NS}"></x:t>`]] as const) {
    const res = await gw.inject(post(payload))
    t.equal(res.statusCode, 422, `${name}: ${res.body.slice(0, 300)}`)
    t.match(res.json(), { code: 'DP_ERR_MANIFEST_INVALID', errors: [{ path: '/services', message: /no Leistung could be mapped for gladbeck/ }] }, name)
    t.match(res.body, /mapping report: 0 services/, name)
    t.equal(res.json().detail, 'Das Manifest ist ungültig: 1 Fehler.', `${name}: the report line is not counted as an error`)
  }
  // the city IT team sees why, not only how many were dropped
  const messages = (await gw.inject(post(marls))).json().errors.map((e: { message: string }) => e.message)
  t.ok(messages.includes('dropped leistung L-200 "Hund anmelden": no Zuständigkeit in the member\'s area (belongs to marl: import it there)'), messages.join('\n'))
  t.equal(messages.filter((m: string) => m.startsWith('dropped ')).length, 6, 'every dropped item (up to 20)')
  t.equal(await manifestNow(), original, 'the last good manifest stays')
})

t.test('If-Match on an import: a stale ETag is a 412 before the export is mapped, and nothing changes', async (t) => {
  const gw = await app(t)
  const read = async () => gw.inject({ url: '/api/v1/admin/members/gladbeck/manifest', headers: { authorization: 'Bearer tok-gladbeck', 'accept-encoding': 'br, gzip' } })
  const before = await read()
  const etag = String(before.headers.etag)
  t.match(etag, /^"[0-9a-f]{40}"$/)
  t.ok(before.body.length > 1024 && before.headers['content-encoding'] === undefined, 'sent uncompressed (a strong ETag names one byte sequence)')
  const stale = await gw.inject(post(await fixture('gladbeck-hund.xml'), { 'content-type': 'application/xml', 'if-match': '"0000000000000000000000000000000000000000"' }))
  t.equal(stale.statusCode, 412)
  t.match(stale.json(), { code: 'DP_ERR_MANIFEST_CHANGED' })
  t.equal(stale.headers.etag, etag, 'the 412 names the current manifest')
  t.equal((await read()).body, before.body, 'nothing stored')
  // text/xml is XML too (was a 415)
  const ok = await gw.inject(post(await fixture('gladbeck-hund.xml'), { 'content-type': 'text/xml; charset=utf-8', 'if-match': etag }))
  t.equal(ok.statusCode, 200)
  const after = await read()
  t.not(after.headers.etag, etag)
  t.equal(ok.headers.etag, after.headers.etag, 'the 200 carries the ETag of what is now stored')
})

t.test('the full Leistungsbeschreibung through the route: new fields in the API, unknown LeiKa found by search, /api/v1/routes and the portal; Kreis and Land add nothing', async (t) => {
  const gw = await app(t)
  const res = await gw.inject(post(await fixture('gladbeck-full.xml')))
  t.equal(res.statusCode, 200, res.body)
  const report = res.json().report
  t.match(report, { mapped: { services: 3, catalogServices: 1, localServices: 2 } })
  t.ok(report.dropped.some((d: { id: string; reason: string }) => d.id === 'OE-K' && /belongs to kreis-recklinghausen: import it there/.test(d.reason)))
  t.ok(report.dropped.some((d: { id: string; reason: string }) => d.id === 'L-520' && d.reason === 'validity ended on 2025-12-31 (gueltigkeit): skipped'))
  t.ok(report.unknownCodes.length > 0, 'unknown codes in the answer')
  await gw.live.refresh?.()
  const service = (await gw.inject('/api/v1/services/wohnsitz-anmelden')).json()
  const offering = service.offerings.find((o: { member: string }) => o.member === 'gladbeck')
  t.match(offering, {
    requirements: /^Sie sind in eine Wohnung/,
    procedure: ['Termin online buchen.', 'Mit den Unterlagen ins Bürgerbüro kommen.', 'Die Meldebestätigung mitnehmen.'],
    deadlines: 'Innerhalb von zwei Wochen nach dem Einzug.',
    processingTime: { min: 1, max: 3, unit: 'workday' },
    feeItems: [{ amount: 0, currency: 'EUR' }, { amount: 5, currency: 'EUR' }],
    office: { name: 'Bürgerbüro Gladbeck', phone: '02043 99-0', email: 'buergerbuero@stadt-gladbeck.de', openingHours: ['Mo–Fr 8:00–12:00', 'Do 14:00–18:00'] },
    contactPoints: [{ name: 'Servicecenter Rathaus' }],
  })
  // the Kreis-wide and Land-wide Zuständigkeiten did not give Gladbeck an offering of its own
  for (const key of ['bewohnerparkausweis', 'bafoeg']) {
    const s = (await gw.inject(`/api/v1/services/${key}`)).json()
    t.notOk(s.offerings?.some((o: { member: string; office?: { name: string } }) => o.member === 'gladbeck' && /Straßenverkehrsamt|Studierendenwerk/.test(o.office?.name ?? '')), key)
  }
  // member-local service with an unknown LeiKa key: search (after the index swap), routes, portal
  let found = ''
  for (let i = 0; i < 100 && !found.includes('Brauchtumsfeuer anmelden'); i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 100))
    found = (await gw.inject('/api/v1/search?q=Brauchtumsfeuer')).body
  }
  t.match(found, /Brauchtumsfeuer anmelden/, 'search finds it')
  const routes = (await gw.inject('/api/v1/routes?leikaKey=99400777001000&postalCode=45964')).json()
  t.match(routes, { totalCount: 1, routes: [{ member: 'gladbeck', onlineService: { url: 'https://serviceportal.gladbeck.de/brauchtumsfeuer' } }] })
  const page = await gw.inject('/suche?q=Brauchtumsfeuer')
  t.equal(page.statusCode, 200)
  t.match(page.body, /Brauchtumsfeuer anmelden/, 'the portal finds it')
  const lifeSituation = (await gw.inject('/api/v1/life-situations/weitere-leistungen')).json()
  t.match(JSON.stringify(lifeSituation), /Brauchtumsfeuer anmelden/, 'in the fallback Lebenslage')
})
