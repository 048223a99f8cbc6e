// The one client key for every per-client budget (rate limits, feedback,
// "Barriere melden", login brakes): the address Fastify decided with
// TRUST_PROXY, IPv4 as it is (/32), IPv6 cut to its /64 (one subscriber
// line), an IPv4-mapped IPv6 address as IPv4. Budgets that disagree on the
// key let one network spend another's or escape its own.
import { createHash } from 'node:crypto'
import { normalizeIP } from '@fastify/rate-limit'

export function clientNetwork(ip: string | undefined): string {
  return ip ? normalizeIP(ip, 64) : 'unknown'
}

/**
 * The client network as a short hash, for keys that are stored (budgets in
 * the shared store, the report bound): the address is never kept in clear.
 */
export function hashedClientNetwork(ip: string | undefined): string {
  return createHash('sha256').update(clientNetwork(ip)).digest('hex').slice(0, 16)
}
