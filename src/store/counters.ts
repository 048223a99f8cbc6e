// Where per-day counters live: MemoryStore (embedded) and RedisStore (shared
// by all instances) implement it next to the catalog.
export interface DayCounters {
  day: string
  counts: Record<string, number>
}

/**
 * Distinct clients per counter of one day, counted without storing who: the
 * caller gives salted hashes (the day's salt, deleted after the day); the
 * store keeps a HyperLogLog (Redis) or a set (memory) per counter only as
 * long as `keepSeconds` (the salt's life) and writes the distinct count
 * into the day's counters as `distinctField(name)`.
 */
export interface DistinctClients {
  clients: ReadonlyMap<string, readonly string[]>
  keepSeconds: number
}

export interface CounterStore {
  /** add the counts to the day's counters; the day expires `ttlSeconds` after its last write */
  addCounts(day: string, counts: ReadonlyMap<string, number>, ttlSeconds: number, distinct?: DistinctClients): Promise<void>
  /**
   * The day's random salt for client hashes, the same on every instance;
   * made on first use, deleted `ttlSeconds` later (after the day), so the
   * hashes cannot be linked to a network once the day is over.
   */
  daySalt(day: string, ttlSeconds: number): Promise<string>
  /** the counters of these days (days without counters are left out) */
  readCounts(days: readonly string[]): Promise<DayCounters[]>
}

export const insightsKey = (day: string) => `insights:${day}`
export const distinctKey = (day: string, name: string) => `insights:${day}:clients:${name}`
export const saltKey = (day: string) => `insights:${day}:salt`
/** the counter holding how many distinct client networks counter `name` saw */
export const distinctField = (name: string) => `u|${name}`
