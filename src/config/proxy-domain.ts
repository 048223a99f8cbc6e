// PROXY_BASE_DOMAIN checks at start. Each member is served on
// `<member>.<PROXY_BASE_DOMAIN>`, so a wrong value does not fail loudly by
// itself: an IP, `localhost` or a public suffix hands out names the operator
// does not own (cookies scoped to `gladbeck.de`…), and a base domain that
// covers the portal's own host routes every portal request to a member
// (404 no-upstream). These are refused in every environment.
import { isIP } from 'node:net'
import type { Settings } from './env.js'
import { ConfigError } from './load.js'

/** A host name without trailing dot, lower case (URL hosts are already). */
const bare = (host: string): string => host.toLowerCase().replace(/\.$/, '')

/** The rules that need no list; undefined = fine. */
export function baseDomainProblem(base: string, publicOrigin?: string): string | undefined {
  const name = bare(base)
  if (isIP(name.replace(/^\[|\]$/g, '')) !== 0) return 'is an IP address; it must be a DNS name the operator owns'
  const labels = name.split('.')
  if (labels.length < 2) return 'must have at least two labels (e.g. cities.serviceportal.example.de)'
  // an all-numeric last label is read as an IPv4 address by URL parsers (WHATWG)
  if (/^(\d+|0x[0-9a-f]*)$/.test(labels.at(-1) ?? '')) return 'ends in a numeric label; it must be a DNS name'
  if (labels.at(-1) === 'localhost') return 'is localhost; member origins need a DNS name every resident can resolve'
  if (publicOrigin !== undefined) {
    const portal = bare(new URL(publicOrigin).hostname)
    if (portal === name || portal.endsWith(`.${name}`)) {
      return `covers PUBLIC_ORIGIN's host ${portal}: every portal request would be routed to a member; use a sub-domain of its own (e.g. cities.${name})`
    }
  }
  return undefined
}

/** Throws a ConfigError naming PROXY_BASE_DOMAIN when it is unusable. */
export async function assertProxyBaseDomain(proxy: Pick<Settings['proxy'], 'baseDomain' | 'publicOrigin'>): Promise<void> {
  const base = proxy.baseDomain
  if (base === undefined) return
  const problem = baseDomainProblem(base, proxy.publicOrigin)
  if (problem !== undefined) throw new ConfigError(`PROXY_BASE_DOMAIN "${base}" ${problem}`)
  // loaded only with PROXY_BASE_DOMAIN set: the public suffix list is ~220 KB of code
  const { getPublicSuffix } = await import('tldts')
  // ICANN section only: the private section is where the operator should
  // register the base domain itself (README, Proxy isolation), so that entry must pass
  if (getPublicSuffix(bare(base), { allowPrivateDomains: false }) === bare(base)) {
    throw new ConfigError(`PROXY_BASE_DOMAIN "${base}" is a public suffix (e.g. de, co.uk): names under it belong to others; use a domain the operator owns`)
  }
}
