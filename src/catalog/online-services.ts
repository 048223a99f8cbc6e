// Online services in the merged catalog: which member provides each, who
// uses it, and how an offering links to it. Pure. A reference counts only
// while both sides agree (the provider's current `serves` names the user):
// when a provider withdraws a member, the next merge drops that link and the
// user's manifest stays live without it.
import type { Account, Manifest, Maturity, OnlineService } from '../manifest/schema.js'
import { parseOnlineServiceRef, servesMember } from '../manifest/sharing.js'
import { isSafeRedirect } from '../manifest/url-safety.js'
import type { MemberConfig } from '../config/region-schema.js'
import type { OfferingOnlineService, OnlineServiceEntry } from './schemas.js'

export type { OfferingOnlineService, OnlineServiceEntry } from './schemas.js'

export interface ProvidedService {
  provider: MemberConfig
  service: OnlineService
}

/** `<provider>:<id>` -> the online service, for every member with a manifest (URLs re-checked). */
export function indexOnlineServices(members: readonly MemberConfig[], manifests: ReadonlyMap<string, Manifest>): Map<string, ProvidedService> {
  const index = new Map<string, ProvidedService>()
  for (const provider of members) {
    for (const service of manifests.get(provider.id)?.onlineServices ?? []) {
      // /go must never leave the provider's declared hosts, whatever the store holds
      if (isSafeRedirect(service.url, provider.allowedHosts)) index.set(`${provider.id}:${service.id}`, { provider, service })
    }
  }
  return index
}

/** The online service an offering of `member` may link to, or undefined (unknown, withdrawn, one-sided). */
export function resolveOnlineService(
  index: ReadonlyMap<string, ProvidedService>,
  member: MemberConfig,
  ref: string | undefined,
): ProvidedService | undefined {
  if (ref === undefined) return undefined
  const { provider, id } = parseOnlineServiceRef(ref, member.id)
  const found = index.get(`${provider}:${id}`)
  if (!found) return undefined
  if (provider !== member.id && !servesMember(found.service.serves, member)) return undefined
  return found
}

export function toOfferingOnlineService(found: ProvidedService, userId: string): OfferingOnlineService {
  const { provider, service } = found
  const out: OfferingOnlineService = {
    id: `${provider.id}:${service.id}`,
    provider: provider.id,
    providerName: provider.name,
    name: service.name,
    url: service.url,
    shared: provider.id !== userId,
  }
  if (service.maturity) {
    out.maturity = { ...service.maturity }
    out.maturityText = maturityText(service.maturity)
  }
  if (service.account) {
    out.account = [...service.account]
    out.accountText = accountText(service.account)
  }
  if (service.destinationId !== undefined) out.destinationId = service.destinationId
  return out
}

// OZG Reifegradmodell 1.1 (levels 0-4) in plain German. For model 2.0 the
// criteria per level are not confirmed here, so only the level is named.
const OZG_11_TEXT = [
  'nicht online: nur vor Ort oder per Post',
  'Informationen online, Antrag vor Ort oder per Post',
  'Antrag online, Nachweise per Post oder vor Ort',
  'vollständig online, Nachweise werden hochgeladen',
  'vollständig online, Nachweise werden von der Verwaltung abgerufen',
] as const

function maturityText(maturity: Maturity): string {
  if (maturity.model === 'ozg-1.1') return OZG_11_TEXT[maturity.level] ?? `Reifegrad ${maturity.level}`
  return `Reifegrad ${maturity.level} von 7 (OZG-Reifegradmodell 2.0)`
}

const ACCOUNT_NAMES: Readonly<Record<Account, string>> = {
  none: 'kein Nutzerkonto',
  bundid: 'BundID',
  'servicekonto-nrw': 'Servicekonto.NRW',
  unternehmenskonto: 'Mein Unternehmenskonto (ELSTER)',
}

function accountText(accounts: readonly Account[]): string {
  if (accounts.length === 1 && accounts[0] === 'none') return 'ohne Nutzerkonto nutzbar'
  const names = accounts.filter((a) => a !== 'none').map((a) => ACCOUNT_NAMES[a])
  const list = names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} oder ${names[names.length - 1]}`
  return accounts.includes('none') ? `ohne Nutzerkonto, oder mit ${list}` : `Anmeldung mit ${list}`
}
