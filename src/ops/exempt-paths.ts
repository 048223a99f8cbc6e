// Operational routes that app-wide limits leave alone. One list for the hooks
// in limits.ts and for the OpenAPI document that describes them.

/** Not rate limited: probes and scrapes must always get through. */
export const RATE_LIMIT_EXEMPT: ReadonlySet<string> = new Set(['/health', '/ready', '/metrics'])

/** Answered even while shedding load, so operators can see the pressure. */
export const SHEDDING_EXEMPT: ReadonlySet<string> = new Set(['/health', '/metrics'])
