// Where per-day counters live: MemoryStore (embedded) and RedisStore (shared
// by all instances) implement it next to the catalog.
export interface DayCounters {
  day: string
  counts: Record<string, number>
}

export interface CounterStore {
  /** add the counts to the day's counters; the day expires `ttlSeconds` after its last write */
  addCounts(day: string, counts: ReadonlyMap<string, number>, ttlSeconds: number): Promise<void>
  /** the counters of these days (days without counters are left out) */
  readCounts(days: readonly string[]): Promise<DayCounters[]>
}

export const insightsKey = (day: string) => `insights:${day}`
