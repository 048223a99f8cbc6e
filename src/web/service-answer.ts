// The service page's answer for one resident: every way that serves their
// area (city in person, Kreis, Land or Bund online), who is responsible,
// and the Leistungsbeschreibung in FIM order. Pure: the page and its tests
// read the same view, so no sentence can contradict the ways shown.
import type { Catalog, CatalogMember, Offering, RegionalService } from '../catalog/types.js'
import type { FullMemberNames } from '../catalog/member-names.js'
import { memberNames } from '../catalog/member-names.js'
import { offeringView, type HealthLookup, type OfferingView } from './offering-view.js'
import { feeLines } from './fees.js'

export interface WayView {
  /** "Online beim Bund", "Vor Ort bei der Stadtverwaltung Gladbeck" */
  heading: string
  /** the resident's own city (the only way that gets the "for you" mark) */
  yours: boolean
  onlineNow: boolean
  /** the member states it can be done in person (channels) */
  inPerson: boolean
  /** "bei der Stadtverwaltung Gladbeck", for links that name the member */
  at: string
  /** "die Stadtverwaltung Gladbeck", after "an" */
  to: string
  /** the office name the heading already says (not repeated below it) */
  officeShown?: string
  offering: OfferingView
}

export interface Reach {
  /** "die Stadtverwaltung Gladbeck" (with the office when it is not the member itself) */
  name: string
  phone?: string
  phoneHref?: string
  email?: string
  website?: string
  address?: string
}

export interface Section {
  id: string
  title: string
  paragraphs: string[]
  items: string[]
  ordered?: boolean
  links: { title: string; url: string }[]
  /** "Angabe vom Bund": the fact comes from another way than the responsible one */
  from?: string
}

export interface ServiceAnswer {
  /** the responsible member's id (feedback is counted for it) */
  member?: string
  /** "Zuständig ist die Stadtverwaltung Gladbeck." */
  responsible?: string
  /** one sentence built from the ways: online where, in person where */
  howText: string
  ways: WayView[]
  /** the FIM sections that have content, in order; "vorgehen" holds the ways */
  sections: Section[]
  /** one line for what no way states, naming whom to ask and how */
  missing?: { topics: string; reach: Reach }
}

/** The facts the missing line names, in FIM order. */
const FACTS = [
  ['voraussetzungen', 'Voraussetzungen', 'Voraussetzungen'],
  ['unterlagen', 'Unterlagen', 'Unterlagen'],
  ['kosten', 'Kosten', 'Kosten'],
  ['dauer', 'Bearbeitungsdauer', 'Bearbeitungsdauer'],
  ['fristen', 'Fristen', 'Fristen'],
] as const

export function namesOf(catalog: Catalog, memberId: string, fallbackName: string): FullMemberNames {
  const member: CatalogMember | undefined = catalog.memberById.get(memberId)
  return member?.names ?? memberNames({ name: fallbackName, level: 'stadt' })
}

/** "a", "a und b", "a, b und c" */
export function joinGerman(parts: readonly string[], last = 'und'): string {
  if (parts.length <= 1) return parts[0] ?? ''
  return `${parts.slice(0, -1).join(', ')} ${last} ${parts[parts.length - 1]}`
}

/** The member's nominative, with its office when that is a named part of it. */
function whoName(names: FullMemberNames, office: { name: string } | undefined): string {
  if (office === undefined || names.nominative.endsWith(office.name) || names.label === office.name) return names.nominative
  return `${names.nominative}, ${office.name}`
}

/** The Bund acts through its agencies: the agency's name says where to go. */
function withAgency(form: string, office: { name: string } | undefined, level: string): string {
  return level === 'bund' && office !== undefined ? `${form} (${office.name})` : form
}

export function serviceAnswer(
  catalog: Catalog,
  health: HealthLookup,
  service: RegionalService,
  serving: readonly Offering[],
  residentCities: ReadonlySet<string>,
): ServiceAnswer {
  const ways = serving.map((o) => wayView(catalog, health, o, residentCities.has(o.member)))
  // What the resident can do first: right now online, then in person, most local first.
  const ordered = [...ways].sort((a, b) => Number(b.onlineNow) - Number(a.onlineNow))
  const primary = serving[0]
  const summary = primary?.summary ?? service.summary
  const answer: ServiceAnswer = { howText: howText(ordered, primary ? namesOf(catalog, primary.member, primary.memberName) : undefined, MENTIONS_ONLINE.test(summary)), ways: ordered, sections: [] }
  if (primary) answer.member = primary.member
  if (primary) answer.responsible = `Zuständig ist ${whoName(namesOf(catalog, primary.member, primary.memberName), primary.office)}.`
  answer.sections = sections(catalog, service, serving, ordered)
  const present = new Set(answer.sections.map((s) => s.id))
  const missing = FACTS.filter(([id]) => !present.has(id)).map(([, , label]) => label)
  if (primary && missing.length > 0) answer.missing = { topics: joinGerman(missing), reach: reachOf(catalog, primary, ways[0]?.offering) }
  return answer
}

function wayView(catalog: Catalog, health: HealthLookup, offering: Offering, yours: boolean): WayView {
  const view = offeringView(offering, catalog, health)
  const names = namesOf(catalog, offering.member, offering.memberName)
  const at = withAgency(names.at, offering.office, offering.level)
  const to = withAgency(names.accusative, offering.office, offering.level)
  const onlineNow = view.goUrl !== undefined
  // Only what the member states: an office alone does not say it can be done there.
  const inPerson = offering.channels?.includes('in-person') === true
  const heading = onlineNow && inPerson ? `Online oder vor Ort ${at}` : onlineNow ? `Online ${at}` : inPerson ? `Vor Ort ${at}` : `Wenden Sie sich an ${to}`
  const way: WayView = { heading, yours, onlineNow, inPerson, at, to, offering: view }
  if (view.office !== undefined && heading.endsWith(view.office.name)) way.officeShown = view.office.name
  return way
}

/** a member's text that says the service can be done online ("auch online über i-Kfz") */
const MENTIONS_ONLINE = /\bonline\b(?!-)/i

function howText(ways: readonly WayView[], primary: FullMemberNames | undefined, textMentionsOnline: boolean): string {
  const both = ways.filter((w) => w.onlineNow && w.inPerson).map((w) => w.at)
  const online = ways.filter((w) => w.onlineNow && !w.inPerson).map((w) => w.at)
  const person = ways.filter((w) => w.inPerson && !w.onlineNow).map((w) => w.at)
  const ask = ways.filter((w) => !w.onlineNow && !w.inPerson).map((w) => w.to)
  const sentences: string[] = []
  if (both.length > 0) sentences.push(`Online oder vor Ort erledigen Sie das ${joinGerman(both, 'oder')}.`)
  if (online.length > 0) sentences.push(`${both.length > 0 ? 'Online auch' : 'Online erledigen Sie das'} ${joinGerman(online, 'oder')}.`)
  if (person.length > 0) sentences.push(`${sentences.length > 0 ? 'Vor Ort geht es' : 'Sie erledigen das vor Ort'} ${joinGerman(person, 'oder')}.`)
  // "Zuständig ist X" already says whom to ask when X is the only way.
  if (ask.length > 0 && (sentences.length > 0 || ways.length > 1)) sentences.push(`${sentences.length > 0 ? 'Oder wenden' : 'Wenden'} Sie sich an ${joinGerman(ask, 'oder')}.`)
  if (!ways.some((w) => w.onlineNow)) {
    const offlineOnly = ways.length > 0 && ways.every((w) => w.offering.offlineOnly)
    // The member's own text may name an online way we have no link for: never deny it.
    if (textMentionsOnline) sentences.push(`Einen Link zum Online-Antrag haben wir nicht${primary ? `; fragen Sie ${primary.at} nach` : ''}.`)
    else sentences.push(offlineOnly ? 'Online ist das nicht möglich.' : 'Ein Online-Antrag ist uns nicht bekannt.')
  }
  return sentences.join(' ')
}

function reachOf(catalog: Catalog, offering: Offering, view: OfferingView | undefined): Reach {
  const names = namesOf(catalog, offering.member, offering.memberName)
  const office = view?.office
  // phone and e-mail from one source: an office's own, else the member's general contact under the member's
  // name (never the city's switchboard beside an office's name, which would read as that office's number)
  const own = office !== undefined && (office.phone !== undefined || office.email !== undefined)
  const source = own ? office : view?.availability.contact
  const general = !own && (source?.phone !== undefined || source?.email !== undefined)
  const reach: Reach = { name: whoName(names, general ? undefined : office) }
  if (source?.phone !== undefined && source.phoneHref !== undefined) {
    reach.phone = source.phone
    reach.phoneHref = source.phoneHref
  }
  if (source?.email !== undefined) reach.email = source.email
  if (reach.phone === undefined && reach.email === undefined) {
    const website = office?.appointmentUrl ?? offering.infoUrl ?? view?.availability.contact.website
    if (website !== undefined) reach.website = website
    else if (office?.address !== undefined) reach.address = office.address
  }
  return reach
}

const empty = (id: string, title: string): Section => ({ id, title, paragraphs: [], items: [], links: [] })
const hasContent = (s: Section) => s.paragraphs.length + s.items.length + s.links.length > 0

/** The first way (responsible one first) that states a fact, and whose it is. */
function firstWith<T>(serving: readonly Offering[], catalog: Catalog, pick: (o: Offering) => T | undefined): { value: T; from?: string } | undefined {
  for (const [i, o] of serving.entries()) {
    const value = pick(o)
    if (value === undefined) continue
    return i === 0 ? { value } : { value, from: `Angabe ${namesOf(catalog, o.member, o.memberName).from}` }
  }
  return undefined
}

const nonEmpty = <T>(list: T[] | undefined): T[] | undefined => (list !== undefined && list.length > 0 ? list : undefined)

function sections(catalog: Catalog, service: RegionalService, serving: readonly Offering[], ways: readonly WayView[]): Section[] {
  const out: Section[] = []
  const add = (section: Section, from?: string) => {
    if (from !== undefined) section.from = from
    if (hasContent(section)) out.push(section)
  }
  const primary = serving[0]
  const what = empty('worum', 'Worum es geht')
  what.paragraphs.push(primary?.summary ?? service.summary)
  add(what)

  const requirements = firstWith(serving, catalog, (o) => o.requirements)
  if (requirements) add({ ...empty('voraussetzungen', 'Voraussetzungen'), paragraphs: [requirements.value] }, requirements.from)

  const documents = firstWith(serving, catalog, (o) => nonEmpty(o.documents))
  if (documents) add({ ...empty('unterlagen', 'Unterlagen'), items: documents.value }, documents.from)

  const fees = firstWith(serving, catalog, (o) => (o.fees !== undefined || nonEmpty(o.feeItems) ? o : undefined))
  if (fees) {
    add({ ...empty('kosten', 'Kosten'), ...feeLines(fees.value.fees, fees.value.feeItems) }, fees.from)
  }

  const duration = firstWith(serving, catalog, (o) => (o.processingTime ? processingText(o.processingTime) : undefined))
  if (duration) add({ ...empty('dauer', 'Bearbeitungsdauer'), paragraphs: [duration.value] }, duration.from)

  const deadlines = firstWith(serving, catalog, (o) => o.deadlines)
  if (deadlines) add({ ...empty('fristen', 'Fristen'), paragraphs: [deadlines.value] }, deadlines.from)

  // The ways themselves are rendered by the template inside this section.
  const how = empty('vorgehen', 'So gehen Sie vor')
  const steps = firstWith(serving, catalog, (o) => nonEmpty(o.procedure))
  if (steps) {
    how.items = steps.value
    how.ordered = true
    if (steps.from !== undefined) how.from = steps.from
  }
  if (ways.length > 0 || hasContent(how)) out.push(how)

  const legal = firstWith(serving, catalog, (o) => nonEmpty(o.legalBasis))
  if (legal) {
    const s = empty('recht', 'Rechtsgrundlagen')
    for (const l of legal.value) {
      if (l.url !== undefined) s.links.push({ title: l.title, url: l.url })
      else s.items.push(l.title)
    }
    add(s, legal.from)
  }

  const forms = firstWith(serving, catalog, (o) => nonEmpty(o.forms))
  if (forms) add({ ...empty('formulare', 'Formulare'), links: forms.value.map((f) => ({ title: f.title, url: f.url })) }, forms.from)

  const more = empty('mehr', 'Weitere Informationen')
  if (primary?.notes !== undefined) more.paragraphs.push(primary.notes)
  for (const l of primary?.furtherInformation ?? []) more.links.push({ title: l.title, url: l.url })
  for (const o of serving) {
    if (o.infoUrl !== undefined) more.links.push({ title: `Weitere Informationen ${namesOf(catalog, o.member, o.memberName).at}`, url: o.infoUrl })
  }
  add(more)
  return out
}

const UNIT: Record<string, [string, string]> = {
  second: ['Sekunde', 'Sekunden'],  minute: ['Minute', 'Minuten'],
  hour: ['Stunde', 'Stunden'],
  day: ['Tag', 'Tage'],
  workday: ['Arbeitstag', 'Arbeitstage'],
  week: ['Woche', 'Wochen'],
  month: ['Monat', 'Monate'],
  year: ['Jahr', 'Jahre'],
}

function processingText(time: { text?: string; min?: number; max?: number; unit?: string }): string | undefined {
  if (time.text !== undefined) return time.text
  const unit = time.unit !== undefined ? UNIT[time.unit] : undefined
  if (unit === undefined) return undefined
  const word = (n: number) => (n === 1 ? unit[0] : unit[1])
  if (time.min !== undefined && time.max !== undefined && time.min !== time.max) return `${time.min} bis ${time.max} ${word(time.max)}`
  const n = time.max ?? time.min
  if (n === undefined) return undefined
  return time.max !== undefined && time.min === undefined ? `bis zu ${n} ${word(n)}` : `etwa ${n} ${word(n)}`
}
