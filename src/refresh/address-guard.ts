// SSRF guard for remote manifests: the gateway must never be talked into
// fetching from its own network. Every resolved address is checked, and the
// connection uses exactly the addresses checked (the lookup below is handed
// to the socket), so DNS rebinding between check and connect cannot happen.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { BlockList, isIP } from 'node:net'

const blocked = new BlockList()
const V4: [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private network'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local / cloud metadata'],
  ['172.16.0.0', 12, 'private network'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private network'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
]
const V6: [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::', 96, 'IPv4-compatible (deprecated)'],
  ['64:ff9b::', 96, 'NAT64 (embeds IPv4)'],
  ['64:ff9b:1::', 48, 'NAT64 (embeds IPv4)'],
  ['100::', 64, 'discard'],
  ['2002::', 16, '6to4 (embeds IPv4)'],
  ['2001:db8::', 32, 'documentation'],
  ['fc00::', 7, 'unique local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
]
const reasons = new Map<BlockList, string>()
const lists = [...V4.map((e) => [...e, 'ipv4'] as const), ...V6.map((e) => [...e, 'ipv6'] as const)].map(([net, prefix, reason, family]) => {
  const list = new BlockList()
  list.addSubnet(net, prefix, family)
  blocked.addSubnet(net, prefix, family)
  reasons.set(list, reason)
  return list
})

/** Why an address must not be fetched from, or undefined when it is public. */
export function blockedReason(address: string): string | undefined {
  const v4 = embeddedIpv4(address)
  const [ip, family] = v4 ? [v4, 'ipv4' as const] : [address, isIP(address) === 6 ? ('ipv6' as const) : ('ipv4' as const)]
  if (isIP(ip) === 0) return 'not an IP address'
  if (!blocked.check(ip, family)) return undefined
  const list = lists.find((l) => l.check(ip, family))
  return (list && reasons.get(list)) ?? 'not public'
}

/** IPv4-mapped (::ffff:a.b.c.d, ::ffff:7f00:1) and IPv4-compatible (::a.b.c.d) forms */
function embeddedIpv4(address: string): string | undefined {
  if (isIP(address) !== 6) return undefined
  const words = expandIpv6(address)
  if (!words || words.slice(0, 5).some((w) => w !== 0)) return undefined
  if (words[5] !== 0xffff && !(words[5] === 0 && (words[6] ?? 0) !== 0)) return undefined
  const hi = words[6] ?? 0
  const lo = words[7] ?? 0
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
}

function expandIpv6(address: string): number[] | undefined {
  let text = address.split('%', 1)[0] ?? ''
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number)
    text = text.slice(0, -dotted[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0')
  const words = [...left, ...fill, ...right].map((w) => Number.parseInt(w, 16))
  return words.length === 8 && words.every((w) => w >= 0 && w <= 0xffff) ? words : undefined
}

export class BlockedAddressError extends Error {
  readonly code = 'DP_REFRESH_BLOCKED_ADDRESS'
}

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void

/**
 * A `lookup` for net/tls.connect (undici's connect.lookup) that refuses the
 * host when ANY of its addresses is not public.
 */
export function guardedLookup(hostname: string, options: { family?: number | string; all?: boolean }, callback: LookupCallback): void {
  const family = options.family === 'IPv6' || options.family === 6 ? 6 : options.family === 'IPv4' || options.family === 4 ? 4 : 0
  dnsLookup(hostname, { all: true, family }, (error, addresses) => {
    if (error) return callback(error, [])
    for (const { address } of addresses) {
      const reason = blockedReason(address)
      if (reason) return callback(new BlockedAddressError(`refused: ${hostname} resolves to ${address} (${reason})`), [])
    }
    const first = addresses[0]
    if (!first) return callback(new Error(`no address for ${hostname}`), [])
    if (options.all) callback(null, addresses)
    else callback(null, first.address, first.family)
  })
}
