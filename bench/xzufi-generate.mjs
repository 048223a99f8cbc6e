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
