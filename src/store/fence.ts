// Write fencing for refreshes: a refresh may store only while it still holds
// its lock and while the member's manifest is still the one it started from.
// A fetch that outlived its lock (or raced an API registration) must not put
// an older manifest over a newer one.
import { createHash } from 'node:crypto'
import type { Manifest } from '../manifest/schema.js'

export interface WriteFence {
  /** lock name and the token acquireLock returned */
  lock: string
  token: string
  /** manifestFingerprint of the manifest the writer started from ('' = none) */
  basis: string
}

/** why a fenced write stored nothing */
export type FenceRefusal = 'lock-lost' | 'manifest-changed'

/**
 * Identity of a stored manifest: SHA-1 of its JSON as the stores write it
 * (JSON.stringify round-trips exactly). SHA-1 because Redis Lua offers only
 * redis.sha1hex; it names a version, it protects nothing secret.
 */
export function manifestFingerprint(manifest: Manifest | undefined): string {
  return manifest === undefined ? '' : createHash('sha1').update(JSON.stringify(manifest), 'utf8').digest('hex')
}

export class FencedOut extends Error {
  constructor(readonly reason: FenceRefusal) {
    super(reason === 'lock-lost'
      ? 'superseded: the refresh lock expired before the result could be stored; nothing stored'
      : 'superseded: the manifest changed while fetching; nothing stored')
  }
}
