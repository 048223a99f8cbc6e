import type { Settings } from './env.js'
import { ConfigError, type RegionData } from './load.js'

/** Refuses test-only settings with NODE_ENV=production. */
export function assertProductionSafe(settings: Settings, data: RegionData): void {
  if (!settings.production) return
  const open = data.region.members.filter((m) => m.allowPrivateNetwork === true).map((m) => m.id)
  if (open.length > 0) throw new ConfigError(`allowPrivateNetwork is for tests only, not with NODE_ENV=production: ${open.join(', ')}`)
  // member origins over http would lose the __Host- cookie protection
  if (settings.proxy.scheme !== 'https') throw new ConfigError('PROXY_PUBLIC_SCHEME=http is for development and tests only, not with NODE_ENV=production')
}
