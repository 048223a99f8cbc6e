// Rules of manifest schema v2 that JSON Schema cannot say: online services
// on the member's own hosts, maturity within its model, channels, and the
// two-sided sharing of online services between members. Pure: the caller
// passes what the region and the other members' current manifests say.
// Messages are German: they go to the member city's IT team (422 body).
import { CHANNELS, MATURITY_MODELS, type MaturityModel } from './schema.js'
import { parseOnlineServiceRef, servesMember } from './sharing.js'
import { checkUrl, isAllowedHost } from './url-safety.js'
import { checkDescriptionRules } from './rules-description.js'
import type { Issue } from '../http/problem.js'

/** What another member's manifest says about one of its online services. */
export interface SharedOnlineService {
  id: string
  serves: readonly string[]
}

export interface V2Context {
  memberId?: string
  allowedHosts?: readonly string[]
  serviceKeys: ReadonlySet<string>
  /** region members (id -> ARS); undefined = member ids not checked (offline, no region) */
  members?: ReadonlyMap<string, { ars: string }>
  /**
   * The current online services of another member; undefined when that member
   * has no valid manifest, null when it cannot be known here (a remote manifest
   * offline). Absent function = cross-member references not checked.
   */
  onlineServicesOf?: (memberId: string) => readonly SharedOnlineService[] | undefined | null
}

type Loose = Record<string, unknown>
const obj = (v: unknown): Loose => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Loose : {})
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
const CHANNEL_SET: ReadonlySet<string> = new Set(CHANNELS)

export function checkV2Rules(doc: unknown, context: V2Context): Issue[] {
  const errors: Issue[] = checkDescriptionRules(doc, context.allowedHosts)
  const root = obj(doc)
  const self = context.memberId ?? str(root.member) ?? ''
  const ownIds = new Set<string>()

  arr(root.onlineServices).forEach((raw, i) => {
    const at = `/onlineServices/${i}`
    const os = obj(raw)
    const id = str(os.id)
    if (id !== undefined) {
      if (ownIds.has(id)) errors.push({ path: `${at}/id`, message: `Die id "${id}" kommt in /onlineServices mehrfach vor.` })
      ownIds.add(id)
    }
    const url = str(os.url)
    if (url !== undefined) {
      const problem = checkUrl(url, undefined)
      if (problem) errors.push({ path: `${at}/url`, message: `Die Adresse des Onlinedienstes ist ungültig: ${problem}.` })
      else if (context.allowedHosts !== undefined && !isAllowedHost(new URL(url), context.allowedHosts)) {
        errors.push({
          path: `${at}/url`,
          message: `Der Host "${new URL(url).host}" gehört nicht zu den erlaubten Hosts des Anbieters (${context.allowedHosts.join(', ')}); ein Onlinedienst muss auf einem eigenen Host des anbietenden Mitglieds liegen.`,
        })
      }
    }
    const maturity = obj(os.maturity)
    const model = str(maturity.model)
    const level = maturity.level
    if (model !== undefined && model in MATURITY_MODELS && typeof level === 'number') {
      const max = MATURITY_MODELS[model as MaturityModel]
      if (!Number.isInteger(level) || level < 0 || level > max) {
        errors.push({ path: `${at}/maturity/level`, message: `Reifegrad ${level} gibt es im Modell ${model} nicht: erlaubt sind die Stufen 0 bis ${max}.` })
      }
    }
    arr(os.serves).forEach((entry, j) => {
      if (typeof entry !== 'string') return
      if (/^[0-9]+$/.test(entry)) {
        // the schema's slug branch lets "5" or 13 digits through; such a prefix never matches as meant
        if (entry.length < 2 || entry.length > 12) errors.push({ path: `${at}/serves/${j}`, message: `"${entry}" ist kein ARS-Präfix: ein ARS-Präfix hat 2 bis 12 Ziffern.` })
        return
      }
      if (context.members === undefined) return
      if (!context.members.has(entry)) {
        errors.push({ path: `${at}/serves/${j}`, message: `"${entry}" ist kein Mitglied der Region; serves nennt Mitglieds-ids oder ARS-Präfixe.` })
      }
    })
    arr(os.implements).forEach((entry, j) => {
      if (typeof entry === 'string' && !/^99[0-9]{12}$/.test(entry) && !context.serviceKeys.has(entry)) {
        errors.push({ path: `${at}/implements/${j}`, message: `"${entry}" ist weder ein Schlüssel des Leistungskatalogs (config/services.json) noch ein LeiKa-Schlüssel.` })
      }
    })
  })

  const selfArs = context.members?.get(self)?.ars
  arr(root.services).forEach((raw, i) => {
    const at = `/services/${i}`
    const service = obj(raw)
    arr(service.channels).forEach((channel, j) => {
      if (typeof channel === 'string' && !CHANNEL_SET.has(channel)) {
        errors.push({ path: `${at}/channels/${j}`, message: `Unbekannter Kanal "${channel}": erlaubt sind ${CHANNELS.join(', ')}.` })
      }
    })
    const ref = str(service.onlineService)
    if (ref === undefined || self === '') return
    const { provider, id } = parseOnlineServiceRef(ref, self)
    const path = `${at}/onlineService`
    if (provider === self) {
      if (!ownIds.has(id)) errors.push({ path, message: `Dieses Manifest hat keinen Onlinedienst mit der id "${id}" in /onlineServices.` })
      return
    }
    if (context.members !== undefined && !context.members.has(provider)) {
      errors.push({ path, message: `Unbekannter Anbieter "${provider}": kein Mitglied der Region.` })
      return
    }
    if (context.onlineServicesOf === undefined) return
    const theirs = context.onlineServicesOf(provider)
    if (theirs === null) return
    const shared = theirs?.find((os) => os.id === id)
    if (theirs === undefined) {
      errors.push({ path, message: `Der Anbieter "${provider}" hat derzeit kein gültiges Manifest; auf seinen Onlinedienst "${id}" kann nicht verwiesen werden.` })
    } else if (shared === undefined) {
      errors.push({ path, message: `Der Anbieter "${provider}" hat keinen Onlinedienst mit der id "${id}".` })
    } else if (!servesMember(shared.serves, { id: self, ...(selfArs !== undefined ? { ars: selfArs } : {}) })) {
      errors.push({
        path,
        message: `Einseitiger Verweis: "${provider}" nennt "${self}" nicht in serves seines Onlinedienstes "${id}". Beide Seiten müssen zustimmen; der Anbieter muss "${self}" (oder ein passendes ARS-Präfix) in serves aufnehmen.`,
      })
    }
  })
  return errors
}
