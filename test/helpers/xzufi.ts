// A small XZuFi 2.2 export built from a few facts, for tests that need
// several members' exports (the open catalog: same LeiKa key, other cities).
const NS = 'http://xoev.de/schemata/xzufi/2_2_0'
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;')

export interface XzufiLeistung {
  id: string
  leikaKey: string
  /** text module 03 (Leistungsname) */
  name: string
  /** text module 02 (LeiKa Leistungsbezeichnung) */
  leikaName?: string
  summary: string
  /** kategorie names (a Lebenslage label) */
  categories?: string[]
  /** an Onlinedienst entry link (must be on the member's allowedHosts) */
  onlineUrl?: string
}

/** One Organisationseinheit responsible for every Leistung in the member's area (ARS). */
export function xzufiExport(ars: string, office: string, leistungen: XzufiLeistung[]): string {
  const text = (code: string, body: string) =>
    `<xzufi:modulText><xzufi:leikaTextmodul><code>${code}</code></xzufi:leikaTextmodul><xzufi:inhalt languageCode="de">${esc(body)}</xzufi:inhalt></xzufi:modulText>`
  const parts = leistungen.map((l) => `<xzufi:schreibe><xzufi:leistung><xzufi:id>${l.id}</xzufi:id>`
    + `<xzufi:referenzLeiKa><code>${l.leikaKey}</code></xzufi:referenzLeiKa>${l.leikaName ? text('02', l.leikaName) : ''}${text('03', l.name)}${text('24', l.summary)}`
    + (l.categories ?? []).map((c) => `<xzufi:kategorie><xzufi:bezeichnung languageCode="de">${esc(c)}</xzufi:bezeichnung></xzufi:kategorie>`).join('')
    + '</xzufi:leistung></xzufi:schreibe>')
  const zs = leistungen.map((l) => `<xzufi:zustaendigkeit><xzufi:leistungID>${l.id}</xzufi:leistungID><xzufi:gebietID>${ars}</xzufi:gebietID></xzufi:zustaendigkeit>`).join('')
  parts.push(`<xzufi:schreibe><xzufi:organisationseinheit><xzufi:id>OE-${ars}</xzufi:id><xzufi:name><xzufi:name>${esc(office)}</xzufi:name></xzufi:name>${zs}</xzufi:organisationseinheit></xzufi:schreibe>`)
  for (const l of leistungen) {
    if (!l.onlineUrl) continue
    parts.push(`<xzufi:schreibe><xzufi:onlinedienst><xzufi:id>OD-${l.id}</xzufi:id><xzufi:bezeichnung languageCode="de">${esc(l.name)} online</xzufi:bezeichnung>`
      + `<xzufi:link><xzufi:typ><code>01</code></xzufi:typ><xzufi:link>${esc(l.onlineUrl)}</xzufi:link></xzufi:link>`
      + `<xzufi:zustaendigkeit><xzufi:leistungID>${l.id}</xzufi:leistungID><xzufi:gebietID>${ars}</xzufi:gebietID></xzufi:zustaendigkeit></xzufi:onlinedienst></xzufi:schreibe>`)
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<xzufi:transfer.operation.040101 xmlns:xzufi="${NS}" xzufiVersion="2.2.0"><xzufi:nachrichtenkopf><xzufi:nachrichtenID>test</xzufi:nachrichtenID></xzufi:nachrichtenkopf>\n${parts.join('\n')}\n</xzufi:transfer.operation.040101>\n`
}
