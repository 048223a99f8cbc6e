// XZuFi records -> a v2 manifest for one member, plus a report of what was
// mapped and what was dropped and why. Pure: the caller passes the region
// facts (member, catalog, Lebenslagen) and the clock.
//
// Responsibility: only a Zuständigkeit whose gebietID (ARS) is the member's
// own area or lies inside it is the member's. A Kreis-, Land- or Bund-wide one
// (a Land's editorial system exports those) belongs to that member, and one
// for another city to that city: the report names whose it is.
// Rolle 01 (Zuständige Stelle) gives the offering's office, 02 (Ansprechpunkt)
// its contactPoints, whatever order the file has.
import type { ManifestV2, Office, OnlineService, Service } from '../manifest/schema.js'
import { LIMITS } from '../manifest/schema.js'
import { checkUrl } from '../manifest/url-safety.js'
import { arsOverlap, normalizeArs, ownerOf } from './areas.js'
import type { LeistungRecord, OfficeRecord, OnlineServiceRecord, XzufiRecord, Zustaendigkeit } from './xzufi-records.js'

export { arsOverlap }

export interface MapContext {
  member: { id: string; ars: string; allowedHosts: readonly string[] }
  members: readonly { id: string; ars: string }[]
  catalog: readonly { key: string; leikaKey?: string; lifeSituations: readonly string[] }[]
  /** `fallback`: the region's Lebenslage for a local service the export does not classify (config/life-situations.json) */
  lifeSituations: readonly { id: string; label: string; description?: string; fallback?: boolean }[]
  /** links kept from the member's current manifest (XZuFi has none) */
  links?: ManifestV2['links']
  version: '2.2.0' | '2.1.0'
  now: Date
}

interface Dropped {
  kind: 'leistung' | 'organisationseinheit' | 'onlinedienst'
  id: string
  name?: string
  reason: string
}

export interface ImportReport {
  member: string
  xzufiVersion: string
  read: { leistungen: number; organisationseinheiten: number; onlinedienste: number }
  mapped: { services: number; catalogServices: number; localServices: number; offices: number; onlineServices: number }
  dropped: Dropped[]
  /** facts read but without a manifest field, with how many mapped objects had them */
  notMapped: { what: string; count: number }[]
  /** codes the importer does not know (text module, rolle, vertrauensniveau, currency), with how often they were read */
  unknownCodes: { what: string; count: number }[]
}

const slugify = (text: string): string => text.toLowerCase()
  .replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss')
  .normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 56).replace(/-+$/, '') || 'x'

function uniqueSlug(base: string, used: Set<string>): string {
  let id = slugify(base)
  for (let n = 2; used.has(id); n++) id = `${slugify(base).slice(0, 56)}-${n}`
  used.add(id)
  return id
}

export function mapXzufi(records: readonly XzufiRecord[], context: MapContext): { manifest: ManifestV2; report: ImportReport } {
  const leistungen = records.filter((r): r is LeistungRecord => r.kind === 'leistung')
  // Zuständigkeiten sent as separate objects (PVOG) join the office or online service they name; orphans are ignored
  const separate = new Map<string, Zustaendigkeit[]>()
  for (const r of records) {
    if (r.kind !== 'zustaendigkeit') continue
    const list = separate.get(r.parentId)
    if (list) list.push(...r.zustaendigkeiten)
    else separate.set(r.parentId, [...r.zustaendigkeiten])
  }
  const withSeparate = <T extends OfficeRecord | OnlineServiceRecord>(r: T): T =>
    separate.has(r.id) ? { ...r, zustaendigkeiten: [...r.zustaendigkeiten, ...(separate.get(r.id) ?? [])] } : r
  const offices = records.filter((r): r is OfficeRecord => r.kind === 'organisationseinheit').map(withSeparate)
  const onlines = records.filter((r): r is OnlineServiceRecord => r.kind === 'onlinedienst').map(withSeparate)
  const dropped: Dropped[] = []
  const drop = (kind: Dropped['kind'], r: { id: string; name?: string }, reason: string) => {
    dropped.push({ kind, id: r.id.slice(0, 100), ...(r.name ? { name: r.name } : {}), reason })
  }
  // ours: the member is the most specific member whose area holds the gebietID (a Kreis does not import its cities' Zuständigkeiten)
  const owners = new Map<string, string | undefined>()
  const owner = (g: string) => {
    if (!owners.has(g)) owners.set(g, ownerOf(g, context.members))
    return owners.get(g)
  }
  const ours = (z: Zustaendigkeit) => z.role !== undefined && z.gebiete.some((g) => owner(g) === context.member.id)
  // whose area a Zuständigkeit outside ours is: "belongs to kreis-recklinghausen: import it there"
  const elsewhere = (list: readonly Zustaendigkeit[]): string => {
    let outside = false
    const named = new Set<string>()
    for (const z of list) for (const g of z.gebiete) {
      const id = owner(g)
      if (id === undefined) outside = true
      else if (id !== context.member.id) named.add(id)
    }
    const names = [...named].slice(0, 5)
    return [
      ...(names.length > 0 ? [`belongs to ${names.join(', ')}: import it there`] : []),
      ...(outside ? ['area outside the region'] : []),
    ].join('; ')
  }
  const notOurs = (list: readonly Zustaendigkeit[]) => {
    const where = elsewhere(list)
    return where ? `no Zuständigkeit in the member's area (${where})` : "no Zuständigkeit in the member's area"
  }
  // Leistungen with a Zuständigkeit in the area, also through an office or online service left out below (no name, URL not allowed)
  const inArea = new Set([...offices, ...onlines].flatMap((r) => r.zustaendigkeiten.filter(ours).map((z) => z.leistungId)))
  const zustaendigkeitenOf = new Map<string, Zustaendigkeit[]>()
  for (const r of [...offices, ...onlines]) for (const z of r.zustaendigkeiten) {
    const list = zustaendigkeitenOf.get(z.leistungId)
    if (list) list.push(z)
    else zustaendigkeitenOf.set(z.leistungId, [z])
  }
  const notMapped = new Map<string, number>()
  const count = (map: Map<string, number>, whats: readonly string[]) => { for (const w of whats) map.set(w, (map.get(w) ?? 0) + 1) }
  const unknownCodes = new Map<string, number>()
  for (const r of records) count(unknownCodes, r.unknown)

  // offices: Organisationseinheiten responsible (or Ansprechpunkt) somewhere in the member's area
  const officeIds = new Set<string>()
  const officeOf = new Map<string, string>() // leistungId -> office slug (rolle 01)
  const contactsOf = new Map<string, string[]>() // leistungId -> office slugs (rolle 02)
  const manifestOffices: Office[] = []
  for (const o of offices) {
    if (!o.zustaendigkeiten.some(ours)) { drop('organisationseinheit', o, notOurs(o.zustaendigkeiten)); continue }
    if (!o.name) { drop('organisationseinheit', o, 'no name'); continue }
    if (manifestOffices.length >= LIMITS.offices) { drop('organisationseinheit', o, `manifest limit of ${LIMITS.offices} offices reached`); continue }
    const office: Office = { id: uniqueSlug(o.name, officeIds), name: o.name }
    if (o.street && o.postalCode && /^[0-9]{5}$/.test(o.postalCode) && o.city) office.address = { street: o.street, postalCode: o.postalCode, city: o.city }
    if (o.openingHours.length > 0) office.openingHours = o.openingHours
    if (o.phone) office.phone = o.phone
    if (o.email && o.email.length <= 254) office.email = o.email
    if (o.url) {
      const problem = checkUrl(o.url, context.member.allowedHosts)
      if (problem) drop('organisationseinheit', { id: o.id, name: `${o.name} (web page)` }, `web page left out: ${problem}`)
      else office.url = o.url
    }
    manifestOffices.push(office)
    count(notMapped, o.unmapped)
    for (const z of o.zustaendigkeiten) {
      if (!ours(z)) continue
      if (z.role === 'responsible') { if (!officeOf.has(z.leistungId)) officeOf.set(z.leistungId, office.id) }
      else {
        const list = contactsOf.get(z.leistungId) ?? []
        if (!list.includes(office.id)) list.push(office.id)
        contactsOf.set(z.leistungId, list)
      }
    }
  }

  // online services: an allowed https entry link, responsible in the member's area
  const onlineIds = new Set<string>()
  const onlineOf = new Map<string, OnlineService>() // leistungId -> online service
  const manifestOnline: OnlineService[] = []
  const implementsOf = new Map<OnlineService, Set<string>>()
  for (const d of onlines) {
    if (!d.zustaendigkeiten.some(ours)) { drop('onlinedienst', d, notOurs(d.zustaendigkeiten)); continue }
    if (!d.url) { drop('onlinedienst', d, 'no entry link (link typ 01)'); continue }
    const problem = checkUrl(d.url, context.member.allowedHosts)
    if (problem) { drop('onlinedienst', d, `URL not allowed: ${problem}`); continue }
    if (manifestOnline.length >= LIMITS.onlineServices) { drop('onlinedienst', d, `manifest limit of ${LIMITS.onlineServices} online services reached`); continue }
    const gebiete = [...new Set(d.zustaendigkeiten.flatMap((z) => z.gebiete))]
    // shared: every region member whose area a gebietID overlaps; other areas as ARS prefixes
    const serves = new Set<string>([context.member.id])
    for (const g of gebiete) {
      const members = context.members.filter((m) => arsOverlap(g, m.ars) && normalizeArs(m.ars).length >= normalizeArs(g).length)
      if (members.length > 0) for (const m of members) serves.add(m.id)
      else serves.add(normalizeArs(g))
    }
    const service: OnlineService = {
      id: uniqueSlug(d.name ?? d.id, onlineIds),
      name: d.name ?? 'Online-Dienst',
      url: d.url,
      serves: [...serves].slice(0, LIMITS.serves),
    }
    if (d.trustLevel) service.trustLevel = d.trustLevel
    manifestOnline.push(service)
    count(notMapped, d.unmapped)
    implementsOf.set(service, new Set())
    for (const z of d.zustaendigkeiten) if (ours(z) && !onlineOf.has(z.leistungId)) onlineOf.set(z.leistungId, service)
  }

  // services
  const byLeika = new Map(context.catalog.filter((e) => e.leikaKey).map((e) => [e.leikaKey as string, e]))
  const usedKeys = new Set<string>()
  const serviceIds = new Set<string>()
  const services: Service[] = []
  let catalogServices = 0
  const today = context.now.toISOString().slice(0, 10)
  for (const l of leistungen) {
    const contacts = contactsOf.get(l.id) ?? []
    if (!officeOf.has(l.id) && !onlineOf.has(l.id) && contacts.length === 0) {
      drop('leistung', l, inArea.has(l.id)
        ? "responsible in the member's area only through an Organisationseinheit or Onlinedienst that is left out (see its entry)"
        : notOurs(zustaendigkeitenOf.get(l.id) ?? []))
      continue
    }
    if (l.validUntil !== undefined && l.validUntil < today) { drop('leistung', l, `validity ended on ${l.validUntil} (gueltigkeit): skipped`); continue }
    if (!l.leikaKey) { drop('leistung', l, 'no LeiKa key (referenzLeiKa)'); continue }
    if (!l.name) { drop('leistung', l, 'no name (text module 03 Leistungsname or 02 Leistungsbezeichnung)'); continue }
    if (!l.summary) { drop('leistung', l, 'no description (text module 24 Teaser, 05 Kurztext or 06 Volltext)'); continue }
    const entry = byLeika.get(l.leikaKey)
    if (entry && usedKeys.has(entry.key)) { drop('leistung', l, `another Leistung already maps to catalog service "${entry.key}"`); continue }
    const derived = entry ? { ids: [...entry.lifeSituations], unmatched: [] } : lifeSituationsFor(l, context)
    const lifeSituations = derived.ids
    if (lifeSituations.length === 0) { drop('leistung', l, `LeiKa key ${l.leikaKey} is not in the region catalog and the region has no fallback Lebenslage ("fallback": true in config/life-situations.json)`); continue }
    if (services.length >= LIMITS.services) { drop('leistung', l, `manifest limit of ${LIMITS.services} services reached`); continue }
    const service: Service = {
      id: entry ? uniqueSlug(entry.key, serviceIds) : uniqueSlug(l.name, serviceIds),
      name: l.name,
      summary: l.summary,
      audiences: ['residents'],
      lifeSituations: lifeSituations.slice(0, LIMITS.lifeSituations),
    }
    if (entry) { service.key = entry.key; usedKeys.add(entry.key); catalogServices++ } else {
      // merged with other members' services of the same key (catalog/merge.ts); 02 names the merged service
      service.leikaKey = l.leikaKey
      if (l.leikaName) service.leikaName = l.leikaName
    }
    const unmapped = [...l.unmapped, ...derived.unmatched.map((c) => `kategorie "${c}" (no Lebenslage of the region has this name)`)]
    copyDescription(l, service, context, unmapped)
    const office = officeOf.get(l.id)
    if (office) service.office = office
    const contactPoints = contacts.filter((c) => c !== office).slice(0, LIMITS.contactPoints)
    if (contactPoints.length > 0) service.contactPoints = contactPoints
    const online = onlineOf.get(l.id)
    if (online) {
      service.onlineService = online.id
      if (online.trustLevel) service.trustLevel = online.trustLevel
      implementsOf.get(online)?.add(entry ? entry.key : l.leikaKey)
    }
    const channels: Service['channels'] = []
    if (online) channels.push('online')
    if (office || contactPoints.length > 0) channels.push('in-person')
    if (channels.length > 0) service.channels = channels
    service.updatedAt = l.changedAt ?? context.now.toISOString()
    services.push(service)
    count(notMapped, unmapped)
  }
  for (const [service, keys] of implementsOf) if (keys.size > 0) service.implements = [...keys].slice(0, LIMITS.implements)

  const manifest: ManifestV2 = {
    schemaVersion: 2,
    member: context.member.id,
    updatedAt: context.now.toISOString(),
    sources: [{
      what: 'services, offices and online services',
      source: `XZuFi ${context.version} import (dachportal-import) of ${leistungen.length} Leistungen, ${offices.length} Organisationseinheiten, ${onlines.length} Onlinedienste`,
    }],
    links: context.links ?? {},
    ...(manifestOnline.length > 0 ? { onlineServices: manifestOnline } : {}),
    offices: manifestOffices,
    services,
  }
  const report: ImportReport = {
    member: context.member.id,
    xzufiVersion: context.version,
    read: { leistungen: leistungen.length, organisationseinheiten: offices.length, onlinedienste: onlines.length },
    mapped: { services: services.length, catalogServices, localServices: services.length - catalogServices, offices: manifestOffices.length, onlineServices: manifestOnline.length },
    dropped,
    notMapped: [...notMapped].map(([what, n]) => ({ what, count: n })).sort((a, b) => b.count - a.count),
    unknownCodes: [...unknownCodes].map(([what, n]) => ({ what, count: n })).sort((a, b) => b.count - a.count),
  }
  return { manifest, report }
}

/**
 * Lebenslagen for a LeiKa key the catalog does not know: those the export's
 * kategorie names (a kategorie whose German name is a Lebenslage's label or
 * id; its codes are not checked against a code list we could verify), else
 * those of a catalog service in the same LeiKa group (first five digits),
 * else the region's fallback Lebenslage. Empty only when the region has none.
 */
function lifeSituationsFor(l: LeistungRecord, context: MapContext): { ids: string[]; unmatched: string[] } {
  const fold = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim()
  const ids: string[] = []
  const unmatched: string[] = []
  for (const c of l.categories) {
    const hit = context.lifeSituations.find((s) => fold(s.label) === fold(c) || s.id === fold(c))
    if (hit) { if (!ids.includes(hit.id)) ids.push(hit.id) } else unmatched.push(c.slice(0, 80))
  }
  if (ids.length > 0) return { ids, unmatched }
  const group = l.leikaKey?.slice(0, 5)
  const sibling = context.catalog.find((e) => e.leikaKey?.slice(0, 5) === group)
  if (sibling) return { ids: [...sibling.lifeSituations], unmatched }
  const fallback = context.lifeSituations.find((s) => s.fallback === true)
  return { ids: fallback ? [fallback.id] : [], unmatched }
}

/** The Leistungsbeschreibung onto the offering; links that fail the URL rules are left out and counted. */
function copyDescription(l: LeistungRecord, service: Service, context: MapContext, unmapped: string[]): void {
  if (l.synonyms.length > 0) service.synonyms = l.synonyms.slice(0, LIMITS.synonyms)
  if (l.fees) service.fees = l.fees
  if (l.feeItems.length > 0) service.feeItems = l.feeItems.map((f) => ({ amount: f.amount, currency: 'EUR' as const, ...(f.text ? { text: f.text } : {}) }))
  if (l.documents.length > 0) service.documents = l.documents
  if (l.requirements) service.requirements = l.requirements
  if (l.procedure.length > 0) service.procedure = l.procedure
  if (l.deadlines) service.deadlines = l.deadlines
  if (l.processingTime) service.processingTime = l.processingTime
  if (l.notes) service.notes = l.notes
  // laws and further reading may be on any https host; a form is the member's own (its allowedHosts), as the manifest rules say
  const legalBasis = l.legalBasis.map((b) => {
    if (b.url === undefined || !checkUrl(b.url, undefined)) return b
    unmapped.push('text module 07 link that is no safe https URL (title kept)')
    return { title: b.title }
  })
  if (legalBasis.length > 0) service.legalBasis = legalBasis
  const forms = l.forms.filter((f) => {
    const problem = checkUrl(f.url, context.member.allowedHosts)
    if (problem) unmapped.push(problem.startsWith('host') ? "text module 14 form link not on the member's allowedHosts" : 'text module 14 form link that is no safe https URL')
    return !problem
  })
  if (forms.length > 0) service.forms = forms
  const further = l.furtherInformation.filter((f) => {
    const problem = checkUrl(f.url, undefined)
    if (problem) unmapped.push('weiterfuehrenderLink that is no safe https URL')
    return !problem
  })
  if (further.length > 0) service.furtherInformation = further
}
