// Where a member's manifest comes from: a bundled file beside region.json, a
// remote manifest URL, or an XZuFi feed (which may have a bundled file beside
// it for what XZuFi lacks). The one place that reads `manifest` and `xzufi`.
import type { MemberConfig } from './region-schema.js'
import { isRemoteManifest } from '../net/https-url.js'

type Source = Pick<MemberConfig, 'manifest' | 'xzufi'>

/** the bundled manifest file (relative to region.json), if the member has one */
export function bundledManifestPath(member: Source): string | undefined {
  return member.manifest !== undefined && !isRemoteManifest(member.manifest) ? member.manifest : undefined
}

/** what the refresher fetches for the member: its XZuFi feed or remote manifest; undefined for file-only members */
export function refreshedSource(member: Source): { kind: 'xzufi' | 'manifest'; url: string } | undefined {
  if (member.xzufi !== undefined) return { kind: 'xzufi', url: member.xzufi }
  if (member.manifest !== undefined && isRemoteManifest(member.manifest)) return { kind: 'manifest', url: member.manifest }
  return undefined
}

export function isRefreshed(member: Source): boolean {
  return refreshedSource(member) !== undefined
}
