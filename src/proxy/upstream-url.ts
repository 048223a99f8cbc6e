// Upstream addresses come only from the region config; this module makes sure
// even a config mistake cannot turn the proxy into an SSRF tool: https only,
// no credentials in the URL, and no private/loopback addresses (checked on the
// literal and again on every DNS answer, which also defeats DNS rebinding)
// unless the member is explicitly marked allowPrivateNetwork (tests).
// The rules themselves are the gateway's one network guard (src/net/).

import { BlockedAddressError, checkTarget, createGuardedLookup } from '../net/address-guard.js'

export interface UpstreamTarget {
  origin: string
  /** Host header value for the upstream */
  host: string
  /** always ends in '/' */
  basePath: string
}

export function parseUpstream(memberId: string, upstream: string, allowPrivate: boolean): UpstreamTarget {
  const checked = checkTarget(upstream, allowPrivate)
  if (checked.problem === 'not-a-url') throw new Error(`proxy: member ${memberId}: upstream is not a URL`)
  if (checked.problem === 'not-https') throw new Error(`proxy: member ${memberId}: upstream must use https`)
  const { url } = checked
  if (checked.problem === 'credentials' || url.search !== '' || url.hash !== '') {
    throw new Error(`proxy: member ${memberId}: upstream must not carry credentials, query or fragment`)
  }
  if (checked.problem === 'private-address') throw new Error(`proxy: member ${memberId}: upstream address is private`)
  const basePath = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`
  return { origin: url.origin, host: url.host, basePath }
}

/** A dns.lookup that refuses private answers; used as the pool's connect lookup. */
export const publicOnlyLookup = createGuardedLookup(() => new BlockedAddressError('upstream resolves to a private address', 'DP_PRIVATE_ADDRESS'))
