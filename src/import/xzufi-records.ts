// One captured XZuFi object (an element tree from xml-reader.ts) -> the small
// record the mapping needs. Text is reduced to plain text and capped here, so
// a 100 MB export keeps only a few hundred bytes per Leistung. Pure.
//
// Element names confirmed from public parsers (shared/data/standards.md):
// leistung/id, referenzLeiKa/code, modulText/leikaTextmodul/code, inhalt
// @languageCode; organisationseinheit/name/name, zustaendigkeit/leistungID,
// gebietID; onlinedienst/bezeichnung, link/typ/code, link/link.
// From rongem/pvog's model of the PVOG feed: modulText/weiterfuehrenderLink,
// modulFrist|modulKosten|modulBearbeitungsdauer/beschreibung, kategorie
// (id, bezeichnung), versionsinformation/geaendertDatumZeit,
// zustaendigkeit/rolle/code, modulBegriffImKontext/begriffImKontext/begriff.
// NOT confirmed (read tolerantly, see README "XZuFi import"): anschrift
// (strasse, hausnummer, postleitzahl, ort), kommunikation/kennung,
// oeffnungszeiten, vertrauensniveau, weiterfuehrenderLink's uri/titel,
// modulKosten/kosten/betrag, structured durations, gueltigkeit.
import { child, children, textAt, type XmlElement } from './xml-reader.js'
import { shorten, toLines, toPlainText, toSectionText } from './plain-text.js'
import type { ProcessingTime } from '../manifest/schema.js'

type DurationUnit = NonNullable<ProcessingTime['unit']>

/** rolle 01 Zuständige Stelle -> the offering's office; 02 Ansprechpunkt -> contactPoints */
export type ZustaendigkeitRole = 'responsible' | 'contact'

export interface Zustaendigkeit {
  leistungId: string
  /** ARS digits */
  gebiete: string[]
  /** undefined: a rolle code the importer does not know (reported, the Zuständigkeit is not used) */
  role?: ZustaendigkeitRole
}

export interface TitledLink { title: string; url: string }

export interface LeistungRecord {
  kind: 'leistung'
  id: string
  leikaKey?: string
  name?: string
  /** text module 02, the LeiKa Leistungsbezeichnung: the neutral name of a service merged across members */
  leikaName?: string
  summary?: string
  synonyms: string[]
  documents: string[]
  fees?: string
  /** modulKosten/kosten/betrag amounts in EUR, with the item's text */
  feeItems: { amount: number; text?: string }[]
  requirements?: string
  procedure: string[]
  deadlines?: string
  processingTime?: { text?: string; min?: number; max?: number; unit?: DurationUnit }
  /** module 07 lines, with the module's links */
  legalBasis: { title: string; url?: string }[]
  /** module 14 links */
  forms: TitledLink[]
  /** module 15 links and the weiterfuehrenderLink of every other module */
  furtherInformation: TitledLink[]
  notes?: string
  /** German names (and ids) of the export's kategorie entries, for the Lebenslage of a local service */
  categories: string[]
  /** versionsinformation/geaendertDatumZeit, ISO */
  changedAt?: string
  /** end of validity (gueltigkeit), YYYY-MM-DD */
  validUntil?: string
  /** elements and text modules read but without a manifest field (reported, counted) */
  unmapped: string[]
  /** codes the importer does not know (reported, counted) */
  unknown: string[]
}

export interface OfficeRecord {
  kind: 'organisationseinheit'
  id: string
  name?: string
  street?: string
  postalCode?: string
  city?: string
  phone?: string
  email?: string
  url?: string
  openingHours: string[]
  zustaendigkeiten: Zustaendigkeit[]
  unmapped: string[]
  unknown: string[]
}

export interface OnlineServiceRecord {
  kind: 'onlinedienst'
  id: string
  name?: string
  url?: string
  trustLevel?: 'low' | 'substantial' | 'high'
  zustaendigkeiten: Zustaendigkeit[]
  unmapped: string[]
  unknown: string[]
}

/** A Zuständigkeit sent as its own object (PVOG): it belongs to the office or online service named by uebergeordnetesObjektID. */
interface ZustaendigkeitRecord {
  kind: 'zustaendigkeit'
  parentId: string
  zustaendigkeiten: Zustaendigkeit[]
  unknown: string[]
}

export type XzufiRecord = LeistungRecord | OfficeRecord | OnlineServiceRecord | ZustaendigkeitRecord

const SUMMARY_MAX = 500

/** The German one of a multilingual element list: languageCode de (or none) first. */
function germanElement(elements: XmlElement[]): XmlElement | undefined {
  return elements.find((e) => /^de\b/i.test(e.attrs.languageCode ?? '')) ?? elements.find((e) => !e.attrs.languageCode) ?? elements[0]
}

function german(elements: XmlElement[]): string | undefined {
  const text = germanElement(elements)?.text.trim()
  return text ? text : undefined
}

/** All text below an element, depth-first (for modules whose inner shape is unconfirmed); of translations (siblings of one name with a languageCode) only the German one. */
function deepText(element: XmlElement | undefined): string {
  if (!element) return ''
  const kept = element.children.filter((c) => c.attrs.languageCode === undefined || germanElement(element.children.filter((s) => s.name === c.name)) === c)
  return [element.text, ...kept.map(deepText)].map((s) => s.trim()).filter(Boolean).join('\n')
}

function descendants(element: XmlElement, name: string, out: XmlElement[] = []): XmlElement[] {
  for (const c of element.children) {
    if (c.name === name) out.push(c)
    descendants(c, name, out)
  }
  return out
}

/** gebietID is an ARS, plain or as a URN ending in the digits. */
function ars(text: string | undefined): string | undefined {
  const m = /(?:^|:)([0-9]{2,12})$/.exec((text ?? '').trim())
  return m?.[1]
}

const ROLES: Record<string, ZustaendigkeitRole> = { '01': 'responsible', '02': 'contact' }

/** Zuständigkeiten of an object; an unknown rolle code is reported and that Zuständigkeit is not used. */
function zustaendigkeiten(element: XmlElement, unknown: string[]): Zustaendigkeit[] {
  return children(element, 'zustaendigkeit').flatMap((z) => {
    const leistungId = textAt(z, 'leistungID')
    const gebiete = children(z, 'gebietID').map((g) => ars(g.text)).filter((x): x is string => x !== undefined)
    if (!leistungId) return []
    const rolle = child(z, 'rolle')
    // no rolle (older exports, 2.1): the object is the Zuständige Stelle
    if (!rolle) return [{ leistungId, gebiete, role: 'responsible' as const }]
    const code = textAt(rolle, 'code') ?? rolle.text.trim()
    const role = ROLES[code]
    if (!role) unknown.push(`unknown rolle code "${code.slice(0, 20)}" (Zuständigkeit not used)`)
    return [{ leistungId, gebiete, ...(role ? { role } : {}) }]
  })
}

const TEXT_NAME = ['03', '02']
const TEXT_SUMMARY = ['24', '05', '06']
const TEXT = { legalBasis: '07', documents: '08', requirements: '09', procedure: '11', forms: '14', further: '15', notes: '16' } as const
const TEXT_MAPPED = new Set<string>([...TEXT_NAME, ...TEXT_SUMMARY, ...Object.values(TEXT)])
/** known LeiKa text modules without a manifest field */
const TEXT_KNOWN_UNMAPPED: Record<string, string> = { '18': 'Urheber', '22': 'Zuständige Stelle', '23': 'Ansprechpunkt', '25': 'Rechtsbehelf' }
/** leistung children read (mapped, or known and reported as not mapped); any other child is reported by name */
const LEISTUNG_MAPPED = new Set(['id', 'referenzLeiKa', 'modulText', 'modulKosten', 'modulFrist', 'modulBearbeitungsdauer', 'modulBegriffImKontext', 'kategorie', 'versionsinformation', 'gueltigkeit'])
const LEISTUNG_UNMAPPED: Record<string, string> = {
  modulFachlicheFreigabe: 'modulFachlicheFreigabe (fachliche Freigabe)',
  modulUrsprungsportal: 'modulUrsprungsportal (Ursprungsportal link)',
  informationsbereichSDG: 'informationsbereichSDG (SDG code)',
  typisierung: 'typisierung (Leistungstyp)',
  struktur: 'struktur (Leistungsobjekt, Verrichtung)',
  sprachversion: 'sprachversion',
  gueltigkeitGebietID: 'gueltigkeitGebietID (area the description is written for)',
  kennzeichenSchriftformerfordernis: 'kennzeichenSchriftformerfordernis',
  kennzeichenEA: 'kennzeichenEA (Einheitlicher Ansprechpartner)',
}

export function toRecord(element: XmlElement): XzufiRecord | undefined {
  if (element.name === 'zustaendigkeitTransferObjekt') {
    const parentId = textAt(element, 'uebergeordnetesObjektID')
    const unknown: string[] = []
    return parentId ? { kind: 'zustaendigkeit', parentId, zustaendigkeiten: zustaendigkeiten(element, unknown), unknown } : undefined
  }
  const id = textAt(element, 'id')
  if (!id) return undefined
  if (element.name === 'leistung') return leistung(element, id)
  if (element.name === 'organisationseinheit') return office(element, id)
  if (element.name === 'onlinedienst') return onlineService(element, id)
  return undefined
}

/** German links of a module (weiterfuehrenderLink: uri and titel; other spellings read too, the shape is not confirmed). */
function moduleLinks(module: XmlElement): TitledLink[] {
  const all = children(module, 'weiterfuehrenderLink')
  const german = all.filter((l) => l.attrs.languageCode === undefined || /^de\b/i.test(l.attrs.languageCode))
  return german.flatMap((l) => {
    const url = textAt(l, 'uri') ?? textAt(l, 'link') ?? textAt(l, 'url') ?? (l.children.length === 0 ? l.text.trim() : undefined)
    if (!url) return []
    const title = textAt(l, 'titel') ?? textAt(l, 'title') ?? textAt(l, 'beschreibung') ?? url
    return [{ title: shorten(toPlainText(title), 200) || url.slice(0, 200), url: url.trim() }]
  })
}

function leistung(element: XmlElement, id: string): LeistungRecord {
  const texts = new Map<string, string>()
  const links = new Map<string, TitledLink[]>()
  const unmapped = new Set<string>()
  const unknown = new Set<string>()
  for (const m of children(element, 'modulText')) {
    const code = textAt(m, 'leikaTextmodul', 'code')
    if (!code) continue
    const content = german(children(m, 'inhalt'))
    if (content && !texts.has(code)) texts.set(code, content)
    const found = moduleLinks(m)
    if (found.length > 0) links.set(code, [...(links.get(code) ?? []), ...found])
  }
  const record: LeistungRecord = {
    kind: 'leistung', id, synonyms: [], documents: [], feeItems: [], procedure: [], legalBasis: [], forms: [], furtherInformation: [], categories: [], unmapped: [], unknown: [],
  }
  const key = children(element, 'referenzLeiKa').map((r) => textAt(r, 'code')).find((c) => c !== undefined && /^99[0-9]{12}$/.test(c))
  if (key) record.leikaKey = key
  const name = TEXT_NAME.map((c) => texts.get(c)).find(Boolean)
  if (name) record.name = shorten(toPlainText(name), 200)
  const leikaName = texts.get('02')
  if (leikaName && toPlainText(leikaName)) record.leikaName = shorten(toPlainText(leikaName), 200)
  const summary = TEXT_SUMMARY.map((c) => texts.get(c)).find((t) => t && toPlainText(t))
  if (summary) record.summary = shorten(toPlainText(summary), SUMMARY_MAX)
  const documents = texts.get(TEXT.documents)
  if (documents) record.documents = toLines(documents).map((d) => shorten(d, 200)).slice(0, 30)
  const requirements = texts.get(TEXT.requirements)
  if (requirements) record.requirements = toSectionText(requirements, 4000) || undefined
  const notes = texts.get(TEXT.notes)
  if (notes) record.notes = toSectionText(notes, 4000) || undefined
  const procedure = texts.get(TEXT.procedure)
  if (procedure) {
    const steps = toLines(procedure).map((s) => shorten(s, 2000))
    if (steps.length > 20) unmapped.add('text module 11 Verfahrensablauf: steps after the 20th')
    record.procedure = steps.slice(0, 20)
  }
  // 07: one legal basis per line; a link whose title names a line gives it its url
  const legalLinks = links.get(TEXT.legalBasis) ?? []
  const legalLines = toLines(texts.get(TEXT.legalBasis) ?? '').map((l) => shorten(l, 200))
  record.legalBasis = [
    ...legalLines.map((title) => { const link = legalLinks.find((l) => l.title === title); return link ? { title, url: link.url } : { title } }),
    ...legalLinks.filter((l) => !legalLines.includes(l.title)),
  ].slice(0, 30)
  record.forms = (links.get(TEXT.forms) ?? []).slice(0, 30)
  if (texts.has(TEXT.forms) && record.forms.length === 0) unmapped.add('text module 14 Formulare without a link (a form needs its url)')
  // 15 and the links of every other module are further information
  const further = [...(links.get(TEXT.further) ?? []), ...[...links].filter(([code]) => code !== TEXT.legalBasis && code !== TEXT.forms && code !== TEXT.further).flatMap(([, l]) => l)]
  record.furtherInformation = further.filter((l, i) => further.findIndex((x) => x.url === l.url) === i).slice(0, 30)
  if (texts.has(TEXT.further) && !links.has(TEXT.further)) unmapped.add('text module 15 Weiterführende Informationen: text without a link')

  const kosten = child(element, 'modulKosten')
  if (kosten) {
    const items = children(kosten, 'kosten')
    const text = german(children(kosten, 'beschreibung'))
      ?? items.map((k) => german(children(k, 'beschreibung'))).filter(Boolean).join('; ')
    const fees = toPlainText(text || deepText(kosten))
    if (fees) record.fees = shorten(fees, 200)
    for (const k of items) {
      const betrag = child(k, 'betrag')
      if (!betrag) continue
      const amount = Number(betrag.text.trim().replace(/\s/g, '').replace(/\.(?=\d{3}(?:\D|$))/g, '').replace(',', '.'))
      const currency = (betrag.attrs.waehrung ?? betrag.attrs.currencyID ?? textAt(k, 'waehrung', 'code') ?? textAt(k, 'waehrung') ?? 'EUR').toUpperCase()
      if (currency !== 'EUR') { unknown.add(`modulKosten currency "${currency.slice(0, 10)}" (only EUR is mapped)`); continue }
      if (!Number.isFinite(amount) || amount < 0 || amount > 1_000_000) { unmapped.add('modulKosten betrag that is not an amount'); continue }
      const itemText = german(children(k, 'beschreibung'))
      if (record.feeItems.length < 20) record.feeItems.push({ amount: Math.round(amount * 100) / 100, ...(itemText ? { text: shorten(toPlainText(itemText), 200) } : {}) })
    }
  }
  const frist = child(element, 'modulFrist')
  if (frist) {
    const text = german(children(frist, 'beschreibung')) ?? deepText(frist)
    if (text) record.deadlines = toSectionText(text, 4000) || undefined
  }
  const dauer = child(element, 'modulBearbeitungsdauer')
  if (dauer) {
    const time = processingTime(dauer)
    if (time) record.processingTime = time
    else unmapped.add('modulBearbeitungsdauer without text or duration')
  }
  const begriffe = child(element, 'modulBegriffImKontext')
  for (const b of begriffe ? descendants(begriffe, 'begriff') : []) {
    const term = shorten(toPlainText(german([b]) ?? ''), 200)
    if (term && term !== record.name && !record.synonyms.includes(term) && record.synonyms.length < 30) record.synonyms.push(term)
  }
  for (const k of children(element, 'kategorie')) {
    const label = german(children(k, 'bezeichnung'))
    const kid = textAt(k, 'id')
    if (label) record.categories.push(shorten(toPlainText(label), 200))
    else if (kid) record.categories.push(kid.slice(0, 100))
  }
  const changed = textAt(element, 'versionsinformation', 'geaendertDatumZeit')
  if (changed && !Number.isNaN(Date.parse(changed))) record.changedAt = new Date(changed).toISOString()
  const end = validityEnd(element)
  if (end) record.validUntil = end

  for (const code of texts.keys()) {
    if (TEXT_KNOWN_UNMAPPED[code]) unmapped.add(`text module ${code} ${TEXT_KNOWN_UNMAPPED[code]}`)
    else if (!TEXT_MAPPED.has(code)) unknown.add(`unknown text module code "${code.slice(0, 8)}"`)
  }
  for (const c of element.children) {
    if (LEISTUNG_MAPPED.has(c.name)) continue
    unmapped.add(LEISTUNG_UNMAPPED[c.name] ?? `element ${c.name.slice(0, 60)}`)
  }
  record.unmapped = [...unmapped]
  record.unknown = [...unknown]
  return record
}

/** The date validity ends: gueltigkeit (on the Leistung or in versionsinformation) with ende / bis / gueltigBis; element names not confirmed. */
function validityEnd(element: XmlElement): string | undefined {
  const holders = [...children(element, 'gueltigkeit'), ...children(child(element, 'versionsinformation'), 'gueltigkeit')]
  const ends = holders.flatMap((g) => ['ende', 'bis', 'gueltigBis', 'endeDatum'].map((n) => textAt(g, n)))
    .concat(textAt(element, 'versionsinformation', 'gueltigBis'))
    .filter((d): d is string => d !== undefined && /^\d{4}-\d{2}-\d{2}/.test(d))
  return ends.map((d) => d.slice(0, 10)).sort()[0]
}

const UNITS: [RegExp, DurationUnit][] = [
  [/^(?:werk|arbeits)tag|^workday/i, 'workday'], [/^tag|^day/i, 'day'], [/^woche|^week/i, 'week'], [/^monat|^month/i, 'month'],
  [/^jahr|^year/i, 'year'], [/^stunde|^hour/i, 'hour'], [/^minute/i, 'minute'], [/^sekunde|^second/i, 'second'],
]
const unitOf = (word: string): DurationUnit | undefined => UNITS.find(([re]) => re.test(word.trim()))?.[1]

/**
 * Bearbeitungsdauer: the German beschreibung as text, and a range where one is
 * stated: structured children (dauer / von / bis / einheit; not confirmed) or
 * the text's own "2 bis 4 Wochen", "ca. 3 Werktage".
 */
function processingTime(module: XmlElement): LeistungRecord['processingTime'] {
  const raw = german(children(module, 'beschreibung')) ?? (module.children.length === 0 ? module.text.trim() : undefined)
  const text = raw ? shorten(toPlainText(raw), 2000) : ''
  const num = (...names: string[]) => {
    for (const n of names) {
      const v = descendants(module, n)[0]?.text.trim()
      if (v && /^\d{1,6}$/.test(v)) return Number(v)
    }
    return undefined
  }
  const unitEl = descendants(module, 'einheit')[0]
  let min = num('von', 'min', 'minimaleDauer', 'dauer')
  let max = num('bis', 'max', 'maximaleDauer', 'dauerBis')
  let unit = unitEl ? unitOf(textAt(unitEl, 'name') ?? textAt(unitEl, 'code') ?? unitEl.text) : undefined
  if ((min === undefined && max === undefined) || !unit) {
    const m = /(\d{1,5})\s*(?:(?:bis|-|–)\s*(\d{1,5})\s*)?(Werktag\w*|Arbeitstag\w*|Tag\w*|Woche\w*|Monat\w*|Jahr\w*|Stunde\w*|Minute\w*)/i.exec(text)
    if (m) { min = Number(m[1]); max = m[2] !== undefined ? Number(m[2]) : min; unit = unitOf(m[3] ?? '') }
    else { min = undefined; max = undefined; unit = undefined }
  }
  if (min !== undefined && max !== undefined && min > max) [min, max] = [max, min]
  const range = unit && (min !== undefined || max !== undefined) ? { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}), unit } : undefined
  if (!text && !range) return undefined
  return { ...(text ? { text } : {}), ...range }
}

function office(element: XmlElement, id: string): OfficeRecord {
  const unknown: string[] = []
  const record: OfficeRecord = { kind: 'organisationseinheit', id, openingHours: [], zustaendigkeiten: zustaendigkeiten(element, unknown), unmapped: [], unknown }
  const name = german(children(child(element, 'name'), 'name')) ?? textAt(element, 'name')
  if (name) record.name = shorten(toPlainText(name), 200)
  const anschrift = child(element, 'anschrift')
  if (anschrift) {
    const street = [textAt(anschrift, 'strasse'), textAt(anschrift, 'hausnummer')].filter(Boolean).join(' ')
    if (street) record.street = shorten(street, 200)
    const plz = textAt(anschrift, 'postleitzahl')
    if (plz) record.postalCode = plz
    const city = textAt(anschrift, 'ort')
    if (city) record.city = shorten(city, 200)
  }
  // kommunikation: the channel code list is unconfirmed, so the kind is read from the value
  for (const k of [...descendants(element, 'kommunikation'), ...descendants(element, 'erreichbarkeit')]) {
    const value = textAt(k, 'kennung') ?? k.text.trim()
    if (!value) continue
    if (/^https?:\/\//i.test(value)) record.url ??= value
    else if (/^(?:mailto:)?[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(value)) record.email ??= value.replace(/^mailto:/i, '')
    else if (/^\+?[0-9 ()/-]{5,30}$/.test(value)) record.phone ??= value
    else record.unmapped.push('kommunikation value that is no phone number, e-mail address or web address')
  }
  for (const o of descendants(element, 'oeffnungszeiten')) {
    for (const line of toLines(deepText(o))) if (record.openingHours.length < 14) record.openingHours.push(shorten(line, 200))
  }
  for (const c of element.children) {
    if (!['id', 'name', 'anschrift', 'kommunikation', 'erreichbarkeit', 'oeffnungszeiten', 'zustaendigkeit'].includes(c.name)) record.unmapped.push(`organisationseinheit element ${c.name.slice(0, 60)}`)
  }
  record.unmapped = [...new Set(record.unmapped)]
  return record
}

const TRUST: [RegExp, OnlineServiceRecord['trustLevel']][] = [[/hoch|high/i, 'high'], [/substanziell|substantial/i, 'substantial'], [/niedrig|basis|low/i, 'low']]

function onlineService(element: XmlElement, id: string): OnlineServiceRecord {
  const unknown: string[] = []
  const record: OnlineServiceRecord = { kind: 'onlinedienst', id, zustaendigkeiten: zustaendigkeiten(element, unknown), unmapped: [], unknown }
  const name = german(children(element, 'bezeichnung'))
  if (name) record.name = shorten(toPlainText(name), 200)
  const links = children(element, 'link')
  // typ 01 is the entry link; a link without typ is taken when no 01 exists
  const entry = links.find((l) => textAt(l, 'typ', 'code') === '01') ?? links.find((l) => !child(l, 'typ'))
  const url = textAt(entry, 'link')
  if (url) record.url = url
  const trust = descendants(element, 'vertrauensniveau')[0]
  if (trust) {
    const level = textAt(trust, 'name') ?? deepText(trust)
    for (const [re, value] of TRUST) if (re.test(level)) { record.trustLevel = value; break }
    // a code alone (the code list is not confirmed) or a wording not known: said, not guessed
    if (!record.trustLevel) unknown.push(`unknown vertrauensniveau "${level.replace(/\s+/g, ' ').slice(0, 40)}"`)
  }
  for (const c of element.children) {
    if (!['id', 'bezeichnung', 'link', 'vertrauensniveau', 'zustaendigkeit'].includes(c.name)) record.unmapped.push(`onlinedienst element ${c.name.slice(0, 60)}`)
  }
  record.unmapped = [...new Set(record.unmapped)]
  return record
}
