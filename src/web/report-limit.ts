// "Barriere melden": accepted reports per client in a window, counted in the
// shared store (Redis when configured), so every instance spends one budget.
// The counter key holds the hashed client network (hashedClientNetwork),
// never an address, and expires with the window.
import type { FailureCounter } from '../auth/failed-auth-limiter.js'

export interface ReportLimiter {
  /** seconds to wait when the client's budget is spent, else 0 */
  retryAfter(client: string): Promise<number>
  record(client: string): Promise<void>
}

export function createReportLimiter(counter: FailureCounter, perClient: number, windowMs: number): ReportLimiter {
  const key = (client: string) => `report:${client}`
  return {
    async retryAfter(client) {
      // the key expires windowMs after the last accepted report: wait that long at most
      return (await counter.failureCount(key(client))) >= perClient ? Math.ceil(windowMs / 1000) : 0
    },
    async record(client) {
      await counter.countFailure(key(client), windowMs)
    },
  }
}
