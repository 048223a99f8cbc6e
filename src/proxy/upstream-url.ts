// Upstream addresses come only from the region config; this module makes sure
// even a config mistake cannot turn the proxy into an SSRF tool: https only,
// no credentials in the URL, and no private/loopback addresses (checked on the
// literal and again on every DNS answer, which also defeats DNS rebinding)
// unless the member is explicitly marked allowPrivateNetwork (tests).

import dns from 'node:dns'
import net from 'node:net'
import { blockedReason } from '../refresh/address-guard.js'

export interface UpstreamTarget {
  origin: string
  /** Host header value for the upstream */
  host: string
  /** always ends in '/' */
  basePath: string
}

/** One block list for the whole gateway: the refresher's (src/refresh/address-guard.ts). */
export function isPrivateAddress(address: string): boolean {
  return blockedReason(address) !== undefined
}

export function parseUpstream(memberId: string, upstream: string, allowPrivate: boolean): UpstreamTarget {
  let url: URL
  try {
    url = new URL(upstream)
  } catch {
    throw new Error(`proxy: member ${memberId}: upstream is not a URL`)
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
    throw new Error(`proxy: member ${memberId}: upstream must use https`)
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new Error(`proxy: member ${memberId}: upstream must not carry credentials, query or fragment`)
  }
  const hostname = url.hostname.replace(/^\[|\]$/g, '')
  if (!allowPrivate && net.isIP(hostname) !== 0 && isPrivateAddress(hostname)) {
    throw new Error(`proxy: member ${memberId}: upstream address is private`)
  }
  const basePath = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`
  return { origin: url.origin, host: url.host, basePath }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void

/** A dns.lookup that refuses private answers; used as the pool's connect lookup. */
export function publicOnlyLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '')
    const list = addresses as dns.LookupAddress[]
    if (list.length === 0 || list.some((a) => isPrivateAddress(a.address))) {
      const refused: NodeJS.ErrnoException = new Error(`upstream resolves to a private address`)
      refused.code = 'DP_PRIVATE_ADDRESS'
      return callback(refused, '')
    }
    if (options.all) return callback(null, list)
    const first = list[0] as dns.LookupAddress
    callback(null, first.address, first.family)
  })
}
