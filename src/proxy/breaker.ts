// Per-member circuit breaker: a pure state machine with an injected clock, so
// tests drive it without sleeping. One instance per member; nothing is shared.

export type BreakerState = 'closed' | 'open' | 'half-open'

export interface BreakerOptions {
  /** open after this many failures in a row */
  failureThreshold: number
  /** or when failures / requests in the window reach this rate (0..1) ... */
  errorRate: number
  /** ... and the window holds at least this many requests */
  minRequests: number
  windowMs: number
  /** how long to stay open before letting one probe through */
  coolDownMs: number
  /** a probe that never reports back frees the slot after this long */
  probeTimeoutMs: number
}

export const defaultBreakerOptions: BreakerOptions = {
  failureThreshold: 5,
  errorRate: 0.5,
  minRequests: 20,
  windowMs: 30_000,
  coolDownMs: 15_000,
  probeTimeoutMs: 30_000,
}

const BUCKETS = 10

export class CircuitBreaker {
  private stateValue: BreakerState = 'closed'
  private consecutive = 0
  private openedAt = 0
  private probeAt = -1
  // Ring of counters, BUCKETS per window: O(1) per request, no arrays growing.
  private readonly bucketMs: number
  private readonly epochs = new Array<number>(BUCKETS).fill(-1)
  private readonly ok = new Array<number>(BUCKETS).fill(0)
  private readonly failed = new Array<number>(BUCKETS).fill(0)

  constructor(
    private readonly options: BreakerOptions = defaultBreakerOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.bucketMs = Math.max(1, Math.ceil(options.windowMs / BUCKETS))
  }

  get state(): BreakerState {
    return this.stateValue
  }

  /** May a request go upstream now? In half-open, only one probe at a time. */
  allow(): boolean {
    if (this.stateValue === 'closed') return true
    const now = this.now()
    if (this.stateValue === 'open') {
      if (now - this.openedAt < this.options.coolDownMs) return false
      this.stateValue = 'half-open'
      this.probeAt = now
      return true
    }
    if (this.probeAt >= 0 && now - this.probeAt < this.options.probeTimeoutMs) return false
    this.probeAt = now
    return true
  }

  success(): void {
    if (this.stateValue === 'closed') {
      this.consecutive = 0
      this.count(this.ok)
    } else if (this.stateValue === 'half-open') {
      this.reset()
    }
    // A late success while open (admitted before opening) proves little: stay open.
  }

  failure(): void {
    if (this.stateValue === 'half-open') {
      this.trip()
      return
    }
    if (this.stateValue === 'open') return
    this.consecutive++
    this.count(this.failed)
    if (this.consecutive >= this.options.failureThreshold || this.rateExceeded()) this.trip()
  }

  /** Whole seconds until a probe may go through (at least 1). */
  retryAfterSeconds(): number {
    const left = this.openedAt + this.options.coolDownMs - this.now()
    return Math.max(1, Math.ceil(left / 1000))
  }

  private trip(): void {
    this.stateValue = 'open'
    this.openedAt = this.now()
    this.probeAt = -1
  }

  private reset(): void {
    this.stateValue = 'closed'
    this.consecutive = 0
    this.probeAt = -1
    this.epochs.fill(-1)
    this.ok.fill(0)
    this.failed.fill(0)
  }

  private count(counters: number[]): void {
    const epoch = Math.floor(this.now() / this.bucketMs)
    const i = epoch % BUCKETS
    if (this.epochs[i] !== epoch) {
      this.epochs[i] = epoch
      this.ok[i] = 0
      this.failed[i] = 0
    }
    counters[i] = (counters[i] ?? 0) + 1
  }

  private rateExceeded(): boolean {
    const oldest = Math.floor(this.now() / this.bucketMs) - BUCKETS + 1
    let total = 0
    let bad = 0
    for (let i = 0; i < BUCKETS; i++) {
      if ((this.epochs[i] ?? -1) < oldest) continue
      total += (this.ok[i] ?? 0) + (this.failed[i] ?? 0)
      bad += this.failed[i] ?? 0
    }
    return total >= this.options.minRequests && bad / total >= this.options.errorRate
  }
}
