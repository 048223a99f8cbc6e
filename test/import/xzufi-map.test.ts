// XZuFi fixtures -> manifest + report for a member, validated like a registration.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { loadRegionData } from '../../src/config/load.js'
import { validateManifest } from '../../src/manifest/validate.js'
import { mapAndValidate, mapContextFor, readXzufi } from '../../src/import/xzufi-import.js'
import { shorten, toLines, toPlainText } from '../../src/import/plain-text.js'
import { arsOverlap } from '../../src/import/xzufi-map.js'

const data = await loadRegionData('config/region.json')
const member = (id: string) => data.region.members.find((m) => m.id === id)!
const now = new Date('2026-11-29T12:00:00Z')

async function importFor(id: string, ...files: string[]) {
  const records = []
  for (const f of files) records.push(...(await readXzufi(await readFile(`test/fixtures/xzufi/${f}`))).records)
  const m = member(id)
  const context = mapContextFor(data, m, { website: `https://${m.allowedHosts[0]}/` }, '2.2.0', now)
  return mapAndValidate(records, context, (doc) => validateManifest(doc, {
    memberId: m.id,
    allowedHosts: m.allowedHosts,
    lifeSituationIds: new Set(data.lifeSituations.map((l) => l.id)),
    serviceKeys: new Set(data.serviceCatalog.map((e) => e.key)),
    members: new Map(data.region.members.map((x) => [x.id, { ars: x.ars }])),
  }))
}

async function importXml(id: string, xml: string) {
  const m = member(id)
  const { records, version } = await readXzufi(Buffer.from(xml))
  return mapAndValidate(records, mapContextFor(data, m, {}, version, now), (doc) => validateManifest(doc, {
    memberId: m.id,
    allowedHosts: m.allowedHosts,
    lifeSituationIds: new Set(data.lifeSituations.map((l) => l.id)),
    serviceKeys: new Set(data.serviceCatalog.map((e) => e.key)),
    members: new Map(data.region.members.map((x) => [x.id, { ars: x.ars }])),
  }))
}

t.test('plain text: markup stripped, paragraphs kept, sentence-boundary shortening', async (t) => {
  t.equal(toPlainText('<p>Eins <b>zwei</b>.</p><script>alert(1)</script><p>Drei&nbsp;&amp; vier &lt;img src=x onerror=y&gt;</p>'), 'Eins zwei .\n\nDrei & vier <img src=x onerror=y>')
  t.same(toLines('<ul><li>A</li><li>B <i>c</i></li></ul>'), ['A', 'B c'])
  t.equal(shorten('Erster Satz ist hier. Zweiter Satz ist viel länger als erlaubt.', 30), 'Erster Satz ist hier.')
  t.equal(shorten('ohne Satzende aber sehr lang', 15), 'ohne Satzende…')
})

t.test('ARS overlap: Kreis covers its cities, cities do not cover each other', async (t) => {
  t.ok(arsOverlap('055620000000', '055620014014'))
  t.ok(arsOverlap('055620014014', '05562'))
  t.notOk(arsOverlap('055620024024', '055620014014'))
})

t.test('Personalausweis for Gladbeck: catalog key, office, plain text, fees, documents', async (t) => {
  const r = await importFor('gladbeck', 'gladbeck-personalausweis.xml')
  t.ok(r.ok, JSON.stringify(r.errors))
  const s = r.manifest.services[0]!
  t.equal(s.key, 'personalausweis')
  t.equal(s.name, 'Personalausweis beantragen', '03 Leistungsname before 02')
  t.notMatch(s.summary, /<|alert/)
  t.match(s.summary, /^Ab 16 Jahren brauchen Sie einen Personalausweis oder Reisepass\./)
  t.same(s.documents, ['bisheriger Personalausweis oder Reisepass', 'ein aktuelles biometrisches Passbild'])
  t.equal(s.fees, '37,00 Euro (unter 24 Jahren 22,80 Euro)')
  t.same(s.channels, ['in-person'])
  t.same(r.manifest.offices, [{ id: 'buergerbuero-gladbeck', name: 'Bürgerbüro Gladbeck', address: { street: 'Willy-Brandt-Platz 2', postalCode: '45964', city: 'Gladbeck' }, openingHours: ['Mo–Fr 8:00–12:00'] }])
  t.equal(s.office, 'buergerbuero-gladbeck')
  t.same(r.report.mapped, { services: 1, catalogServices: 1, localServices: 0, offices: 1, onlineServices: 1 - 1 })
  t.equal(s.deadlines, 'keine', 'modulFrist is mapped now')
  t.same(r.report.notMapped.map((n) => n.what).sort(), ['text module 23 Ansprechpunkt'])
})

t.test('Hund for Gladbeck: online service shared with Marl, local LeiKa service, drops with reasons', async (t) => {
  const r = await importFor('gladbeck', 'gladbeck-hund.xml')
  t.ok(r.ok, JSON.stringify(r.errors))
  const [hund, local] = r.manifest.services
  t.equal(hund!.key, 'hund-anmelden')
  t.equal(hund!.onlineService, 'hundesteuer-online')
  t.equal(hund!.trustLevel, 'substantial')
  t.same(hund!.channels, ['online'])
  t.equal(local!.key, undefined)
  t.equal(local!.leikaKey, '99102013999000')
  t.same(local!.lifeSituations, ['tiere', 'steuern'], 'Lebenslage of the catalog service in the same LeiKa group')
  t.same(r.manifest.onlineServices, [{ id: 'hundesteuer-online', name: 'Hundesteuer online', url: 'https://serviceportal.gladbeck.de/hundesteuer', serves: ['gladbeck', 'marl'], trustLevel: 'substantial', implements: ['hund-anmelden', '99102013999000'] }])
  const reasons = Object.fromEntries(r.report.dropped.map((d) => [d.id, d.reason]))
  t.match(reasons['L-300'], /no Zuständigkeit in the member's area/)
  t.match(reasons['OE-9'], /no Zuständigkeit/)
  t.match(reasons['OD-2'], /URL not allowed/)
  t.same(r.report.unknownCodes, [{ what: 'unknown text module code "77"', count: 1 }])
})

t.test('the same file for Marl: only what Marl is responsible for', async (t) => {
  const r = await importFor('marl', 'gladbeck-hund.xml')
  t.same(r.manifest.services.map((s) => s.key), ['hund-abmelden'])
  t.same(r.manifest.offices.map((o) => o.name), ['Steueramt Marl'])
  t.match(r.report.dropped.find((d) => d.id === 'OD-1')?.reason, /URL not allowed/, "Gladbeck's host is not Marl's")
})

t.test('an export with translations: the German fees, office name and opening hours, not every language run together', async (t) => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<transfer xmlns="http://xoev.de/schemata/xzufi/2_2_0" xzufiVersion="2.2.0"><schreibe>
  <leistung><id>L-1</id><referenzLeiKa><code>99008001012000</code></referenzLeiKa>
    <modulText><leikaTextmodul><code>03</code></leikaTextmodul><inhalt languageCode="en">Apply for an identity card</inhalt><inhalt languageCode="de">Personalausweis beantragen</inhalt></modulText>
    <modulText><leikaTextmodul><code>24</code></leikaTextmodul><inhalt languageCode="de">Sie brauchen einen Ausweis.</inhalt><inhalt languageCode="en">You need an ID card.</inhalt></modulText>
    <modulKosten><beschreibung languageCode="de">37,00 Euro</beschreibung><beschreibung languageCode="en">37.00 euros</beschreibung></modulKosten>
  </leistung></schreibe><schreibe>
  <organisationseinheit><id>OE-1</id>
    <name><name languageCode="en">Citizens' office</name><name languageCode="de">Bürgerbüro</name></name>
    <oeffnungszeiten><text languageCode="de">Mo–Fr 8:00–12:00</text><text languageCode="en">Mon–Fri 8 am–12 pm</text></oeffnungszeiten>
    <zustaendigkeit><leistungID>L-1</leistungID><gebietID>055620014014</gebietID></zustaendigkeit>
  </organisationseinheit></schreibe></transfer>`
  const r = await importXml('gladbeck', xml)
  t.ok(r.ok, JSON.stringify(r.errors))
  const s = r.manifest.services[0]!
  t.same([s.name, s.summary, s.fees], ['Personalausweis beantragen', 'Sie brauchen einen Ausweis.', '37,00 Euro'])
  t.same(r.manifest.offices, [{ id: 'buergerbuero', name: 'Bürgerbüro', openingHours: ['Mo–Fr 8:00–12:00'] }])
})

t.test('PVOG shape: Zuständigkeiten as separate zustaendigkeitTransferObjekt objects (uebergeordnetesObjektID = the office or online service)', async (t) => {
  // shape as in rongem/pvog (public TypeScript import of the PVOG Bereitstelldienst feed): schreibe/zustaendigkeitTransferObjekt
  const z = (parent: string, id: string, leistung: string, gebiet: string) => `<xzufi:schreibe><xzufi:zustaendigkeitTransferObjekt>
    <xzufi:uebergeordnetesObjektID schemeAgencyID="DATTELN">${parent}</xzufi:uebergeordnetesObjektID>
    <xzufi:zustaendigkeit><xzufi:id>${id}</xzufi:id><xzufi:leistungID schemeAgencyID="DATTELN">${leistung}</xzufi:leistungID><xzufi:gebietID>${gebiet}</xzufi:gebietID><xzufi:rolle><code>01</code></xzufi:rolle></xzufi:zustaendigkeit>
  </xzufi:zustaendigkeitTransferObjekt></xzufi:schreibe>`
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<xzufi:transfer.operation.040101 xmlns:xzufi="http://xoev.de/schemata/xzufi/2_2_0" xzufiVersion="2.2.0">
  <xzufi:schreibe><xzufi:leistung><xzufi:id>L-1</xzufi:id><xzufi:referenzLeiKa><code>99102013104000</code></xzufi:referenzLeiKa>
    <xzufi:modulText><xzufi:leikaTextmodul><code>03</code></xzufi:leikaTextmodul><xzufi:inhalt languageCode="de">Hund anmelden</xzufi:inhalt></xzufi:modulText>
    <xzufi:modulText><xzufi:leikaTextmodul><code>24</code></xzufi:leikaTextmodul><xzufi:inhalt languageCode="de">Hunde werden beim Steueramt angemeldet.</xzufi:inhalt></xzufi:modulText>
  </xzufi:leistung></xzufi:schreibe>
  ${z('OE-1', 'Z-1', 'L-1', '055620008008')}
  ${z('OE-404', 'Z-2', 'L-1', '055620008008')}
  <xzufi:schreibe><xzufi:organisationseinheit><xzufi:id schemeAgencyID="DATTELN">OE-1</xzufi:id><xzufi:name><xzufi:name languageCode="de">Steueramt Datteln</xzufi:name></xzufi:name></xzufi:organisationseinheit></xzufi:schreibe>
  <xzufi:schreibe><xzufi:organisationseinheit><xzufi:id>OE-2</xzufi:id><xzufi:name><xzufi:name>Steueramt Marl</xzufi:name></xzufi:name></xzufi:organisationseinheit></xzufi:schreibe>
  ${z('OE-2', 'Z-3', 'L-1', '055620024024')}
  <xzufi:loesche klasse="Zustaendigkeit"><xzufi:id>Z-99</xzufi:id></xzufi:loesche>
</xzufi:transfer.operation.040101>`
  const r = await importXml('datteln', xml)
  t.ok(r.ok, JSON.stringify(r.errors))
  t.same(r.manifest.services.map((s) => [s.key, s.office]), [['hund-anmelden', 'steueramt-datteln']])
  t.same(r.manifest.offices.map((o) => o.name), ['Steueramt Datteln'])
  t.match(r.report.dropped.find((d) => d.id === 'OE-2')?.reason, /no Zuständigkeit in the member's area/, "Marl's office, by its transfer object")
})

t.test('a Leistung in the member\'s area whose only Onlinedienst or office is left out: the report says so, not "no Zuständigkeit in the member\'s area"', async (t) => {
  const leistung = (id: string, key: string, name: string) => `<xzufi:schreibe><xzufi:leistung><xzufi:id>${id}</xzufi:id><xzufi:referenzLeiKa><code>${key}</code></xzufi:referenzLeiKa>
    <xzufi:modulText><xzufi:leikaTextmodul><code>03</code></xzufi:leikaTextmodul><xzufi:inhalt languageCode="de">${name}</xzufi:inhalt></xzufi:modulText>
    <xzufi:modulText><xzufi:leikaTextmodul><code>24</code></xzufi:leikaTextmodul><xzufi:inhalt languageCode="de">${name} in Gladbeck.</xzufi:inhalt></xzufi:modulText>
  </xzufi:leistung></xzufi:schreibe>`
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<xzufi:transfer.operation.040101 xmlns:xzufi="http://xoev.de/schemata/xzufi/2_2_0" xzufiVersion="2.2.0">
  ${leistung('L-1', '99102013104000', 'Hund anmelden')}
  ${leistung('L-2', '99008001012000', 'Personalausweis beantragen')}
  <xzufi:schreibe><xzufi:onlinedienst><xzufi:id>OD-1</xzufi:id><xzufi:bezeichnung languageCode="de">Hundesteuer online</xzufi:bezeichnung>
    <xzufi:link><xzufi:typ><code>01</code></xzufi:typ><xzufi:link>https://portal.anderer-anbieter.example/hund</xzufi:link></xzufi:link>
    <xzufi:zustaendigkeit><xzufi:leistungID>L-1</xzufi:leistungID><xzufi:gebietID>055620014014</xzufi:gebietID></xzufi:zustaendigkeit>
  </xzufi:onlinedienst></xzufi:schreibe>
  <xzufi:schreibe><xzufi:organisationseinheit><xzufi:id>OE-1</xzufi:id>
    <xzufi:zustaendigkeit><xzufi:leistungID>L-2</xzufi:leistungID><xzufi:gebietID>055620014014</xzufi:gebietID></xzufi:zustaendigkeit>
  </xzufi:organisationseinheit></xzufi:schreibe>
</xzufi:transfer.operation.040101>`
  const r = await importXml('gladbeck', xml)
  t.same(r.report.dropped.map((d) => [d.id, d.reason.replace(/:.*/, '')]), [
    ['OE-1', 'no name'],
    ['OD-1', 'URL not allowed'],
    ['L-1', "responsible in the member's area only through an Organisationseinheit or Onlinedienst that is left out (see its entry)"],
    ['L-2', "responsible in the member's area only through an Organisationseinheit or Onlinedienst that is left out (see its entry)"],
  ])
})
