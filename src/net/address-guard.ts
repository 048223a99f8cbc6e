// SSRF guard for everything the gateway connects to on a member's behalf
// (remote manifests, proxy upstreams): it must never be talked into talking
// to its own network. Every resolved address is checked, and the connection
// uses exactly the addresses checked (the lookup below is handed to the
// socket), so DNS rebinding between check and connect cannot happen.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'
import { BlockList, isIP } from 'node:net'
import { checkHttpsUrl, type HttpsUrlCheck } from './https-url.js'

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

export type TargetCheck = HttpsUrlCheck | { ok: false; problem: 'private-address'; url: URL; address: string; reason: string }

/**
 * The URL rule plus the address rule for something the gateway will connect
 * to: https without credentials, and no non-public IP literal. Names are
 * checked at connect time by the lookup below. `allowPrivateNetwork` (tests
 * only) allows plain http and private addresses.
 */
export function checkTarget(raw: string, allowPrivateNetwork: boolean): TargetCheck {
  const checked = checkHttpsUrl(raw, allowPrivateNetwork)
  if (!checked.ok || allowPrivateNetwork) return checked
  const address = checked.url.hostname.replace(/^\[|\]$/g, '')
  const reason = isIP(address) === 0 ? undefined : blockedReason(address)
  return reason === undefined ? checked : { ok: false, problem: 'private-address', url: checked.url, address, reason }
}

/** A refused lookup; `code` says which guard refused (logs and error mapping read it). */
export class BlockedAddressError extends Error {
  constructor(message: string, readonly code: string) {
    super(message)
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void
export type LookupFunction = (hostname: string, options: LookupOptions, callback: LookupCallback) => void

/**
 * A `lookup` for net/tls.connect (undici's connect.lookup) that refuses the
 * host when ANY of its addresses is not public; `refuse` words the error.
 */
export function createGuardedLookup(refuse: (hostname: string, address: string, reason: string) => Error): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, [])
      for (const { address } of addresses) {
        const reason = blockedReason(address)
        if (reason) return callback(refuse(hostname, address, reason), [])
      }
      const first = addresses[0]
      if (!first) return callback(new Error(`no address for ${hostname}`), [])
      if (options.all) callback(null, addresses)
      else callback(null, first.address, first.family)
    })
  }
}
