// Keeps remote manifests and XZuFi feeds current. Every instance runs a refresher; per member
// the store lock elects who fetches, and `fetchedAt` in the store tells the
// others it was done moments ago (the fetch itself: fetch-member.ts). This
// module only schedules: a first round at start, then each member on its
// interval with jitter, at most `concurrency` at a time, and refreshNow.
import type { MemberConfig } from '../config/region-schema.js'
import type { CatalogStore } from '../store/types.js'
import type { FetchLimits } from './fetch-manifest.js'
import { createMemberFetcher, type ValidateManifest } from './fetch-member.js'
import type { RefreshOutcome } from './types.js'
import { isRefreshed } from '../config/member-source.js'
import type { FetchMemberOptions } from './fetch-member.js'
import { withSpan } from '../telemetry/index.js'

type Log = (obj: object, msg: string) => void

export interface RefresherOptions {
  store: CatalogStore
  members: readonly MemberConfig[]
  validate: ValidateManifest
  logger?: { info: Log; warn: Log }
  /** members fetched at the same time */
  concurrency?: number
  /** for members without refreshIntervalSeconds */
  defaultIntervalSeconds?: number
  /** the lock outlives one whole refresh (all attempts); a dead leader's lock expires after it */
  lockTtlMs?: number
  /** attempts after the first one, for retryable failures */
  retries?: number
  backoffBaseMs?: number
  backoffMaxMs?: number
  limits?: Partial<FetchLimits>
  random?: () => number
  /** region facts for members with an XZuFi feed */
  region?: FetchMemberOptions['region']
  /** every finished refresh, scheduled or refreshNow (metrics); must not throw */
  onOutcome?: (outcome: RefreshOutcome) => void
}

export interface Refresher {
  /** refresh every remote member once, then keep them on their intervals */
  start(): Promise<void>
  /** fetch now, ignoring freshness (still one instance at a time) */
  refreshNow(memberId: string): Promise<RefreshOutcome>
  stop(): Promise<void>
}

export function createRefresher(options: RefresherOptions): Refresher {
  const lockTtlMs = options.lockTtlMs ?? 60_000
  const random = options.random ?? Math.random
  const log = options.logger ?? { info: () => {}, warn: () => {} }
  const remote = new Map(options.members.filter(isRefreshed).map((m) => [m.id, m]))
  const timers = new Map<string, NodeJS.Timeout>()
  const stopping = new AbortController()
  const running = new Set<Promise<unknown>>()
  let stopped: Promise<void> | undefined
  const limit = semaphore(options.concurrency ?? 4)
  const intervalMs = (m: MemberConfig) => (m.refreshIntervalSeconds ?? options.defaultIntervalSeconds ?? 900) * 1000
  const fetcher = createMemberFetcher({
    store: options.store,
    validate: options.validate,
    log,
    lockTtlMs,
    intervalMs,
    stopped: stopping.signal,
    random,
    ...pickDefined(options, ['retries', 'backoffBaseMs', 'backoffMaxMs', 'limits', 'region']),
  })

  const track = <T>(work: Promise<T>): Promise<T> => {
    running.add(work)
    void work.finally(() => running.delete(work)).catch(() => {})
    return work
  }

  /** one refresh, one at a time per slot, reported to onOutcome */
  const run = (member: MemberConfig, force: boolean): Promise<RefreshOutcome> =>
    track(limit(() => tracedRefresh(member, force)).then((outcome) => {
      try {
        options.onOutcome?.(outcome)
      } catch (error) {
        log.warn({ member: member.id, err: error }, 'refresh outcome observer failed')
      }
      return outcome
    }))

  const tracedRefresh = (member: MemberConfig, force: boolean): Promise<RefreshOutcome> =>
    withSpan('manifest.refresh', { 'dachportal.member': member.id, 'dachportal.refresh.forced': force }, (span) =>
      fetcher.refresh(member, force).then((outcome) => {
        span.setAttributes({ 'dachportal.refresh.outcome': outcome.outcome })
        if (outcome.outcome === 'failed') span.fail({ name: 'RefreshFailed' })
        return outcome
      }))

  /** a busy lock may belong to a dead instance: look again once it expired */
  const nextDelay = (member: MemberConfig, result: RefreshOutcome) =>
    result.outcome === 'busy' ? lockTtlMs + random() * 1000 : intervalMs(member) * (0.9 + 0.2 * random())

  function schedule(member: MemberConfig, delayMs: number): void {
    if (stopping.signal.aborted) return
    const timer = setTimeout(() => {
      void run(member, false).then((result) => schedule(member, nextDelay(member, result)))
    }, delayMs)
    timer.unref()
    timers.set(member.id, timer)
  }

  return {
    async start() {
      await Promise.all([...remote.values()].map((member) =>
        run(member, false).then((result) => schedule(member, nextDelay(member, result)))))
    },
    async refreshNow(memberId) {
      const member = remote.get(memberId)
      if (!member) throw new Error(`member ${memberId} has no remote manifest or XZuFi feed`)
      return run(member, true)
    },
    stop() {
      // once: a second stop() (shutdown racing a reload, a test teardown) waits for the first instead of closing closed agents
      stopped ??= (async () => {
        stopping.abort()
        for (const timer of timers.values()) clearTimeout(timer)
        timers.clear()
        await Promise.allSettled([...running])
        await fetcher.close()
      })()
      return stopped
    },
  }
}

function pickDefined<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {}
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key]
  return out
}

/** at most `max` tasks at once; the rest wait in order */
function semaphore(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0
  const waiting: (() => void)[] = []
  return async (task) => {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve))
    active++
    try {
      return await task()
    } finally {
      active--
      waiting.shift()?.()
    }
  }
}
