// One refresh of one remote member: take the store lock `refresh:{id}`, skip
// when someone fetched it moments ago, fetch (with retries inside the lock's
// time), validate and store, every write fenced. A failed fetch never
// replaces the live manifest (stale-if-error): the member turns `stale`, or
// `failed` when nothing was ever loaded, with a readable lastError.
// Scheduling lives in refresher.ts.
import type { MemberConfig } from '../config/region-schema.js'
import type { Manifest } from '../manifest/schema.js'
import type { MemberState } from '../catalog/types.js'
import type { CatalogStore } from '../store/types.js'
import { createAgents, DEFAULT_LIMITS, fetchManifest, FetchError, type FetchLimits, type FetchResult } from './fetch-manifest.js'
import type { RefreshOutcome } from './types.js'
import { createDeadline } from './deadline.js'
import { FencedOut, manifestFingerprint, type WriteFence } from '../store/fence.js'
import { boundIssues, cut, MAX_LAST_ERROR } from '../manifest/issues.js'
import type { Issue } from '../http/problem.js'

type Log = (obj: object, msg: string) => void

export type ValidateManifest = (doc: unknown, member: MemberConfig) => { ok: true; value: Manifest } | { ok: false; errors: Issue[]; total?: number }

export interface FetchMemberOptions {
  store: CatalogStore
  validate: ValidateManifest
  log: { info: Log; warn: Log }
  /** the lock outlives one whole refresh (all attempts) */
  lockTtlMs: number
  /** how often a member is fetched: decides whether it is still fresh */
  intervalMs: (member: MemberConfig) => number
  /** aborted when the refresher stops: retries and fetches give up */
  stopped: AbortSignal
  random: () => number
  /** attempts after the first one, for retryable failures */
  retries?: number
  backoffBaseMs?: number
  backoffMaxMs?: number
  limits?: Partial<FetchLimits>
}

export interface MemberFetcher {
  /** one refresh; `force` ignores freshness (still one instance at a time) */
  refresh(member: MemberConfig, force: boolean): Promise<RefreshOutcome>
  /** closes the HTTP agents (after the last refresh finished) */
  close(): Promise<void>
}

export function createMemberFetcher(options: FetchMemberOptions): MemberFetcher {
  const { store, log, lockTtlMs } = options
  const limits: FetchLimits = { ...DEFAULT_LIMITS, ...options.limits }
  // undici's agents are made at the first fetch: regions without remote manifests never load undici
  let agents: ReturnType<typeof createAgents> | undefined

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
      const stored = await store.getMember(member.id)
      // fetched from another URL (region.json changed since): its validators and fetch time say nothing about this one
      const state = stored && movedFrom(stored, member) ? { ...stored, meta: withoutFetch(stored.meta) } : stored
      if (!force && isFresh(state, options.intervalMs(member))) return { member: member.id, outcome: 'fresh', status: state!.status }
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
    const deadline = createDeadline(Math.floor(lockTtlMs * 0.8), options.stopped)
    try {
      return await fetchAndStoreWithin(member, state, fence, deadline.signal)
    } finally {
      deadline.clear()
    }
  }

  async function fetchAndStoreWithin(member: MemberConfig, state: MemberState | undefined, fence: WriteFence, signal: AbortSignal): Promise<RefreshOutcome> {
    const conditional = state?.manifest ? { ...pick('etag', state.meta.etag), ...pick('lastModified', state.meta.lastModified) } : {}
    const fetchedAt = new Date().toISOString()
    const fetchedFrom = member.manifest
    let accepted: { manifest: Manifest; result: Extract<FetchResult, { kind: 'ok' }> } | undefined
    try {
      const result = await withRetries(() =>
        fetchManifest({ url: member.manifest, allowPrivateNetwork: member.allowPrivateNetwork === true, signal, ...conditional },
          member.allowPrivateNetwork ? (agents ??= createAgents(limits)).open : (agents ??= createAgents(limits)).guarded, limits), signal)
      if (result.kind === 'not-modified') return await unchanged(member, state, { fetchedAt, fetchedFrom }, fence)
      accepted = { manifest: parseAndValidate(result.body, member, options.validate), result }
    } catch (error) {
      if (!(error instanceof FetchError || error instanceof InvalidManifest)) throw error
      // shutting down (SIGTERM) is no failure of the member: the next instance to look fetches it
      if (options.stopped.aborted) return { member: member.id, outcome: 'failed', lastError: 'stopped: the gateway is shutting down; nothing stored' }
      return recordFailure(member, state, { fetchedAt, fetchedFrom }, error, fence)
    }
    const { etag, lastModified } = accepted.result
    // the same manifest again (a server without ETag/Last-Modified): as a 304, keeping the new validators
    if (manifestFingerprint(accepted.manifest) === fence.basis) return unchanged(member, state, { fetchedAt, fetchedFrom, etag, lastModified }, fence)
    const meta = { source: 'remote' as const, fetchedAt, fetchedFrom, acceptedAt: new Date().toISOString(), ...pick('etag', etag), ...pick('lastModified', lastModified) }
    const version = await store.putManifestFenced(member.id, accepted.manifest, meta, fence)
    log.info({ member: member.id, version }, 'remote manifest accepted')
    return { member: member.id, outcome: 'updated', status: 'ok', version }
  }

  /** nothing served changes: record the fetch (freshness for the other instances) without a new catalog version */
  async function unchanged(member: MemberConfig, state: MemberState | undefined, meta: MemberState['meta'], fence: WriteFence): Promise<RefreshOutcome> {
    if (state?.status === 'ok' && state.meta.lastError === undefined && state.meta.errors === undefined) {
      await store.recordFetch(member.id, meta, fence)
      return { member: member.id, outcome: 'not-modified', status: 'ok' }
    }
    const version = await store.putStatusFenced(member.id, 'ok', { ...meta, lastError: undefined, errors: undefined }, fence)
    return { member: member.id, outcome: 'not-modified', status: 'ok', version }
  }

  async function recordFailure(member: MemberConfig, state: MemberState | undefined, fetch: MemberState['meta'], error: FetchError | InvalidManifest, fence: WriteFence): Promise<RefreshOutcome> {
    const status = state?.manifest ? 'stale' : 'failed'
    const issues = error instanceof InvalidManifest ? error.issues : undefined
    // the validators stay those of the live manifest (dropped when it came from another URL)
    fetch = { ...fetch, etag: state?.meta.etag, lastModified: state?.meta.lastModified }
    // failing as before (a server down for days): nothing served changes, only the fetch is recorded
    if (state?.status === status && state.meta.lastError === error.message && JSON.stringify(state.meta.errors) === JSON.stringify(issues)) {
      await store.recordFetch(member.id, fetch, fence)
      log.warn({ member: member.id, status, lastError: error.message }, 'remote manifest refresh failed')
      return { member: member.id, outcome: 'failed', status, lastError: error.message }
    }
    const version = await store.putStatusFenced(member.id, status, { ...fetch, lastError: error.message, errors: issues }, fence)
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
        await sleep(options.random() * cap, signal)
      }
    }
  }

  return {
    refresh,
    async close() {
      if (agents) await Promise.all([agents.guarded.close(), agents.open.close()])
    },
  }
}

class InvalidManifest extends Error {
  constructor(message: string, readonly issues?: Issue[]) {
    super(message)
  }
}

function parseAndValidate(body: string, member: MemberConfig, validate: ValidateManifest): Manifest {
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

/** the stored fetch was from another manifest URL (fetches recorded before fetchedFrom existed count as this one) */
function movedFrom(state: MemberState, member: MemberConfig): boolean {
  return state.meta.fetchedFrom !== undefined && state.meta.fetchedFrom !== member.manifest
}

function withoutFetch(meta: MemberState['meta']): MemberState['meta'] {
  const { etag: _etag, lastModified: _lastModified, fetchedAt: _fetchedAt, fetchedFrom: _fetchedFrom, ...rest } = meta
  return rest
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
