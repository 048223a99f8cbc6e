// Data report (issue 28, item 7): per member, how much of the bundled data
// for the 25 most used services a resident can act on, and whether each fact
// names its source. Reads config/region.json and the manifests it lists (no
// build, no network). `npm run data-report` prints it; `--json` for machines.
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The 25 services of issue 28, item 7 (catalog keys). */
export const TOP_SERVICES = Object.freeze([
  'personalausweis', 'reisepass', 'wohnsitz-anmelden', 'wohnsitz-ummelden', 'meldebescheinigung',
  'fuehrungszeugnis', 'geburtsurkunde', 'eheschliessung', 'sterbeurkunde', 'hund-anmelden',
  'hund-abmelden', 'gewerbe-anmelden', 'sperrmuell', 'bewohnerparkausweis', 'wohngeld',
  'kita-platz', 'elterngeld', 'fahrzeug-zulassen', 'fuehrerschein', 'baugenehmigung',
  'briefwahl', 'fundsachen', 'aufenthaltstitel', 'einbuergerung', 'schwerbehindertenausweis',
])

/** Postal codes the issue's "Done when" names. */
export const REPORT_POSTAL_CODES = Object.freeze(['45964', '45711', '46236'])

const parse = (raw) => { try { return new URL(raw) } catch { return undefined } }

/**
 * A front page: the root of a host that some member gives as its website or
 * service portal. A dedicated service host's root (www.fuehrungszeugnis.bund.de)
 * is the service itself and counts as a deep link.
 */
export function isFrontPage(raw, frontHosts) {
  const url = parse(raw)
  if (url === undefined) return true
  return (url.pathname === '/' || url.pathname === '') && url.search === '' && frontHosts.has(url.hostname.toLowerCase())
}

const reachable = (office) => office !== undefined && Boolean(office.phone || office.email || office.appointmentUrl)

/** Everything the report counts, from the region config and the manifests by member id. Pure. */
export function dataReport(region, manifests) {
  const frontHosts = new Set()
  for (const m of Object.values(manifests)) {
    for (const raw of [m.links?.website, m.links?.servicePortal]) {
      const url = raw === undefined ? undefined : parse(raw)
      if (url) frontHosts.add(url.hostname.toLowerCase())
    }
  }
  const onlineServiceUrl = (member, ref) => {
    const [owner, id] = ref.includes(':') ? ref.split(':') : [member, ref]
    return manifests[owner]?.onlineServices?.find((o) => o.id === id)?.url
  }
  const offering = (memberId, service) => {
    const m = manifests[memberId]
    const offices = new Map((m.offices ?? []).map((o) => [o.id, o]))
    const sourceUrls = new Set((m.sources ?? []).map((s) => s.url).filter(Boolean))
    const office = service.office === undefined ? undefined : offices.get(service.office)
    const contacts = [office, ...(service.contactPoints ?? []).map((id) => offices.get(id))]
    const online = service.onlineUrl ?? (service.onlineService ? onlineServiceUrl(memberId, service.onlineService) : undefined)
    return {
      member: memberId,
      service: service.key ?? service.id,
      servicePage: service.infoUrl !== undefined && !isFrontPage(service.infoUrl, frontHosts),
      office: office?.name,
      reachableOffice: contacts.some(reachable),
      fees: Boolean(service.fees || service.feeItems?.length),
      documents: Boolean(service.documents?.length),
      onlineDeepLink: online !== undefined && !isFrontPage(online, frontHosts),
      serviceSourced: service.source !== undefined && sourceUrls.has(service.source),
      officeSourced: office?.source !== undefined && sourceUrls.has(office.source),
    }
  }

  const members = []
  const offerings = []
  for (const entry of region.members) {
    const m = manifests[entry.id]
    if (m === undefined) continue
    const own = m.services
      .filter((s) => TOP_SERVICES.includes(s.key ?? s.id))
      .map((s) => offering(entry.id, s))
    offerings.push(...own)
    const count = (field) => own.filter((o) => o[field]).length
    members.push({
      member: entry.id,
      level: entry.level,
      offered: own.length,
      servicePage: count('servicePage'),
      reachableOffice: count('reachableOffice'),
      fees: count('fees'),
      documents: count('documents'),
      onlineDeepLink: count('onlineDeepLink'),
      serviceSourced: count('serviceSourced'),
      withOffice: own.filter((o) => o.office !== undefined).length,
      officeSourced: count('officeSourced'),
      missing: TOP_SERVICES.filter((key) => !own.some((o) => o.service === key)),
    })
  }

  // what a resident of a postal code gets: every member up the chain (city, Kreis, Land, Bund)
  const byId = new Map(region.members.map((m) => [m.id, m]))
  const residents = REPORT_POSTAL_CODES.map((postalCode) => {
    const home = region.members.find((m) => m.postalCodes?.includes(postalCode))
    const chain = []
    for (let m = home; m !== undefined && !chain.includes(m.id); m = m.parent ? byId.get(m.parent) : undefined) chain.push(m.id)
    const services = TOP_SERVICES.map((key) => {
      const ways = offerings.filter((o) => o.service === key && chain.includes(o.member))
      return { service: key, offered: ways.length > 0, reachableOffice: ways.some((o) => o.reachableOffice), onlineDeepLink: ways.some((o) => o.onlineDeepLink), servicePage: ways.some((o) => o.servicePage) }
    })
    const count = (field) => services.filter((s) => s[field]).length
    return { postalCode, member: home?.id, chain, offered: count('offered'), reachableOffice: count('reachableOffice'), servicePage: count('servicePage'), onlineDeepLink: count('onlineDeepLink'), unanswered: services.filter((s) => !s.offered).map((s) => s.service), noContact: services.filter((s) => s.offered && !s.reachableOffice).map((s) => s.service) }
  })

  const cities = members.filter((m) => m.level === 'stadt')
  const sum = (list, field) => list.reduce((n, m) => n + m[field], 0)
  const totals = {
    cityOfferings: sum(cities, 'offered'),
    cityServicePages: sum(cities, 'servicePage'),
    offerings: sum(members, 'offered'),
    reachableOffice: sum(members, 'reachableOffice'),
    onlineDeepLink: sum(members, 'onlineDeepLink'),
    serviceSourced: sum(members, 'serviceSourced'),
  }
  return { services: TOP_SERVICES.length, members, residents, totals }
}

const pct = (part, whole) => (whole === 0 ? '–' : `${Math.round((100 * part) / whole)} %`)

/** The report as plain text, one line per member. */
export function formatReport(report) {
  const head = ['Mitglied', 'Ebene', 'angeboten', 'Leistungsseite', 'erreichbar', 'Gebühren', 'Unterlagen', 'online', 'Quelle Leistung', 'Quelle Stelle']
  const rows = report.members.map((m) => [
    m.member, m.level, `${m.offered}/${report.services}`, m.servicePage, m.reachableOffice, m.fees, m.documents, m.onlineDeepLink,
    `${m.serviceSourced}/${m.offered}`, `${m.officeSourced}/${m.withOffice}`,
  ].map(String))
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  const t = report.totals
  const out = [
    `Daten der ${report.services} meistgenutzten Leistungen (issue 28): je Mitglied, wie viele seiner Angebote dazu`,
    'eine Leistungsseite (keine Startseite), eine erreichbare Stelle (Telefon, E-Mail oder Terminlink), Gebühren,',
    'Unterlagen und einen Online-Direktlink haben, und wie viele Angaben ihre Quelle nennen (Leistung / zuständige Stelle).',
    '',
    line(head),
    ...rows.map(line),
    '',
    `Städte: ${t.cityServicePages} von ${t.cityOfferings} infoUrls sind Leistungsseiten (${pct(t.cityServicePages, t.cityOfferings)}).`,
    `Alle: ${t.reachableOffice} von ${t.offerings} Angeboten nennen eine erreichbare Stelle (${pct(t.reachableOffice, t.offerings)}), ${t.onlineDeepLink} einen Online-Direktlink, ${t.serviceSourced} eine Quelle.`,
    '',
    'Für Einwohnerinnen und Einwohner (Stadt, Kreis, Land, Bund zusammen):',
    ...report.residents.map((r) => `  ${r.postalCode} (${r.member ?? 'unbekannt'}): ${r.offered}/${report.services} beantwortet, ${r.reachableOffice} mit erreichbarer Stelle (${pct(r.reachableOffice, report.services)}), ${r.servicePage} mit Leistungsseite, ${r.onlineDeepLink} online${r.unanswered.length ? `; ohne Angebot: ${r.unanswered.join(', ')}` : ''}${r.noContact.length ? `; ohne erreichbare Stelle: ${r.noContact.join(', ')}` : ''}`),
  ]
  return out.join('\n') + '\n'
}

/** Reads the region config and every manifest it lists. */
export async function loadBundled(regionPath) {
  const region = JSON.parse(await readFile(regionPath, 'utf8'))
  const manifests = {}
  for (const m of region.members) {
    if (typeof m.manifest !== 'string' || /^https?:/.test(m.manifest)) continue
    manifests[m.id] = JSON.parse(await readFile(resolve(dirname(regionPath), m.manifest), 'utf8'))
  }
  return { region, manifests }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
  const { region, manifests } = await loadBundled(resolve(root, 'config', 'region.json'))
  const report = dataReport(region, manifests)
  process.stdout.write(process.argv.includes('--json') ? JSON.stringify(report, null, 2) + '\n' : formatReport(report))
}
