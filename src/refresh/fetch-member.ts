// One refresh of one remote member: take the store lock `refresh:{id}`, skip
// when someone fetched it moments ago, fetch (with retries inside the lock's
// time), validate and store, every write fenced. A failed fetch never
// replaces the live manifest (stale-if-error): the member turns `stale`, or
// `failed` when nothing was ever loaded, with a readable lastError.
// An XZuFi feed is streamed through the importer (import/xzufi-import.ts);
// the member's bundled file, if any, adds its links and sources.
// Scheduling lives in refresher.ts.
import { createHash } from 'node:crypto'
import { dirname, resolve } from 'node:path'
import type { MemberConfig } from '../config/region-schema.js'
import type { RegionData } from '../config/load.js'
import { bundledManifestPath, refreshedSource } from '../config/member-source.js'
import { LIMITS, type Manifest, type ManifestV2 } from '../manifest/schema.js'
import { parseJson, readManifestSource } from '../manifest/load.js'
import type { ImportSummary, MemberState } from '../catalog/types.js'
import type { CatalogStore } from '../store/types.js'
import { XmlRejected } from '../import/xml-reader.js'
import { mapAndValidate, mapContextFor, readXzufi } from '../import/xzufi-import.js'
import { summarizeImport } from './import-summary.js'
import { createAgents, DEFAULT_LIMITS, fetchManifest, fetchStream, FetchError, type FetchLimits, type FetchRequest } from './fetch-manifest.js'
import type { RefreshOutcome } from './types.js'
import { createDeadline } from './deadline.js'
import { FencedOut, manifestFingerprint, type WriteFence } from '../store/fence.js'
import { boundIssues, cut, MAX_LAST_ERROR } from '../manifest/issues.js'
import type { Issue } from '../http/problem.js'
import type { Dispatcher } from 'undici'

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
  /** region facts the XZuFi mapping needs (catalog, Lebenslagen, other members); without them a feed fails */
  region?: Pick<RegionData, 'region' | 'serviceCatalog' | 'lifeSituations' | 'regionPath'>
}

/** a fetched document that validated, with what its meta records */
interface Accepted {
  manifest: Manifest
  etag?: string
  lastModified?: string
  meta: Pick<MemberState['meta'], 'importReport' | 'feedSha256' | 'fileSha256'>
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
    const source = refreshedSource(member)
    if (source === undefined) return { member: member.id, outcome: 'failed', lastError: 'neither a manifest URL nor an XZuFi feed is configured' }
    const conditional = state?.manifest ? { ...pick('etag', state.meta.etag), ...pick('lastModified', state.meta.lastModified) } : {}
    const fetchedAt = new Date().toISOString()
    const fetchedFrom = source.url
    let accepted: Accepted
    try {
      agents ??= createAgents(limits)
      const dispatcher = member.allowPrivateNetwork ? agents.open : agents.guarded
      const req: FetchRequest = { url: source.url, allowPrivateNetwork: member.allowPrivateNetwork === true, signal, ...conditional }
      const result = await withRetries(() => source.kind === 'xzufi' ? fetchFeed(req, dispatcher, member, state) : fetchOne(req, dispatcher, member), signal)
      if (result === 'not-modified') return await unchanged(member, state, { fetchedAt, fetchedFrom }, fence)
      accepted = result
    } catch (error) {
      if (!(error instanceof FetchError || error instanceof InvalidManifest)) throw error
      // shutting down (SIGTERM) is no failure of the member: the next instance to look fetches it
      if (options.stopped.aborted) return { member: member.id, outcome: 'failed', lastError: 'stopped: the gateway is shutting down; nothing stored' }
      return recordFailure(member, state, { fetchedAt, fetchedFrom }, error, fence)
    }
    const { etag, lastModified } = accepted
    const fetched = { fetchedAt, fetchedFrom, etag, lastModified, ...accepted.meta }
    // the same manifest again (a server without ETag/Last-Modified): as a 304, keeping the new validators;
    // an import is stamped with its time, so there the content counts, not the stamps
    const same = source.kind === 'xzufi' ? sameContent(accepted.manifest, state?.manifest) : manifestFingerprint(accepted.manifest) === fence.basis
    if (same) return unchanged(member, state, fetched, fence)
    const meta = { source: source.kind === 'xzufi' ? 'xzufi' as const : 'remote' as const, fetchedAt, fetchedFrom, acceptedAt: new Date().toISOString(), ...pick('etag', etag), ...pick('lastModified', lastModified), ...defined(accepted.meta) }
    const version = await store.putManifestFenced(member.id, accepted.manifest, meta, fence)
    log.info({ member: member.id, version, ...(accepted.meta.importReport ? { services: accepted.meta.importReport.mapped.services } : {}) }, source.kind === 'xzufi' ? 'xzufi feed imported' : 'remote manifest accepted')
    return { member: member.id, outcome: 'updated', status: 'ok', version }
  }

  async function fetchOne(req: FetchRequest, dispatcher: Dispatcher, member: MemberConfig): Promise<Accepted | 'not-modified'> {
    const result = await fetchManifest(req, dispatcher, limits)
    if (result.kind === 'not-modified') return 'not-modified'
    return { manifest: parseAndValidate(result.body, member, options.validate), ...pick('etag', result.etag), ...pick('lastModified', result.lastModified), meta: {} }
  }

  /** the feed streamed through the XZuFi reader, mapped with the bundled file's links and sources, validated */
  async function fetchFeed(req: FetchRequest, dispatcher: Dispatcher, member: MemberConfig, state: MemberState | undefined): Promise<Accepted | 'not-modified'> {
    const region = options.region
    if (region === undefined) throw new InvalidManifest('XZuFi feed: the refresher has no region data to map it with')
    const read = await fetchStream({ ...req, accept: 'application/xml, text/xml;q=0.9' }, dispatcher, limits, (chunks) =>
      readXzufi(chunks, { maxBytes: limits.maxFeedBytes }).catch((error: unknown) => {
        if (!(error instanceof XmlRejected)) throw error
        throw new InvalidManifest(error.code === 'size' ? `response larger than ${limits.maxFeedBytes} bytes` : `XZuFi rejected (${error.code}): ${error.message}`)
      }))
    if (read.kind === 'not-modified') return 'not-modified'
    const base = await bundledBase(member, region)
    const links = base?.links ?? state?.manifest?.links
    const context = mapContextFor(region, member, links, read.value.version, new Date())
    const result = mapAndValidate(read.value.records, context, (doc) => options.validate(withBase(doc as ManifestV2, base), member))
    const importReport = summarizeImport(result.report)
    if (!result.ok || !result.value) throw invalidManifest('invalid manifest from the XZuFi import', result.errors, result.total, importReport)
    return {
      manifest: result.value,
      ...pick('etag', read.etag),
      ...pick('lastModified', read.lastModified),
      meta: { importReport, feedSha256: read.sha256, ...(base ? { fileSha256: base.sha256 } : {}) },
    }
  }

  /** the member's bundled file beside the feed, when it is valid: what XZuFi lacks */
  async function bundledBase(member: MemberConfig, region: { regionPath: string }): Promise<Base | undefined> {
    const path = bundledManifestPath(member)
    if (path === undefined) return undefined
    const text = await readManifestSource(resolve(dirname(region.regionPath), path))
    const parsed = text.ok ? parseJson(text.value) : text
    const valid = parsed.ok ? options.validate(parsed.value, member) : undefined
    if (!text.ok || !valid?.ok) {
      log.warn({ member: member.id }, 'bundled manifest beside the XZuFi feed is unusable: imported without its links and sources')
      return undefined
    }
    return { links: valid.value.links, sources: valid.value.sources, sha256: createHash('sha256').update(text.value).digest('hex') }
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
    // a feed that was read and mapped: its report says what went wrong beside the errors
    if (error instanceof InvalidManifest && error.report) fetch.importReport = error.report
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
  constructor(message: string, readonly issues?: Issue[], readonly report?: ImportSummary) {
    super(message)
  }
}

interface Base {
  links: Manifest['links']
  sources: Manifest['sources']
  sha256: string
}

/** the bundled file's sources first (they describe the member), then the import's own */
function withBase(doc: ManifestV2, base: Base | undefined): ManifestV2 {
  if (!base || typeof doc !== 'object' || doc === null) return doc
  return { ...doc, links: base.links, sources: [...base.sources, ...(Array.isArray(doc.sources) ? doc.sources : [])].slice(0, LIMITS.sources) }
}

/** equal but for the updatedAt stamps an import sets to its own time */
function sameContent(a: Manifest, b: Manifest | undefined): boolean {
  const unstamped = (m: Manifest) => JSON.stringify(m, (key, value: unknown) => key === 'updatedAt' ? undefined : value)
  return b !== undefined && unstamped(a) === unstamped(b)
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

function invalidManifest(prefix: string, errors: Issue[], total: number | undefined, report?: ImportSummary): InvalidManifest {
  // errors is already bounded (manifest/issues.ts); total counts them all
  const count = total ?? errors.length
  const shown = errors.slice(0, Math.min(5, count)).map((e) => `${e.path || '/'} ${e.message}`).join('; ')
  const more = count > 5 ? `; and ${count - 5} more` : ''
  return new InvalidManifest(cut(`${prefix} (${count} error(s)): ${shown}${more}`, MAX_LAST_ERROR), boundIssues(errors), report)
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
  throw invalidManifest('invalid manifest', result.errors, result.total)
}

/** the stored fetch was from another manifest URL (fetches recorded before fetchedFrom existed count as this one) */
function movedFrom(state: MemberState, member: MemberConfig): boolean {
  return state.meta.fetchedFrom !== undefined && state.meta.fetchedFrom !== refreshedSource(member)?.url
}

function withoutFetch(meta: MemberState['meta']): MemberState['meta'] {
  const { etag: _etag, lastModified: _lastModified, fetchedAt: _fetchedAt, fetchedFrom: _fetchedFrom, ...rest } = meta
  return rest
}

/**
 * someone fetched it less than 90 % of an interval ago (success or failure);
 * a bundled file just seeded beside a feed is never fresh: the feed is due
 */
function isFresh(state: MemberState | undefined, intervalMs: number): boolean {
  if (state?.meta.source === 'file') return false
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
