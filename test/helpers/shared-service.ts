// A small region where one provider's online service is shared by three
// member cities (and a fourth city it does not serve), for the API and the
// multi-instance tests of two-sided sharing.
import type { MemberConfig } from '../../src/config/region-schema.js'
import { sha256Hex } from '../../src/auth/token.js'
import { manifest, member, service } from './region.js'

export const PROVIDER_URL = 'https://portal.kreis.example/gewerbe/start'
export const USERS = ['alpha', 'beta', 'gamma'] as const

export function sharingMembers(): MemberConfig[] {
  const city = (id: string, ars: string, postalCode: string) =>
    member(id, 'stadt', { ars, parent: 'kreis', postalCodes: [postalCode], tokenSha256: sha256Hex(`tok-${id}`) })
  return [
    member('kreis', 'kreis', { ars: '055620000000', tokenSha256: sha256Hex('tok-kreis') }),
    city('alpha', '055620004004', '44575'),
    city('beta', '055620008008', '45711'),
    city('gamma', '055620014014', '45964'),
    city('delta', '055620016016', '45721'),
  ]
}

export function providerManifest(serves: readonly string[] = USERS) {
  return {
    ...manifest('kreis', [service('gewerbe-info', { name: 'Gewerbe-Informationen' })]),
    schemaVersion: 2 as const,
    updatedAt: new Date().toISOString(),
    onlineServices: [{
      id: 'gewerbe',
      name: 'Gewerbeportal',
      url: PROVIDER_URL,
      maturity: { model: 'ozg-1.1' as const, level: 3 },
      account: ['servicekonto-nrw' as const, 'bundid' as const],
      serves: [...serves],
      implements: ['gewerbe-anmelden'],
    }],
  }
}

export function userManifest(id: string, ref = 'kreis:gewerbe') {
  return {
    ...manifest(id, [service('gewerbe-anmelden', {
      key: 'gewerbe-anmelden', name: 'Gewerbe anmelden', lifeSituations: ['unternehmen'], onlineService: ref, channels: ['online', 'in-person'],
    })]),
    schemaVersion: 2 as const,
    updatedAt: new Date().toISOString(),
  }
}
