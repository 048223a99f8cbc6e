// Brakes on token guessing: failed authentication attempts per client and
// member in a sliding window, in memory. Bounded: the oldest keys are evicted
// when too many clients are tracked, so a flood cannot grow memory.

export interface FailedAuthLimiterOptions {
  /** failures allowed within the window before answers become 429 */
  maxFailures?: number
  windowMs?: number
  /** most client/member pairs tracked at once */
  maxKeys?: number
  now?: () => number
}

export interface FailedAuthLimiter {
  /** seconds to wait when blocked, else 0 */
  retryAfter(client: string, member: string): number
  recordFailure(client: string, member: string): void
}

export function createFailedAuthLimiter(options: FailedAuthLimiterOptions = {}): FailedAuthLimiter {
  const maxFailures = options.maxFailures ?? 10
  const windowMs = options.windowMs ?? 60_000
  const maxKeys = options.maxKeys ?? 10_000
  const now = options.now ?? Date.now
  // Map keeps insertion order: re-inserting on each failure makes the first key the least recent
  const failures = new Map<string, number[]>()

  const recent = (key: string, at: number): number[] => {
    const times = (failures.get(key) ?? []).filter((t) => t > at - windowMs)
    if (times.length === 0) failures.delete(key)
    return times
  }

  return {
    retryAfter(client, member) {
      const at = now()
      const times = recent(`${client}\u0000${member}`, at)
      if (times.length < maxFailures) return 0
      const oldest = times[times.length - maxFailures] ?? at
      return Math.max(1, Math.ceil((oldest + windowMs - at) / 1000))
    },
    recordFailure(client, member) {
      const key = `${client}\u0000${member}`
      const at = now()
      const times = recent(key, at)
      times.push(at)
      failures.delete(key)
      failures.set(key, times.slice(-maxFailures))
      while (failures.size > maxKeys) {
        const first = failures.keys().next().value
        if (first === undefined) break
        failures.delete(first)
      }
    },
  }
}
