// Brakes on token guessing that never lock a city out. The admin API's brake
// (createFailedAuthLimiter): failed attempts are counted per member in the shared store (Redis when configured), so all
// instances spend one budget. Within the budget nothing changes; once it is
// spent, every attempt for that member, right token or wrong, first waits a
// growing, bounded delay. Guessing slows to a crawl, the city still registers.
// The delay comes before the token is looked at, so its length says nothing
// about the token. The login brake (createLoginBrake, below) is per client
// network instead.
import { createHash } from 'node:crypto'

/** failures per key with expiry; CatalogStore implements it (memory or Redis) */
export interface FailureCounter {
  /** count one failure; the key expires `windowMs` after its last failure. Resolves to the count. */
  countFailure(key: string, windowMs: number): Promise<number>
  /** failures counted under the key and not expired (0 when none) */
  failureCount(key: string): Promise<number>
  /** takes one count back (never below 0): an attempt counted before its token was checked turned out right */
  forgetFailure(key: string): Promise<void>
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

/** the options with their defaults, shared by both brakes */
function settingsOf(options: FailedAuthLimiterOptions) {
  return {
    settings: {
      maxFailures: options.maxFailures ?? AUTH_FAILURE_DEFAULTS.maxFailures,
      windowMs: options.windowMs ?? AUTH_FAILURE_DEFAULTS.windowMs,
      baseDelayMs: options.baseDelayMs ?? AUTH_FAILURE_DEFAULTS.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? AUTH_FAILURE_DEFAULTS.maxDelayMs,
    },
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
  }
}

export function createFailedAuthLimiter(counter: FailureCounter, options: FailedAuthLimiterOptions = {}): FailedAuthLimiter {
  const { settings, sleep } = settingsOf(options)
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

// The login brake (/einblicke, the region insights API): an attempt is
// counted for its client network before its token is looked at, so guesses
// sent in parallel see each other and wait; a right token takes its count
// back. Only the network that guesses waits: a right token from another
// network is never slowed by others' failures (the member is not locked
// out, the guesser is). Failures are also counted per scope, for the
// operator's log: many networks guessing one member show there, without
// slowing that member's own logins.

export interface LoginAttempt {
  /** the delay this attempt waited (0 within the network's budget) */
  delayMs: number
  /** the token was right: the attempt's count is taken back */
  succeeded(): Promise<void>
  /** the token was wrong for `scope` (a member, "region", or the login form): resolves to that scope's failures in the window */
  failed(scope: string): Promise<number>
}

export interface LoginBrake {
  /** count the attempt for the client network (clientNetwork(request.ip)), then wait as its earlier attempts demand */
  begin(network: string): Promise<LoginAttempt>
}

export function createLoginBrake(counter: FailureCounter, options: FailedAuthLimiterOptions = {}): LoginBrake {
  const { settings, sleep } = settingsOf(options)
  // the store holds a hash of the network, not the address
  const networkKey = (network: string) => `login-net:${createHash('sha256').update(network).digest('hex').slice(0, 16)}`
  return {
    async begin(network) {
      const key = networkKey(network)
      const attempts = await counter.countFailure(key, settings.windowMs)
      const delayMs = delayFor(attempts - 1, settings)
      if (delayMs > 0) await sleep(delayMs)
      return {
        delayMs,
        succeeded: () => counter.forgetFailure(key),
        failed: (scope) => counter.countFailure(`login-scope:${scope}`, settings.windowMs),
      }
    },
  }
}
