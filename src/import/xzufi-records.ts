// One captured XZuFi object (an element tree from xml-reader.ts) -> the small
// record the mapping needs. Text is reduced to plain text and capped here, so
// a 100 MB export keeps only a few hundred bytes per Leistung. Pure.
//
// Element names confirmed from public parsers (shared/data/standards.md):
// leistung/id, referenzLeiKa/code, modulText/leikaTextmodul/code, inhalt
// @languageCode; organisationseinheit/name/name, zustaendigkeit/leistungID,
// gebietID; onlinedienst/bezeichnung, link/typ/code, link/link.
// NOT confirmed (read tolerantly, see README "XZuFi import"): anschrift
// (strasse, hausnummer, postleitzahl, ort), kommunikation/kennung,
// oeffnungszeiten, vertrauensniveau, modulKosten, modulFrist.
import { child, children, textAt, type XmlElement } from './xml-reader.js'
import { shorten, toLines, toPlainText } from './plain-text.js'

export interface Zustaendigkeit {
  leistungId: string
  /** ARS digits */
  gebiete: string[]
}

export interface LeistungRecord {
  kind: 'leistung'
  id: string
  leikaKey?: string
  name?: string
  summary?: string
  documents: string[]
  fees?: string
  /** text modules / modules read but without a manifest field (reported) */
  unmapped: string[]
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
}

export interface OnlineServiceRecord {
  kind: 'onlinedienst'
  id: string
  name?: string
  url?: string
  trustLevel?: 'low' | 'substantial' | 'high'
  zustaendigkeiten: Zustaendigkeit[]
}

/** A Zuständigkeit sent as its own object (PVOG): it belongs to the office or online service named by uebergeordnetesObjektID. */
interface ZustaendigkeitRecord {
  kind: 'zustaendigkeit'
  parentId: string
  zustaendigkeiten: Zustaendigkeit[]
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

function zustaendigkeiten(element: XmlElement): Zustaendigkeit[] {
  return children(element, 'zustaendigkeit').flatMap((z) => {
    const leistungId = textAt(z, 'leistungID')
    const gebiete = children(z, 'gebietID').map((g) => ars(g.text)).filter((x): x is string => x !== undefined)
    return leistungId ? [{ leistungId, gebiete }] : []
  })
}

const TEXT_NAME = ['03', '02']
const TEXT_SUMMARY = ['24', '05', '06']
const TEXT_DOCUMENTS = '08'
const TEXT_KNOWN_UNMAPPED: Record<string, string> = {
  '07': 'Handlungsgrundlagen', '09': 'Voraussetzungen', '11': 'Verfahrensablauf', '14': 'Formulare', '15': 'Weiterführende Informationen',
  '16': 'Hinweise', '18': 'Urheber', '22': 'Zuständige Stelle', '23': 'Ansprechpunkt', '25': 'Rechtsbehelf',
}

export function toRecord(element: XmlElement): XzufiRecord | undefined {
  if (element.name === 'zustaendigkeitTransferObjekt') {
    const parentId = textAt(element, 'uebergeordnetesObjektID')
    return parentId ? { kind: 'zustaendigkeit', parentId, zustaendigkeiten: zustaendigkeiten(element) } : undefined
  }
  const id = textAt(element, 'id')
  if (!id) return undefined
  if (element.name === 'leistung') return leistung(element, id)
  if (element.name === 'organisationseinheit') return office(element, id)
  if (element.name === 'onlinedienst') return onlineService(element, id)
  return undefined
}

function leistung(element: XmlElement, id: string): LeistungRecord {
  const texts = new Map<string, string>()
  const unmapped = new Set<string>()
  for (const m of children(element, 'modulText')) {
    const code = textAt(m, 'leikaTextmodul', 'code')
    const content = german(children(m, 'inhalt'))
    if (!code || !content) continue
    if (!texts.has(code)) texts.set(code, content)
  }
  const record: LeistungRecord = { kind: 'leistung', id, documents: [], unmapped: [] }
  const key = children(element, 'referenzLeiKa').map((r) => textAt(r, 'code')).find((c) => c !== undefined && /^99[0-9]{12}$/.test(c))
  if (key) record.leikaKey = key
  const name = TEXT_NAME.map((c) => texts.get(c)).find(Boolean)
  if (name) record.name = shorten(toPlainText(name), 200)
  const summary = TEXT_SUMMARY.map((c) => texts.get(c)).find((t) => t && toPlainText(t))
  if (summary) record.summary = shorten(toPlainText(summary), SUMMARY_MAX)
  const documents = texts.get(TEXT_DOCUMENTS)
  if (documents) record.documents = toLines(documents).map((d) => shorten(d, 200)).slice(0, 30)
  const fees = toPlainText(deepText(child(element, 'modulKosten')))
  if (fees) record.fees = shorten(fees, 200)
  for (const code of texts.keys()) {
    if (TEXT_KNOWN_UNMAPPED[code]) unmapped.add(`text module ${code} ${TEXT_KNOWN_UNMAPPED[code]}`)
    else if (![...TEXT_NAME, ...TEXT_SUMMARY, TEXT_DOCUMENTS].includes(code)) unmapped.add(`unknown text module ${code.slice(0, 8)}`)
  }
  if (child(element, 'modulFrist')) unmapped.add('modulFrist (Fristen)')
  if (child(element, 'modulBearbeitungsdauer')) unmapped.add('modulBearbeitungsdauer')
  record.unmapped = [...unmapped]
  return record
}

function office(element: XmlElement, id: string): OfficeRecord {
  const record: OfficeRecord = { kind: 'organisationseinheit', id, openingHours: [], zustaendigkeiten: zustaendigkeiten(element) }
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
    else if (/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(value)) record.email ??= value
    else if (/^\+?[0-9 ()/-]{5,30}$/.test(value)) record.phone ??= value
  }
  for (const o of descendants(element, 'oeffnungszeiten')) {
    for (const line of toLines(deepText(o))) if (record.openingHours.length < 14) record.openingHours.push(shorten(line, 200))
  }
  return record
}

const TRUST: [RegExp, OnlineServiceRecord['trustLevel']][] = [[/hoch|high/i, 'high'], [/substanziell|substantial/i, 'substantial'], [/niedrig|basis|low/i, 'low']]

function onlineService(element: XmlElement, id: string): OnlineServiceRecord {
  const record: OnlineServiceRecord = { kind: 'onlinedienst', id, zustaendigkeiten: zustaendigkeiten(element) }
  const name = german(children(element, 'bezeichnung'))
  if (name) record.name = shorten(toPlainText(name), 200)
  const links = children(element, 'link')
  // typ 01 is the entry link; a link without typ is taken when no 01 exists
  const entry = links.find((l) => textAt(l, 'typ', 'code') === '01') ?? links.find((l) => !child(l, 'typ'))
  const url = textAt(entry, 'link')
  if (url) record.url = url
  const trust = descendants(element, 'vertrauensniveau')[0]
  const level = trust ? (textAt(trust, 'name') ?? deepText(trust)) : ''
  for (const [re, value] of TRUST) if (re.test(level)) { record.trustLevel = value; break }
  return record
}
