import type { MemberStatus } from '../catalog/types.js'

/**
 * What one refresh of a remote manifest did:
 * updated (new manifest live), not-modified (304 or same bytes), failed
 * (last good one stays live, member stale/failed), busy (another instance
 * holds the lock), fresh (another instance fetched it moments ago),
 * superseded (the lock expired or the manifest changed while fetching:
 * nothing stored, the newer manifest stays live).
 */
export interface RefreshOutcome {
  member: string
  outcome: 'updated' | 'not-modified' | 'failed' | 'busy' | 'fresh' | 'superseded'
  status?: MemberStatus
  version?: number
  lastError?: string
}
