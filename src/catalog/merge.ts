// mergeCatalog: valid manifests + region config -> one regional catalog.
// Pure and deterministic: the same inputs in any member order give the same
// catalog (checked by a property test). Offerings with the same catalog key
// form one regional service; so do offerings with the same LeiKa key and no
// catalog key (id `leika-<key>`; services.json is the curated overlay, found
// by key or LeiKa key). Services with neither stay member-local.
import { LEVEL_RANK, type Manifest, type Office, type Service } from '../manifest/schema.js'
import { isSafeRedirect } from '../manifest/url-safety.js'
import { boundIssues, cut, MAX_LAST_ERROR } from '../manifest/issues.js'
import {
  indexOnlineServices, resolveOnlineService, toOfferingOnlineService, type OnlineServiceEntry, type ProvidedService,
} from './online-services.js'
import type { CatalogEntry, MemberConfig } from '../config/region-schema.js'
import { memberNames } from './member-names.js'
import type {
  Catalog, CatalogLifeSituation, CatalogMember, MemberState, MergeInput, Offering, RegionalService, UncuratedService,
} from './types.js'
import { byString, collator, leikaServiceId, uncuratedFacts, type GroupTexts } from './uncurated.js'


export function mergeCatalog(input: MergeInput): Catalog {
  const states = new Map(input.members.map((s) => [s.id, s]))
  const catalogByKey = new Map(input.serviceCatalog.map((e) => [e.key, e]))
  const catalogByLeika = new Map(input.serviceCatalog.flatMap((e) => (e.leikaKey !== undefined ? [[e.leikaKey, e] as const] : [])))
  const memberConfigs = [...input.region.members].sort((a, b) => byString(a.id, b.id))

  const manifests = new Map<string, Manifest>()
  for (const config of memberConfigs) {
    const m = states.get(config.id)?.manifest
    if (m) manifests.set(config.id, m)
  }
  const onlineIndex = indexOnlineServices(memberConfigs, manifests)

  const groups = new Map<string, Offering[]>()
  // member-local services keep the LeiKa key their manifest states: routes find them by it
  const localLeika = new Map<string, string>()
  // the LeiKa names members' exports give, per uncurated group (names and Lebenslagen are on the offerings)
  const texts = new Map<string, GroupTexts>()
  const members: CatalogMember[] = []
  for (const config of memberConfigs) {
    const state = states.get(config.id)
    members.push(toCatalogMember(config, state))
    const manifest = state?.manifest
    if (!manifest) continue
    const offices = new Map(manifest.offices.map((o) => [o.id, o]))
    // one offering per member and regional service: a catalog key first, then the first service with a LeiKa key
    const taken = new Set(manifest.services.flatMap((s) => (s.key !== undefined && catalogByKey.has(s.key) ? [s.key] : [])))
    for (const service of manifest.services) {
      let groupId = `${config.id}:${service.id}`
      if (service.key !== undefined && catalogByKey.has(service.key)) groupId = service.key
      else if (service.leikaKey !== undefined) {
        const regional = catalogByLeika.get(service.leikaKey)?.key ?? leikaServiceId(service.leikaKey)
        if (!taken.has(regional)) { groupId = regional; taken.add(regional) }
      }
      const offering = toOffering(config, service, offices, onlineIndex)
      if (service.leikaKey !== undefined && !catalogByKey.has(groupId)) {
        localLeika.set(groupId, service.leikaKey)
        const t = texts.get(groupId) ?? { leikaNames: [] }
        if (service.leikaName !== undefined) t.leikaNames.push(service.leikaName)
        texts.set(groupId, t)
      }
      const list = groups.get(groupId)
      if (list) list.push(offering)
      else groups.set(groupId, [offering])
    }
  }

  const lsOrder = new Map(input.lifeSituations.map((l, i) => [l.id, i]))
  const fallback = input.lifeSituations.find((l) => l.fallback === true)?.id
  const uncurated: UncuratedService[] = []
  const services = [...groups].map(([id, offerings]) => {
    const entry = catalogByKey.get(id)
    const leikaKey = localLeika.get(id)
    if (entry !== undefined || leikaKey === undefined || id !== leikaServiceId(leikaKey)) return toRegionalService(id, offerings, entry, lsOrder, leikaKey)
    // merged by LeiKa key without a curated entry: names and Lebenslagen from the members' own texts
    const facts = uncuratedFacts(id, leikaKey, offerings, texts.get(id)?.leikaNames ?? [], fallback)
    uncurated.push(facts.report)
    return toRegionalService(id, offerings, undefined, lsOrder, leikaKey, facts)
  })
  services.sort((a, b) => collator.compare(a.name, b.name) || byString(a.id, b.id))

  // `name` as everywhere else; `label` stays for older clients (deprecated)
  const lifeSituations: CatalogLifeSituation[] = input.lifeSituations.map((l) => ({
    id: l.id,
    name: l.label,
    label: l.label,
    description: l.description,
    ozgTopic: l.ozgTopic,
    serviceCount: services.reduce((n, s) => n + (s.lifeSituations.includes(l.id) ? 1 : 0), 0),
    ...(l.serviceOrder ? { serviceOrder: [...l.serviceOrder] } : {}),
  }))

  return {
    version: input.version,
    builtAt: input.builtAt,
    region: { id: input.region.id, name: input.region.name, ...(input.region.portalUrl ? { portalUrl: input.region.portalUrl } : {}) },
    members,
    memberById: new Map(members.map((m) => [m.id, m])),
    services,
    serviceById: new Map(services.map((s) => [s.id, s])),
    lifeSituations,
    lifeSituationById: new Map(lifeSituations.map((l) => [l.id, l])),
    offeringByMemberService: new Map(services.flatMap((s) => s.offerings.map((o) => [`${o.member}/${o.serviceId}`, o] as const))),
    onlineServices: listOnlineServices(onlineIndex, services),
    uncurated: uncurated.sort((a, b) => b.offeringCount - a.offeringCount || collator.compare(a.name, b.name) || byString(a.id, b.id)),
    membersByPostalCode: indexPostalCodes(memberConfigs),
  }
}

/** Each online service once, with the offerings that link to it (provider's own included). */
function listOnlineServices(index: ReadonlyMap<string, ProvidedService>, services: RegionalService[]): OnlineServiceEntry[] {
  const users = new Map<string, OnlineServiceEntry['users']>()
  for (const s of services) {
    for (const o of s.offerings) {
      if (!o.onlineService || o.goUrl === undefined) continue
      const list = users.get(o.onlineService.id) ?? []
      list.push({ member: o.member, memberName: o.memberName, serviceId: o.serviceId, goUrl: o.goUrl })
      users.set(o.onlineService.id, list)
    }
  }
  return [...index].map(([id, found]) => {
    const list = (users.get(id) ?? []).sort((a, b) => byString(a.member, b.member) || byString(a.serviceId, b.serviceId))
    return {
      ...toOfferingOnlineService(found, found.provider.id),
      shared: list.some((u) => u.member !== found.provider.id),
      serves: [...found.service.serves],
      implements: [...(found.service.implements ?? [])],
      users: list,
    }
  }).sort((a, b) => byString(a.id, b.id))
}

function toOffering(member: MemberConfig, service: Service, offices: Map<string, Office>, onlineIndex: ReadonlyMap<string, ProvidedService>): Offering {
  const offering: Offering = {
    member: member.id,
    memberName: member.name,
    level: member.level,
    serviceId: service.id,
    name: service.name,
    summary: service.summary,
    audiences: [...service.audiences],
    lifeSituations: [...service.lifeSituations],
    synonyms: service.synonyms ? [...service.synonyms] : [],
  }
  // Re-checked here although validation did it: /go must never redirect off the declared hosts.
  if (service.onlineUrl !== undefined && isSafeRedirect(service.onlineUrl, member.allowedHosts)) {
    offering.onlineUrl = service.onlineUrl
    offering.goUrl = `/go/${member.id}/${service.id}`
  }
  // A shared online service counts only while its provider still serves this member.
  const online = resolveOnlineService(onlineIndex, member, service.onlineService)
  if (online) {
    offering.onlineService = toOfferingOnlineService(online, member.id)
    offering.goUrl = `/go/${member.id}/${service.id}`
  }
  if (service.channels !== undefined) offering.channels = [...service.channels]
  if (service.infoUrl !== undefined && isSafeRedirect(service.infoUrl, member.allowedHosts)) offering.infoUrl = service.infoUrl
  // only when the manifest states it: an unstated level is not "none"
  if (service.trustLevel !== undefined) offering.trustLevel = service.trustLevel
  if (service.fees !== undefined) offering.fees = service.fees
  if (service.documents !== undefined) offering.documents = [...service.documents]
  const office = service.office !== undefined ? offices.get(service.office) : undefined
  if (office) offering.office = office
  if (service.updatedAt !== undefined) offering.updatedAt = service.updatedAt
  copyDescription(service, offering, offices)
  return offering
}

/** The Leistungsbeschreibung fields pass as they are; Ansprechpunkte are resolved to their offices. */
const DESCRIPTION_FIELDS = ['requirements', 'procedure', 'deadlines', 'processingTime', 'legalBasis', 'forms', 'furtherInformation', 'notes', 'feeItems', 'fitConnect', 'source'] as const

function copyDescription(service: Service, offering: Offering, offices: Map<string, Office>): void {
  for (const field of DESCRIPTION_FIELDS) {
    if (service[field] !== undefined) (offering as Record<string, unknown>)[field] = service[field]
  }
  const contactPoints = (service.contactPoints ?? []).flatMap((id) => offices.get(id) ?? [])
  if (contactPoints.length > 0) offering.contactPoints = contactPoints
}

function toRegionalService(
  id: string,
  offerings: Offering[],
  entry: CatalogEntry | undefined,
  lsOrder: Map<string, number>,
  localLeikaKey: string | undefined,
  derived?: { name: string; summary: string; lifeSituations: string[] },
): RegionalService {
  offerings.sort((a, b) => LEVEL_RANK[a.level] - LEVEL_RANK[b.level] || byString(a.member, b.member))
  // The catalog's neutral text first; else the most general offering (a city's text often names the city).
  const general = offerings.reduce((best, o) => (LEVEL_RANK[o.level] > LEVEL_RANK[best.level] ? o : best))
  const lifeSituations = unique(derived?.lifeSituations ?? [...(entry?.lifeSituations ?? []), ...offerings.flatMap((o) => o.lifeSituations)])
    .sort((a, b) => (lsOrder.get(a) ?? 1e9) - (lsOrder.get(b) ?? 1e9) || byString(a, b))
  const service: RegionalService = {
    id,
    name: entry?.name ?? derived?.name ?? general.name,
    summary: entry?.summary ?? derived?.summary ?? general.summary,
    synonyms: uniqueFolded([...(entry?.synonyms ?? []), ...offerings.flatMap((o) => o.synonyms)]),
    lifeSituations,
    levels: unique(offerings.map((o) => o.level)).sort((a, b) => LEVEL_RANK[a] - LEVEL_RANK[b]),
    audiences: unique(offerings.flatMap((o) => o.audiences)).sort(byString),
    offerings,
    offeringCount: offerings.length,
  }
  if (entry) service.key = entry.key
  if (entry?.withdrawn) service.withdrawn = entry.withdrawn
  const leikaKey = entry ? entry.leikaKey : localLeikaKey
  if (leikaKey !== undefined) service.leikaKey = leikaKey
  return service
}

function toCatalogMember(config: MemberConfig, state: MemberState | undefined): CatalogMember {
  const manifest: Manifest | undefined = state?.manifest
  const member: CatalogMember = {
    id: config.id,
    name: config.name,
    names: memberNames(config),
    level: config.level,
    ars: config.ars,
    parent: config.parent,
    postalCodes: [...config.postalCodes],
    status: state?.status ?? 'failed',
    serviceCount: manifest?.services.length ?? 0,
    meta: state ? boundedMeta(state.meta) : { lastError: 'no manifest loaded' },
  }
  const links = manifest?.links
  if (links?.servicePortal !== undefined && isSafeRedirect(links.servicePortal, config.allowedHosts)) member.portalUrl = links.servicePortal
  if (links?.website !== undefined && isSafeRedirect(links.website, config.allowedHosts)) member.websiteUrl = links.website
  const office = manifest?.offices.find((o) => o.phone !== undefined || o.email !== undefined) ?? manifest?.offices[0]
  if (office) {
    member.contact = { office: office.name }
    if (office.phone !== undefined) member.contact.phone = office.phone
    if (office.email !== undefined) member.contact.email = office.email
    // Pages that offer the number on its own (no service around it) need to know it is sourced.
    if (office.source !== undefined) member.contact.source = office.source
  }
  return member
}

function indexPostalCodes(members: MemberConfig[]): Map<string, string[]> {
  const index = new Map<string, string[]>()
  for (const m of members) {
    for (const code of m.postalCodes) {
      const list = index.get(code)
      if (list) list.push(m.id)
      else index.set(code, [m.id])
    }
  }
  return index
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)]
}

function uniqueFolded(values: string[]): string[] {
  const seen = new Map<string, string>()
  for (const v of values) {
    const k = v.toLocaleLowerCase('de')
    if (!seen.has(k)) seen.set(k, v)
  }
  return [...seen.values()].sort(collator.compare)
}

/** What the store holds may predate the bounds (or come from another instance): serve it bounded. */
function boundedMeta(meta: MemberState['meta']): MemberState['meta'] {
  const copy = { ...meta }
  if (typeof copy.lastError === 'string') copy.lastError = cut(copy.lastError, MAX_LAST_ERROR)
  if (Array.isArray(copy.errors)) copy.errors = boundIssues(copy.errors)
  if (Array.isArray(copy.importReport?.notes)) copy.importReport = { ...copy.importReport, notes: boundIssues(copy.importReport.notes) }
  return copy
}
