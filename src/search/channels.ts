// The search's `channel` facet and filter: can a regional service be done
// online, or in person, somewhere in the region? Decided per offering, a
// service has a channel when at least one of its offerings has it. Pure.
import type { Offering, RegionalService } from '../catalog/types.js'

/** Facet values, in this fixed order (their positions are the facet positions). */
export const SEARCH_CHANNELS = ['online', 'in-person'] as const
export type SearchChannel = (typeof SEARCH_CHANNELS)[number]

/**
 * online: the offering can be started online: it links to an online URL or a
 * resolved online service (both give it a /go link), or its manifest declares
 * the channel `online`.
 * in-person: the manifest declares the channel `in-person`; an offering
 * without declared channels (v1 manifests, v2 ones that leave them out) counts
 * as in person when it names an office, since that is where it is done.
 */
export function offeringChannels(o: Offering): SearchChannel[] {
  const out: SearchChannel[] = []
  if (o.goUrl !== undefined || o.onlineUrl !== undefined || o.onlineService !== undefined || o.channels?.includes('online') === true) out.push('online')
  if (o.channels !== undefined ? o.channels.includes('in-person') : o.office !== undefined) out.push('in-person')
  return out
}

/** Positions into SEARCH_CHANNELS of the channels any offering of the service has. */
export function serviceChannelPositions(service: RegionalService): Int32Array {
  const has = new Set<SearchChannel>()
  for (const o of service.offerings) for (const c of offeringChannels(o)) has.add(c)
  const positions: number[] = []
  SEARCH_CHANNELS.forEach((c, i) => { if (has.has(c)) positions.push(i) })
  return Int32Array.from(positions)
}
