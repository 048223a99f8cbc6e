// Brakes on token guessing that never lock a city out. Failed attempts are
// counted per member in the shared store (Redis when configured), so all
// instances spend one budget. Within the budget nothing changes; once it is
// spent, every attempt for that member, right token or wrong, first waits a
// growing, bounded delay. Guessing slows to a crawl, the city still registers.
// The delay comes before the token is looked at, so its length says nothing
// about the token.

/** failures per key with expiry; CatalogStore implements it (memory or Redis) */
export interface FailureCounter {
  /** count one failure; the key expires `windowMs` after its last failure. Resolves to the count. */
  countFailure(key: string, windowMs: number): Promise<number>
  /** failures counted under the key and not expired (0 when none) */
  failureCount(key: string): Promise<number>
}

export interface FailedAuthLimiterOptions {
  /** failures per member (all clients, all instances) before attempts are slowed */
  maxFailures?: number
  /** the count is forgotten this long after the last failure */
  windowMs?: number
  /** delay of the first attempt over budget; doubles with every further failure */
  baseDelayMs?: number
  /** the longest delay */
  maxDelayMs?: number
  /** tests inject a recorder; default setTimeout */
  sleep?: (ms: number) => Promise<void>
}

export interface FailedAuthLimiter {
  /** wait as the member's spent budget demands; resolves to the delay applied (0 within budget) */
  brake(member: string): Promise<number>
  recordFailure(member: string): Promise<number>
}

const AUTH_FAILURE_DEFAULTS = { maxFailures: 10, windowMs: 15 * 60_000, baseDelayMs: 500, maxDelayMs: 10_000 } as const

/** the delay for an attempt after `failures` failed ones: 0 within budget, then base·2^n up to max */
function delayFor(failures: number, options: Required<Omit<FailedAuthLimiterOptions, 'sleep'>>): number {
  const over = failures - options.maxFailures
  if (over < 0) return 0
  return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(over, 30))
}

export function createFailedAuthLimiter(counter: FailureCounter, options: FailedAuthLimiterOptions = {}): FailedAuthLimiter {
  const settings = {
    maxFailures: options.maxFailures ?? AUTH_FAILURE_DEFAULTS.maxFailures,
    windowMs: options.windowMs ?? AUTH_FAILURE_DEFAULTS.windowMs,
    baseDelayMs: options.baseDelayMs ?? AUTH_FAILURE_DEFAULTS.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? AUTH_FAILURE_DEFAULTS.maxDelayMs,
  }
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const key = (member: string) => `admin-auth:${member}`
  return {
    async brake(member) {
      const delay = delayFor(await counter.failureCount(key(member)), settings)
      if (delay > 0) await sleep(delay)
      return delay
    },
    recordFailure(member) {
      return counter.countFailure(key(member), settings.windowMs)
    },
  }
}
