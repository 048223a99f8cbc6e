// Keeps remote manifests current. Every instance runs a refresher; per member
// the store lock `refresh:{id}` elects who fetches, and `fetchedAt` in the
// store tells the others it was done moments ago. A failed fetch never
// replaces the live manifest (stale-if-error): the member turns `stale`, or
// `failed` when nothing was ever loaded, with a readable lastError.
import type { MemberConfig } from '../config/region-schema.js'
import type { Manifest } from '../manifest/schema.js'
import type { MemberState } from '../catalog/types.js'
import type { CatalogStore } from '../store/types.js'
import { createAgents, DEFAULT_LIMITS, fetchManifest, FetchError, type FetchLimits, type FetchResult } from './fetch-manifest.js'
import type { RefreshOutcome } from './types.js'
import { isRemoteManifest } from '../net/https-url.js'
import { createDeadline } from './deadline.js'
import { FencedOut, manifestFingerprint, type WriteFence } from '../store/fence.js'
import { withSpan } from '../telemetry/index.js'
import { boundIssues, cut, MAX_LAST_ERROR } from '../manifest/issues.js'

import type { Issue } from '../http/problem.js'
type Log = (obj: object, msg: string) => void

export interface RefresherOptions {
  store: CatalogStore
  members: readonly MemberConfig[]
  validate: (doc: unknown, member: MemberConfig) => { ok: true; value: Manifest } | { ok: false; errors: Issue[]; total?: number }
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
  const { store } = options
  const limits: FetchLimits = { ...DEFAULT_LIMITS, ...options.limits }
  // undici's agents are made at the first fetch: regions without remote manifests never load undici
  let agents: ReturnType<typeof createAgents> | undefined
  const lockTtlMs = options.lockTtlMs ?? 60_000
  const random = options.random ?? Math.random
  const log = options.logger ?? { info: () => {}, warn: () => {} }
  const remote = new Map(options.members.filter((m) => isRemoteManifest(m.manifest)).map((m) => [m.id, m]))
  const timers = new Map<string, NodeJS.Timeout>()
  const stopping = new AbortController()
  const running = new Set<Promise<unknown>>()
  const limit = semaphore(options.concurrency ?? 4)
  const intervalMs = (m: MemberConfig) => (m.refreshIntervalSeconds ?? options.defaultIntervalSeconds ?? 900) * 1000

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
      refresh(member, force).then((outcome) => {
        span.setAttributes({ 'dachportal.refresh.outcome': outcome.outcome })
        if (outcome.outcome === 'failed') span.fail({ name: 'RefreshFailed' })
        return outcome
      }))

  async function refresh(member: MemberConfig, force: boolean): Promise<RefreshOutcome> {
    const lock = `refresh:${member.id}`
    let token: string | null
    try {
      token = await store.acquireLock(lock, lockTtlMs)
    } catch (error) {
      return { member: member.id, outcome: 'failed', lastError: `store: ${(error as Error).message}` }
    }
    if (token === null) return { member: member.id, outcome: 'busy' }
    try {
      const state = await store.getMember(member.id)
      if (!force && isFresh(state, intervalMs(member))) return { member: member.id, outcome: 'fresh', status: state!.status }
      // every write of this refresh is fenced: still our lock, still the manifest we started from
      const fence: WriteFence = { lock, token, basis: manifestFingerprint(state?.manifest) }
      return await fetchAndStore(member, state, fence)
    } catch (error) {
      if (error instanceof FencedOut) {
        log.warn({ member: member.id, reason: error.reason }, 'remote manifest refresh superseded, nothing stored')
        return { member: member.id, outcome: 'superseded', lastError: error.message }
      }
      return { member: member.id, outcome: 'failed', lastError: `store: ${(error as Error).message}` }
    } finally {
      await store.releaseLock(lock, token).catch(() => false)
    }
  }

  async function fetchAndStore(member: MemberConfig, state: MemberState | undefined, fence: WriteFence): Promise<RefreshOutcome> {
    // stay inside the lock: give up well before it expires (own timer, see deadline.ts)
    const deadline = createDeadline(Math.floor(lockTtlMs * 0.8), stopping.signal)
    try {
      return await fetchAndStoreWithin(member, state, fence, deadline.signal)
    } finally {
      deadline.clear()
    }
  }

  async function fetchAndStoreWithin(member: MemberConfig, state: MemberState | undefined, fence: WriteFence, signal: AbortSignal): Promise<RefreshOutcome> {
    const conditional = state?.manifest ? { ...pick('etag', state.meta.etag), ...pick('lastModified', state.meta.lastModified) } : {}
    const fetchedAt = new Date().toISOString()
    let accepted: { manifest: Manifest; result: Extract<FetchResult, { kind: 'ok' }> } | undefined
    try {
      const result = await withRetries(() =>
        fetchManifest({ url: member.manifest, allowPrivateNetwork: member.allowPrivateNetwork === true, signal, ...conditional },
          member.allowPrivateNetwork ? (agents ??= createAgents(limits)).open : (agents ??= createAgents(limits)).guarded, limits), signal)
      if (result.kind === 'not-modified') {
        // nothing served changes: record the fetch (freshness for the other instances) without a new catalog version
        if (state?.status === 'ok' && state.meta.lastError === undefined && state.meta.errors === undefined) {
          await store.recordFetch(member.id, { fetchedAt })
          return { member: member.id, outcome: 'not-modified', status: 'ok' }
        }
        const version = await store.putStatusFenced(member.id, 'ok', { fetchedAt, lastError: undefined, errors: undefined }, fence)
        return { member: member.id, outcome: 'not-modified', status: 'ok', version }
      }
      accepted = { manifest: parseAndValidate(result.body, member, options.validate), result }
    } catch (error) {
      if (!(error instanceof FetchError || error instanceof InvalidManifest)) throw error
      return recordFailure(member, state, fetchedAt, error, fence)
    }
    const { etag, lastModified } = accepted.result
    const meta = { source: 'remote' as const, fetchedAt, acceptedAt: new Date().toISOString(), ...pick('etag', etag), ...pick('lastModified', lastModified) }
    const version = await store.putManifestFenced(member.id, accepted.manifest, meta, fence)
    log.info({ member: member.id, version }, 'remote manifest accepted')
    return { member: member.id, outcome: 'updated', status: 'ok', version }
  }

  async function recordFailure(member: MemberConfig, state: MemberState | undefined, fetchedAt: string, error: FetchError | InvalidManifest, fence: WriteFence): Promise<RefreshOutcome> {
    const status = state?.manifest ? 'stale' : 'failed'
    const issues = error instanceof InvalidManifest ? error.issues : undefined
    const version = await store.putStatusFenced(member.id, status, { fetchedAt, lastError: error.message, errors: issues }, fence)
    log.warn({ member: member.id, status, lastError: error.message }, 'remote manifest refresh failed')
    return { member: member.id, outcome: 'failed', status, version, lastError: error.message }
  }

  async function withRetries<T>(attempt: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const retries = options.retries ?? 2
    for (let n = 0; ; n++) {
      try {
        return await attempt()
      } catch (error) {
        if (!(error instanceof FetchError) || !error.retryable || n >= retries || signal.aborted) throw error
        // full jitter: instances that failed together do not retry together
        const cap = Math.min(options.backoffMaxMs ?? 8000, (options.backoffBaseMs ?? 500) * 2 ** n)
        await sleep(random() * cap, signal)
      }
    }
  }

  function schedule(member: MemberConfig, delayMs: number): void {
    if (stopping.signal.aborted) return
    const timer = setTimeout(() => {
      void run(member, false).then((result) => {
        // a busy lock may belong to a dead instance: look again once it expired
        const next = result.outcome === 'busy' ? lockTtlMs + random() * 1000 : intervalMs(member) * (0.9 + 0.2 * random())
        schedule(member, next)
      })
    }, delayMs)
    timer.unref()
    timers.set(member.id, timer)
  }

  return {
    async start() {
      const first = [...remote.values()].map((member) =>
        run(member, false).then((result) => {
          schedule(member, result.outcome === 'busy' ? lockTtlMs + random() * 1000 : intervalMs(member) * (0.9 + 0.2 * random()))
        }),
      )
      await Promise.all(first)
    },
    async refreshNow(memberId) {
      const member = remote.get(memberId)
      if (!member) throw new Error(`member ${memberId} has no remote manifest`)
      return run(member, true)
    },
    async stop() {
      stopping.abort()
      for (const timer of timers.values()) clearTimeout(timer)
      timers.clear()
      await Promise.allSettled([...running])
      if (agents) await Promise.all([agents.guarded.close(), agents.open.close()])
    },
  }
}

class InvalidManifest extends Error {
  constructor(message: string, readonly issues?: Issue[]) {
    super(message)
  }
}

function parseAndValidate(body: string, member: MemberConfig, validate: RefresherOptions['validate']): Manifest {
  let doc: unknown
  try {
    doc = JSON.parse(body)
  } catch (error) {
    throw new InvalidManifest(`invalid JSON: ${(error as Error).message}`)
  }
  const result = validate(doc, member)
  if (result.ok) return result.value
  // result.errors is already bounded (manifest/issues.ts); total counts them all
  const total = result.total ?? result.errors.length
  const shown = result.errors.slice(0, Math.min(5, total)).map((e) => `${e.path || '/'} ${e.message}`).join('; ')
  const more = total > 5 ? `; and ${total - 5} more` : ''
  throw new InvalidManifest(cut(`invalid manifest (${total} error(s)): ${shown}${more}`, MAX_LAST_ERROR), boundIssues(result.errors))
}

/** someone fetched it less than 90 % of an interval ago (success or failure) */
function isFresh(state: MemberState | undefined, intervalMs: number): boolean {
  const at = Date.parse(state?.meta.fetchedAt ?? '')
  return Number.isFinite(at) && Date.now() - at < intervalMs * 0.9
}

function pick<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {}
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
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
