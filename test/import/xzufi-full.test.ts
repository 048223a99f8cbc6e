// The full Leistungsbeschreibung from XZuFi (issue 24 item 2): every text
// module and module onto its manifest field, rolle 01/02 whatever the order,
// only Zuständigkeiten in the member's own area, unknown LeiKa keys kept as
// member-local services, expired descriptions skipped, unknown codes reported.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { loadRegionData } from '../../src/config/load.js'
import { validateManifest } from '../../src/manifest/validate.js'
import { mapAndValidate, mapContextFor, readXzufi } from '../../src/import/xzufi-import.js'
import { arsWithin, ownerOf } from '../../src/import/areas.js'

const data = await loadRegionData('config/region.json')
const member = (id: string) => data.region.members.find((m) => m.id === id)!
const now = new Date('2026-11-29T12:00:00Z')

async function importXml(id: string, xml: string | Buffer) {
  const m = member(id)
  const { records, version } = await readXzufi(Buffer.from(xml))
  return mapAndValidate(records, mapContextFor(data, m, { website: `https://${m.allowedHosts[0]}/` }, version, now), (doc) => validateManifest(doc, {
    memberId: m.id,
    allowedHosts: m.allowedHosts,
    lifeSituationIds: new Set(data.lifeSituations.map((l) => l.id)),
    serviceKeys: new Set(data.serviceCatalog.map((e) => e.key)),
    members: new Map(data.region.members.map((x) => [x.id, { ars: x.ars }])),
  }))
}
const full = () => readFile('test/fixtures/xzufi/gladbeck-full.xml')

t.test('areas: inside means the own area or below it, never a parent; the owner is the most specific member', async (t) => {
  t.ok(arsWithin('055620014014', '055620014014'))
  t.ok(arsWithin('055620014014', '055620000000'), 'Gladbeck lies in the Kreis')
  t.notOk(arsWithin('055620000000', '055620014014'), 'the Kreis does not lie in Gladbeck')
  t.notOk(arsWithin('050000000000', '055620014014'), 'nor the Land')
  t.notOk(arsWithin('055620024024', '055620014014'), 'nor Marl')
  const members = data.region.members
  t.equal(ownerOf('055620000000', members), 'kreis-recklinghausen')
  t.equal(ownerOf('050000000000', members), 'nrw')
  t.equal(ownerOf('055000000000', members), 'nrw', 'a Regierungsbezirk: its Land')
  t.equal(ownerOf('055620024024', members), 'marl')
  t.equal(ownerOf('091620000000', members), undefined, 'outside the region')
})

t.test('an export with all modules fills every new field', async (t) => {
  const r = await importXml('gladbeck', await full())
  t.ok(r.ok, JSON.stringify(r.errors))
  const s = r.manifest.services.find((x) => x.key === 'wohnsitz-anmelden')!
  t.ok(s, 'catalog service mapped')
  t.equal(s.requirements, 'Sie sind in eine Wohnung in Gladbeck eingezogen.\n\n- Sie melden sich persönlich an\n- oder durch eine bevollmächtigte Person')
  t.same(s.procedure, ['Termin online buchen.', 'Mit den Unterlagen ins Bürgerbüro kommen.', 'Die Meldebestätigung mitnehmen.'])
  t.equal(s.deadlines, 'Innerhalb von zwei Wochen nach dem Einzug.')
  t.same(s.processingTime, { text: 'In der Regel 1 bis 3 Werktage, meist sofort.', min: 1, max: 3, unit: 'workday' })
  t.same(s.legalBasis, [
    { title: '§ 17 Bundesmeldegesetz (BMG)', url: 'https://www.gesetze-im-internet.de/bmg/__17.html' },
    { title: '§ 19 Bundesmeldegesetz (BMG)' },
  ])
  t.same(s.forms, [{ title: 'Anmeldeformular (PDF)', url: 'https://www.gladbeck.de/formulare/anmeldung.pdf' }], "a form on a foreign host is left out")
  t.same(s.furtherInformation, [{ title: 'Personalausweisportal', url: 'https://www.personalausweisportal.de/Webs/PA/DE/buergerinnen-und-buerger/buergerinnen-und-buerger-node.html' }], 'German links only')
  t.equal(s.notes, 'Die Anmeldung ist gebührenfrei, nur die Bestätigung kostet.')
  t.equal(s.fees, 'Anmeldung gebührenfrei; Meldebestätigung 5,00 Euro')
  t.same(s.feeItems, [{ amount: 0, currency: 'EUR', text: 'Anmeldung' }, { amount: 5, currency: 'EUR', text: 'Meldebestätigung' }])
  t.same(s.documents, ['Personalausweis oder Reisepass', 'Wohnungsgeberbestätigung'])
  t.same(s.synonyms, ['Ummeldung'], 'modulBegriffImKontext')
  t.equal(s.updatedAt, '2026-10-02T09:30:00.000Z', 'versionsinformation/geaendertDatumZeit')
  const office = r.manifest.offices.find((o) => o.id === s.office)!
  t.same(office, {
    id: 'buergerbuero-gladbeck',
    name: 'Bürgerbüro Gladbeck',
    address: { street: 'Willy-Brandt-Platz 2', postalCode: '45964', city: 'Gladbeck' },
    openingHours: ['Mo–Fr 8:00–12:00', 'Do 14:00–18:00'],
    phone: '02043 99-0',
    email: 'buergerbuero@stadt-gladbeck.de',
    url: 'https://www.gladbeck.de/buergerbuero',
  })
  t.same(s.contactPoints, ['servicecenter-rathaus'], 'rolle 02 Ansprechpunkt')
  const notMapped = r.report.notMapped.map((n) => n.what)
  for (const what of ['text module 18 Urheber', 'modulFachlicheFreigabe (fachliche Freigabe)', "text module 14 form link not on the member's allowedHosts", 'kategorie "Stadtbild" (no Lebenslage of the region has this name)']) {
    t.ok(notMapped.includes(what), `reported as not mapped: ${what}`)
  }
  t.same(r.report.unknownCodes.map((u) => u.what).sort(), ['unknown rolle code "09" (Zuständigkeit not used)', 'unknown vertrauensniveau "4711"'])
})

t.test('Ansprechpunkt first: the Zuständige Stelle (rolle 01) is still the office, in either order', async (t) => {
  const xml = (await full()).toString('utf8')
  const a = xml.indexOf('<xzufi:schreibe>\n    <xzufi:organisationseinheit>\n      <xzufi:id>OE-A')
  const b = xml.indexOf('<xzufi:schreibe>\n    <xzufi:organisationseinheit>\n      <xzufi:id>OE-B')
  const end = xml.indexOf('<xzufi:schreibe>\n    <xzufi:organisationseinheit>\n      <xzufi:id>OE-K')
  t.ok(a > 0 && b > a && end > b, 'fixture layout: OE-A (Ansprechpunkt) before OE-B')
  const swapped = xml.slice(0, a) + xml.slice(b, end) + xml.slice(a, b) + xml.slice(end)
  for (const [name, doc] of [['Ansprechpunkt first', xml], ['Zuständige Stelle first', swapped]] as const) {
    const r = await importXml('gladbeck', doc)
    const s = r.manifest.services.find((x) => x.key === 'wohnsitz-anmelden')!
    t.equal(s.office, 'buergerbuero-gladbeck', name)
    t.same(s.contactPoints, ['servicecenter-rathaus'], name)
  }
})

t.test('Kreis-wide and Land-wide Zuständigkeiten add nothing to a city; the report names whose they are', async (t) => {
  const r = await importXml('gladbeck', await full())
  t.same(r.manifest.offices.map((o) => o.name).sort(), ['Bürgerbüro Gladbeck', 'Servicecenter Rathaus'])
  t.notOk(r.manifest.services.some((s) => s.key === 'bewohnerparkausweis' || s.key === 'bafoeg'), 'no Kreis or Land service')
  const reasons = Object.fromEntries(r.report.dropped.map((d) => [d.id, d.reason]))
  t.equal(reasons['OE-K'], "no Zuständigkeit in the member's area (belongs to kreis-recklinghausen: import it there)")
  t.equal(reasons['OE-L'], "no Zuständigkeit in the member's area (belongs to nrw: import it there)")
  t.equal(reasons['L-530'], "no Zuständigkeit in the member's area (belongs to kreis-recklinghausen: import it there)")
  t.equal(reasons['L-540'], "no Zuständigkeit in the member's area (belongs to nrw: import it there)", "Gladbeck's own office with a Land-wide Zuständigkeit does not make it Gladbeck's")
  // the same file for the Kreis: its service, not Gladbeck's
  const kreis = await importXml('kreis-recklinghausen', await full())
  t.same(kreis.manifest.services.map((s) => s.key), ['bewohnerparkausweis'])
  t.match(kreis.report.dropped.find((d) => d.id === 'L-500')?.reason, /belongs to gladbeck: import it there/)
})

t.test('unknown LeiKa keys become member-local services with their key: Lebenslage from the kategorie, else the region fallback', async (t) => {
  const r = await importXml('gladbeck', await full())
  const container = r.manifest.services.find((s) => s.leikaKey === '99123777001000')!
  t.same([container.key, container.name, container.lifeSituations], [undefined, 'Altkleidercontainer Standort beantragen', ['umwelt-abfall']])
  t.equal(container.office, 'buergerbuero-gladbeck', 'the unknown rolle code is not used, rolle 01 is')
  t.notOk(container.contactPoints)
  const feuer = r.manifest.services.find((s) => s.leikaKey === '99400777001000')!
  const fallback = data.lifeSituations.find((l) => l.fallback)!
  t.equal(fallback.id, 'weitere-leistungen', 'the fallback is region data')
  t.same(feuer.lifeSituations, [fallback.id])
  t.equal(feuer.onlineService, 'brauchtumsfeuer-online-anmelden')
  t.same(r.report.mapped, { services: 3, catalogServices: 1, localServices: 2, offices: 2, onlineServices: 1 })
})

t.test('an expired Leistung is skipped with its date', async (t) => {
  const r = await importXml('gladbeck', await full())
  t.equal(r.report.dropped.find((d) => d.id === 'L-520')?.reason, 'validity ended on 2025-12-31 (gueltigkeit): skipped')
  t.notOk(r.manifest.services.some((s) => s.key === 'hund-anmelden'))
  const stillValid = (await full()).toString('utf8').replace('2025-12-31', '2027-12-31')
  t.ok((await importXml('gladbeck', stillValid)).manifest.services.some((s) => s.key === 'hund-anmelden'), 'valid until a later date: imported')
})
