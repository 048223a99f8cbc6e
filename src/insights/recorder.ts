// Counting in the request path is one Map increment: counts are batched in
// memory and flushed to the store every `flushIntervalMs` (and on close) as
// one pipelined write per day. The request never waits for the store; when
// the store is down the batch of that moment is dropped (an outage loses at
// most its own counts, never a request).
import { createHash } from 'node:crypto'
import type { CounterStore, DistinctClients } from '../store/counters.js'
import { dayOf, field, NO_MEMBER, type FeedbackAnswer } from './fields.js'
import { storableQuery, type Vocabulary } from './privacy.js'

/** a day's salt lives until this long after the day's end, for late batches */
const SALT_MARGIN_MS = 3600_000

export interface InsightsRecorderOptions {
  store: CounterStore
  retentionDays: number
  flushIntervalMs?: number
  now?: () => Date
  /** Prometheus totals (no query texts, no labels beyond the kind) */
  onCount?: (kind: string) => void
  onFlushError?: (error: unknown) => void
}

export interface SearchEvent {
  q: string
  /** the member the search was for (member filter or resolved postal code) */
  member?: string
  /** a postal code or member filter was used */
  filtered: boolean
  total: number
  /** the client network (clientNetwork): query texts count distinct networks, never stored */
  client?: string
  /** the catalog's words: a capitalised pair of other words is taken for a name and not stored */
  vocabulary?: Vocabulary
}

export class InsightsRecorder {
  private pending = new Map<string, Map<string, number>>()
  // day -> query counter -> client networks of this batch (memory only; hashed with the day's salt at flush)
  private pendingClients = new Map<string, Map<string, Set<string>>>()
  private readonly timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()
  /** ms since the epoch; Date.now unless a test clock is given */
  private readonly clock: () => number
  // the day key of the current UTC day, formatted once per day, not per count
  private day = ''
  private dayStart = 0
  private dayEnd = 0

  constructor(private readonly options: InsightsRecorderOptions) {
    const now = options.now
    this.clock = now === undefined ? Date.now : () => now().getTime()
    const interval = options.flushIntervalMs ?? 5000
    if (interval > 0) {
      this.timer = setInterval(() => void this.flush(), interval)
      this.timer.unref()
    }
  }

  private dayKey(): string {
    const t = this.clock()
    if (t < this.dayStart || t >= this.dayEnd) {
      this.day = dayOf(new Date(t))
      this.dayStart = Date.parse(`${this.day}T00:00:00Z`)
      this.dayEnd = this.dayStart + 86_400_000
    }
    return this.day
  }

  private add(name: string, kind: string, by = 1): void {
    const day = this.dayKey()
    let counts = this.pending.get(day)
    if (counts === undefined) this.pending.set(day, counts = new Map())
    counts.set(name, (counts.get(name) ?? 0) + by)
    this.options.onCount?.(kind)
  }

  search(event: SearchEvent): void {
    const member = event.member ?? NO_MEMBER
    this.add(field.searches(member), 'search')
    if (event.filtered) this.add(field.filter(member), 'filter')
    const text = storableQuery(event.q, event.vocabulary)
    if (event.total === 0) this.add(field.zeroResults(member), 'zero-result')
    if (text === undefined) return
    const name = event.total === 0 ? field.zeroQuery(member, text) : field.query(member, text)
    this.add(name, 'query')
    if (event.client === undefined) return
    const day = this.dayKey()
    let byName = this.pendingClients.get(day)
    if (byName === undefined) this.pendingClients.set(day, byName = new Map())
    let clients = byName.get(name)
    if (clients === undefined) byName.set(name, clients = new Set())
    clients.add(event.client)
  }

  lifeSituation(id: string): void { this.add(field.lifeSituation(id), 'life-situation') }
  serviceView(id: string): void { this.add(field.serviceView(id), 'service-view') }
  go(member: string, service: string): void { this.add(field.go(member, service), 'go') }
  proxy(member: string): void { this.add(field.proxy(member), 'proxy') }
  feedback(member: string, service: string, answer: FeedbackAnswer): void { this.add(field.feedback(member, service, answer), 'feedback') }

  /** write what is pending; resolves when written (or dropped on a store failure) */
  flush(): Promise<void> {
    const batch = this.pending
    const clients = this.pendingClients
    this.pending = new Map()
    this.pendingClients = new Map()
    const ttl = this.options.retentionDays * 24 * 3600
    // flushes run one after another, so a slow store never sees two at once
    this.flushing = this.flushing.then(async () => {
      for (const [day, counts] of batch) {
        try {
          const distinct = await this.distinctOf(day, clients.get(day))
          await this.options.store.addCounts(day, counts, ttl, distinct)
        } catch (error) {
          this.options.onFlushError?.(error)
        }
      }
    })
    return this.flushing
  }

  /** the batch's client networks as hashes salted with the day's salt; none once the day's salt is gone */
  private async distinctOf(day: string, byName: Map<string, Set<string>> | undefined): Promise<DistinctClients | undefined> {
    if (byName === undefined) return undefined
    const keepMs = Date.parse(`${day}T00:00:00Z`) + 86_400_000 + SALT_MARGIN_MS - this.clock()
    if (keepMs <= 0) return undefined
    const keepSeconds = Math.ceil(keepMs / 1000)
    const salt = await this.options.store.daySalt(day, keepSeconds)
    const hashed = new Map<string, string[]>()
    for (const [name, networks] of byName) {
      hashed.set(name, [...networks].map((n) => createHash('sha256').update(`${salt}\n${n}`).digest('hex').slice(0, 32)))
    }
    return { clients: hashed, keepSeconds }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    await this.flush()
  }
}
