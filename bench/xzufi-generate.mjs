// Writes a synthetic XZuFi 2.2 export (PVOG-like shape) for the import bench:
// `count` Leistungen named after the real catalog services, one
// Organisationseinheit per 20 Leistungen with Zuständigkeiten for the region's
// ARS, and one Onlinedienst per 50. Streams to disk: no big string in memory.
import { createWriteStream, readFileSync } from 'node:fs'
import { once } from 'node:events'

const NS = 'http://xoev.de/schemata/xzufi/2_2_0'
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;')

export async function generateXzufi(path, { count = 10_000, root = new URL('..', import.meta.url) } = {}) {
  const catalog = JSON.parse(readFileSync(new URL('config/services.json', root), 'utf8')).services
  const region = JSON.parse(readFileSync(new URL('config/region.json', root), 'utf8'))
  const ars = region.members.filter((m) => m.level === 'stadt').map((m) => m.ars)
  const out = createWriteStream(path)
  const write = async (s) => { if (!out.write(s)) await once(out, 'drain') }
  await write(`<?xml version="1.0" encoding="UTF-8"?>\n<xzufi:transfer.operation.040101 xmlns:xzufi="${NS}" xzufiVersion="2.2.0"><xzufi:nachrichtenkopf><xzufi:nachrichtenID>bench</xzufi:nachrichtenID></xzufi:nachrichtenkopf>\n`)
  const filler = 'Diese Leistung wird im Rahmen der kommunalen Selbstverwaltung erbracht. '.repeat(110)
  for (let i = 0; i < count; i++) {
    const entry = catalog[i % catalog.length]
    const key = entry.leikaKey ?? `99${String(900000000000 + i).slice(0, 12)}`
    const text = (code, body) => `<xzufi:modulText><xzufi:leikaTextmodul listURI="urn:de:xzufi:codeliste:leistungstextmodulleika"><code>${code}</code></xzufi:leikaTextmodul><xzufi:inhalt languageCode="de">${esc(body)}</xzufi:inhalt></xzufi:modulText>`
    await write(`<xzufi:schreibe><xzufi:leistung><xzufi:id schemeAgencyID="BENCH">L${i}</xzufi:id><xzufi:referenzLeiKa><code>${key}</code></xzufi:referenzLeiKa>${text('02', entry.name)}${text('03', `${entry.name} (${i})`)}${text('24', entry.summary)}${text('06', `<p>${entry.summary}</p><p>${filler}</p>`)}${text('08', '<ul><li>Personalausweis</li><li>Nachweis</li></ul>')}<xzufi:modulKosten><xzufi:kosten><xzufi:beschreibung languageCode="de">${10 + (i % 30)},00 Euro</xzufi:beschreibung></xzufi:kosten></xzufi:modulKosten></xzufi:leistung></xzufi:schreibe>\n`)
    if (i % 20 === 19) {
      const zs = Array.from({ length: 20 }, (_, j) => `<xzufi:zustaendigkeit><xzufi:leistungID schemeAgencyID="BENCH">L${i - j}</xzufi:leistungID><xzufi:gebietID>${ars[(i + j) % ars.length]}</xzufi:gebietID></xzufi:zustaendigkeit>`).join('')
      await write(`<xzufi:schreibe><xzufi:organisationseinheit><xzufi:id schemeAgencyID="BENCH">O${i}</xzufi:id><xzufi:name><xzufi:name>Fachbereich ${i}</xzufi:name></xzufi:name><xzufi:anschrift><xzufi:strasse>Rathausplatz</xzufi:strasse><xzufi:hausnummer>1</xzufi:hausnummer><xzufi:postleitzahl>45964</xzufi:postleitzahl><xzufi:ort>Gladbeck</xzufi:ort></xzufi:anschrift>${zs}</xzufi:organisationseinheit></xzufi:schreibe>\n`)
    }
    if (i % 50 === 49) {
      const zs = Array.from({ length: 50 }, (_, j) => `<xzufi:zustaendigkeit><xzufi:leistungID schemeAgencyID="BENCH">L${i - j}</xzufi:leistungID><xzufi:gebietID>${ars[j % ars.length]}</xzufi:gebietID></xzufi:zustaendigkeit>`).join('')
      await write(`<xzufi:schreibe><xzufi:onlinedienst><xzufi:id schemeAgencyID="BENCH">D${i}</xzufi:id><xzufi:bezeichnung languageCode="de">Online-Antrag ${i}</xzufi:bezeichnung><xzufi:link><xzufi:typ listURI="urn:xoev-de:fim:codeliste:onlinedienstlinktyp"><code>01</code></xzufi:typ><xzufi:link>https://serviceportal.gladbeck.de/antrag/${i}</xzufi:link></xzufi:link>${zs}</xzufi:onlinedienst></xzufi:schreibe>\n`)
    }
  }
  await write('</xzufi:transfer.operation.040101>\n')
  out.end()
  await once(out, 'finish')
}

// The open catalog at scale (issue 27, bench/open-scale.mjs): Leistungen with
// LeiKa keys outside config/services.json, shared by many members under
// slightly different names, plus member-specific ones.
const NOUNS = [
  'Sondernutzung', 'Straßenbaumpatenschaft', 'Gewerbeauskunft', 'Lärmschutz-Ausnahme', 'Plakatierung', 'Brauchtumsfeuer', 'Grünabfall', 'Sporthalle',
  'Beglaubigung', 'Schrottfahrzeug', 'Spielplatzpatenschaft', 'Ehrenamtskarte', 'Hausnotruf', 'Taubenfütterung', 'Feuerwerk', 'Marktstand',
  'Zirkusgastspiel', 'Bienenhaltung', 'Regenwassernutzung', 'Zisterne', 'Solaranlage', 'Denkmalschutz', 'Kleingarten', 'Grabpflege',
  'Urnenbeisetzung', 'Obdachlosenunterkunft', 'Wohnungsaufsicht', 'Zweckentfremdung', 'Ferienwohnung', 'Taxikonzession', 'Schwertransport',
  'Halteverbot', 'Umzugshalteverbot', 'Baustellenabsicherung', 'Gehwegüberfahrt', 'Container auf der Straße', 'Hausanschluss', 'Kanalanschluss',
  'Grundwasserentnahme', 'Brunnenbohrung',
]
const ACTIONS = ['beantragen', 'anzeigen', 'melden', 'verlängern', 'ändern', 'abmelden', 'genehmigen lassen', 'Auskunft', 'Bescheinigung', 'Zuschuss']

/** the i-th shared Leistung: a made-up LeiKa key (9998…) and its name */
export function sharedLeistung(i) {
  const noun = NOUNS[i % NOUNS.length]
  const action = ACTIONS[Math.floor(i / NOUNS.length) % ACTIONS.length]
  return { key: `9998${String(i).padStart(10, '0')}`, name: `${noun} ${action}`, variant: `${noun}: ${action}` }
}

/**
 * One member's export: `shared` Leistungen 0..shared-1 (the member's name is
 * the variant for every third member), `own` member-specific ones (keys
 * 9997<member><n>), one Organisationseinheit per 20 Leistungen responsible
 * in the member's ARS, one Onlinedienst per 10 on the member's first host.
 */
export async function generateMemberXzufi(path, { memberIndex, memberName, ars, host, shared, sharedFrom = 0, own, lifeSituationLabels }) {
  const out = createWriteStream(path)
  const write = async (s) => { if (!out.write(s)) await once(out, 'drain') }
  await write(`<?xml version="1.0" encoding="UTF-8"?>\n<xzufi:transfer.operation.040101 xmlns:xzufi="${NS}" xzufiVersion="2.2.0"><xzufi:nachrichtenkopf><xzufi:nachrichtenID>bench</xzufi:nachrichtenID></xzufi:nachrichtenkopf>\n`)
  const text = (code, body) => `<xzufi:modulText><xzufi:leikaTextmodul><code>${code}</code></xzufi:leikaTextmodul><xzufi:inhalt languageCode="de">${esc(body)}</xzufi:inhalt></xzufi:modulText>`
  const items = []
  for (let i = sharedFrom; i < sharedFrom + shared; i++) {
    const l = sharedLeistung(i)
    items.push({ key: l.key, name: (memberIndex + i) % 3 === 0 ? l.variant : l.name, leikaName: i % 2 === 0 ? l.name : undefined, i })
  }
  for (let n = 0; n < own; n++) {
    const l = sharedLeistung(n * 7 + memberIndex)
    items.push({ key: `9997${String(memberIndex).padStart(2, '0')}${String(n).padStart(8, '0')}`, name: `${l.name} – Förderprogramm ${memberName} ${n}`, i: n })
  }
  const ids = []
  for (const [j, it] of items.entries()) {
    const id = `${memberIndex}-L${j}`
    ids.push(id)
    const category = it.i % 4 === 0 ? '' : `<xzufi:kategorie><xzufi:bezeichnung languageCode="de">${esc(lifeSituationLabels[it.i % lifeSituationLabels.length])}</xzufi:bezeichnung></xzufi:kategorie>`
    const summary = `${it.name}: Voraussetzungen, Unterlagen, Gebühren und Ablauf bei ${memberName}.`
    await write(`<xzufi:schreibe><xzufi:leistung><xzufi:id>${id}</xzufi:id><xzufi:referenzLeiKa><code>${it.key}</code></xzufi:referenzLeiKa>${it.leikaName ? text('02', it.leikaName) : ''}${text('03', it.name)}${text('24', summary)}${text('08', '<ul><li>Personalausweis</li><li>Nachweis</li></ul>')}${category}</xzufi:leistung></xzufi:schreibe>\n`)
  }
  for (let j = 0; j < ids.length; j += 20) {
    const zs = ids.slice(j, j + 20).map((id) => `<xzufi:zustaendigkeit><xzufi:leistungID>${id}</xzufi:leistungID><xzufi:gebietID>${ars}</xzufi:gebietID></xzufi:zustaendigkeit>`).join('')
    await write(`<xzufi:schreibe><xzufi:organisationseinheit><xzufi:id>${memberIndex}-O${j}</xzufi:id><xzufi:name><xzufi:name>Fachbereich ${j / 20 + 1} ${esc(memberName)}</xzufi:name></xzufi:name>${zs}</xzufi:organisationseinheit></xzufi:schreibe>\n`)
  }
  for (let j = 0; j < ids.length; j += 10) {
    await write(`<xzufi:schreibe><xzufi:onlinedienst><xzufi:id>${memberIndex}-D${j}</xzufi:id><xzufi:bezeichnung languageCode="de">Online-Antrag ${j}</xzufi:bezeichnung><xzufi:link><xzufi:typ><code>01</code></xzufi:typ><xzufi:link>https://${host}/antrag/${j}</xzufi:link></xzufi:link><xzufi:zustaendigkeit><xzufi:leistungID>${ids[j]}</xzufi:leistungID><xzufi:gebietID>${ars}</xzufi:gebietID></xzufi:zustaendigkeit></xzufi:onlinedienst></xzufi:schreibe>\n`)
  }
  await write('</xzufi:transfer.operation.040101>\n')
  out.end()
  await once(out, 'finish')
}
