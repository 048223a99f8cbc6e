// The two forms of a regional service in lists: full (every offering) and
// compact (view=compact: no offerings but the resident's own, in short).
// Pure; compact forms are built once per service object, and service objects
// are built once per catalog version, so a list costs no rebuilding.
import type { Offering, RegionalService } from './types.js'
import { COMPACT_OFFERING_FIELDS, COMPACT_SERVICE_FIELDS, type CompactOffering, type CompactService, type RegionalServiceAnswer } from './schemas.js'
import { residentOffering } from './responsibility.js'

export const VIEWS = ['full', 'compact'] as const
export type View = (typeof VIEWS)[number]

const compactServices = new WeakMap<RegionalService, CompactService>()
const compactOfferings = new WeakMap<Offering, CompactOffering>()

function pickDefined<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  const out: Partial<Pick<T, K>> = {}
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k]
  return out as Pick<T, K>
}

export function compactOffering(o: Offering): CompactOffering {
  let compact = compactOfferings.get(o)
  if (compact === undefined) {
    compact = pickDefined(o, COMPACT_OFFERING_FIELDS)
    compactOfferings.set(o, compact)
  }
  return compact
}

export function compactService(s: RegionalService): CompactService {
  let compact = compactServices.get(s)
  if (compact === undefined) {
    compact = pickDefined(s, COMPACT_SERVICE_FIELDS)
    compactServices.set(s, compact)
  }
  return compact
}

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
