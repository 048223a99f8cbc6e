// XZuFi records -> a v2 manifest for one member, plus a report of what was
// mapped and what was dropped and why. Pure: the caller passes the region
// facts (member, catalog, Lebenslagen) and the clock.
//
// Responsibility: a Zuständigkeit's gebietID (ARS) and the member's ARS
// overlap when one is a prefix of the other after trailing zeros are dropped
// (a Kreis-wide 055620000000 covers Gladbeck 055620014014 and vice versa).
import type { ManifestV2, Office, OnlineService, Service } from '../manifest/schema.js'
import { LIMITS } from '../manifest/schema.js'
import { checkUrl } from '../manifest/url-safety.js'
import type { LeistungRecord, OfficeRecord, OnlineServiceRecord, XzufiRecord, Zustaendigkeit } from './xzufi-records.js'

export interface MapContext {
  member: { id: string; ars: string; allowedHosts: readonly string[] }
  members: readonly { id: string; ars: string }[]
  catalog: readonly { key: string; leikaKey?: string; lifeSituations: readonly string[] }[]
  lifeSituations: readonly { id: string; label: string; description?: string }[]
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
  /** facts read but without a manifest field, with how many Leistungen had them */
  notMapped: { what: string; count: number }[]
}

function normalizeArs(ars: string): string {
  const stripped = ars.replace(/0+$/, '')
  return stripped.length >= 2 ? stripped : ars.slice(0, 2)
}

export function arsOverlap(a: string, b: string): boolean {
  const x = normalizeArs(a)
  const y = normalizeArs(b)
  return x.startsWith(y) || y.startsWith(x)
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
  const ours = (z: Zustaendigkeit) => z.gebiete.some((g) => arsOverlap(g, context.member.ars))
  // Leistungen with a Zuständigkeit in the area, also through an office or online service left out below (no name, URL not allowed)
  const inArea = new Set([...offices, ...onlines].flatMap((r) => r.zustaendigkeiten.filter(ours).map((z) => z.leistungId)))

  // offices: Organisationseinheiten responsible somewhere in the member's area
  const officeIds = new Set<string>()
  const officeOf = new Map<string, string>() // leistungId -> office slug
  const manifestOffices: Office[] = []
  for (const o of offices) {
    if (!o.zustaendigkeiten.some(ours)) { drop('organisationseinheit', o, "no Zuständigkeit in the member's area"); continue }
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
    for (const z of o.zustaendigkeiten) if (ours(z) && !officeOf.has(z.leistungId)) officeOf.set(z.leistungId, office.id)
  }

  // online services: an allowed https entry link, responsible in the member's area
  const onlineIds = new Set<string>()
  const onlineOf = new Map<string, OnlineService>() // leistungId -> online service
  const manifestOnline: OnlineService[] = []
  const implementsOf = new Map<OnlineService, Set<string>>()
  for (const d of onlines) {
    if (!d.zustaendigkeiten.some(ours)) { drop('onlinedienst', d, "no Zuständigkeit in the member's area"); continue }
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
    implementsOf.set(service, new Set())
    for (const z of d.zustaendigkeiten) if (ours(z) && !onlineOf.has(z.leistungId)) onlineOf.set(z.leistungId, service)
  }

  // services
  const byLeika = new Map(context.catalog.filter((e) => e.leikaKey).map((e) => [e.leikaKey as string, e]))
  const usedKeys = new Set<string>()
  const serviceIds = new Set<string>()
  const services: Service[] = []
  const notMapped = new Map<string, number>()
  let catalogServices = 0
  for (const l of leistungen) {
    if (!officeOf.has(l.id) && !onlineOf.has(l.id)) {
      drop('leistung', l, inArea.has(l.id)
        ? "responsible in the member's area only through an Organisationseinheit or Onlinedienst that is left out (see its entry)"
        : "no Zuständigkeit in the member's area")
      continue
    }
    if (!l.leikaKey) { drop('leistung', l, 'no LeiKa key (referenzLeiKa)'); continue }
    if (!l.name) { drop('leistung', l, 'no name (text module 03 Leistungsname or 02 Leistungsbezeichnung)'); continue }
    if (!l.summary) { drop('leistung', l, 'no description (text module 24 Teaser, 05 Kurztext or 06 Volltext)'); continue }
    const entry = byLeika.get(l.leikaKey)
    if (entry && usedKeys.has(entry.key)) { drop('leistung', l, `another Leistung already maps to catalog service "${entry.key}"`); continue }
    const lifeSituations = entry ? [...entry.lifeSituations] : lifeSituationsFor(l, context)
    if (lifeSituations.length === 0) { drop('leistung', l, `LeiKa key ${l.leikaKey} is not in the region catalog and no Lebenslage could be derived: add it to config/services.json`); continue }
    if (services.length >= LIMITS.services) { drop('leistung', l, `manifest limit of ${LIMITS.services} services reached`); continue }
    const service: Service = {
      id: entry ? uniqueSlug(entry.key, serviceIds) : uniqueSlug(l.name, serviceIds),
      name: l.name,
      summary: l.summary,
      audiences: ['residents'],
      lifeSituations: lifeSituations.slice(0, LIMITS.lifeSituations),
    }
    if (entry) { service.key = entry.key; usedKeys.add(entry.key); catalogServices++ } else service.leikaKey = l.leikaKey
    if (l.fees) service.fees = l.fees
    if (l.documents.length > 0) service.documents = l.documents
    const office = officeOf.get(l.id)
    if (office) service.office = office
    const online = onlineOf.get(l.id)
    if (online) {
      service.onlineService = online.id
      if (online.trustLevel) service.trustLevel = online.trustLevel
      implementsOf.get(online)?.add(entry ? entry.key : l.leikaKey)
    }
    const channels: Service['channels'] = []
    if (online) channels.push('online')
    if (office) channels.push('in-person')
    if (channels.length > 0) service.channels = channels
    service.updatedAt = context.now.toISOString()
    services.push(service)
    for (const u of l.unmapped) notMapped.set(u, (notMapped.get(u) ?? 0) + 1)
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
    notMapped: [...notMapped].map(([what, count]) => ({ what, count })).sort((a, b) => b.count - a.count),
  }
  return { manifest, report }
}

/**
 * Lebenslagen for a LeiKa key the catalog does not know: those of a catalog
 * service in the same LeiKa group (first five digits), else a Lebenslage whose
 * label words occur in the name. Empty when neither fits (the Leistung is dropped).
 */
function lifeSituationsFor(l: LeistungRecord, context: MapContext): string[] {
  const group = l.leikaKey?.slice(0, 5)
  const sibling = context.catalog.find((e) => e.leikaKey?.slice(0, 5) === group)
  if (sibling) return [...sibling.lifeSituations]
  const name = (l.name ?? '').toLowerCase()
  const hit = context.lifeSituations.find((s) => s.label.toLowerCase().split(/[^a-zäöüß]+/).some((w) => w.length >= 5 && name.includes(w)))
  return hit ? [hit.id] : []
}
