// The two forms of a regional service in lists: full (every offering) and
// compact (view=compact: no offerings but the resident's own, in short).
// Pure; compact forms are built once per service object, and service objects
// are built once per catalog version, so a list costs no rebuilding.
import type { Offering, RegionalService } from './types.js'
import { COMPACT_OFFERING_FIELDS, COMPACT_SERVICE_FIELDS, type CompactOffering, type CompactService, type RegionalServiceAnswer } from './schemas.js'
import { residentOffering } from './responsibility.js'

export const VIEWS = ['full', 'compact'] as const
export type View = (typeof VIEWS)[number]

function pickDefined<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  const out: Partial<Pick<T, K>> = {}
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k]
  return out as Pick<T, K>
}

/** `pick`, remembered per (immutable) source object. */
function remembered<T extends object, R>(pick: (from: T) => R): (from: T) => R {
  const cache = new WeakMap<T, R>()
  return (from) => {
    let value = cache.get(from)
    if (value === undefined) {
      value = pick(from)
      cache.set(from, value)
    }
    return value
  }
}

export const compactOffering: (o: Offering) => CompactOffering = remembered((o: Offering) => pickDefined(o, COMPACT_OFFERING_FIELDS))
export const compactService: (s: RegionalService) => CompactService = remembered((s: RegionalService) => pickDefined(s, COMPACT_SERVICE_FIELDS))

/** A service as a list shows it; with a resident's chain, `forYou` is their own offering (residentOffering). */
export function serviceView(s: RegionalService, chain: readonly string[] | undefined, view: 'full'): RegionalServiceAnswer
export function serviceView(s: RegionalService, chain: readonly string[] | undefined, view: View): RegionalServiceAnswer | CompactService
export function serviceView(s: RegionalService, chain: readonly string[] | undefined, view: View): RegionalServiceAnswer | CompactService {
  const forYou = chain === undefined ? undefined : residentOffering(s.offerings, chain)
  if (view === 'compact') {
    const compact = compactService(s)
    return forYou ? { ...compact, forYou: compactOffering(forYou) } : compact
  }
  return forYou ? { ...s, forYou } : s
}
