// Shared CatalogStore on Redis: many stateless instances, one truth.
// Layout (all under `prefix`, default "dachportal:"):
//   manifest:{id}        last-known-good manifest JSON
//   manifest:{id}:meta   hash: status, rev, etag, fetchedAt, acceptedAt, lastError, ...
//   catalog:version      INCR, monotonic within one epoch
//   catalog:epoch        random id of this store's life: a Redis restarted
//                        empty has none, so every instance notices the reset
//                        (LiveCatalog recovers and starts a new one)
//   catalog:snapshot     hash member -> version of its last change; the merged
//                        catalog itself is derived (pure merge) and not stored,
//                        so instances reload only members whose revision moved
//   lock:{name}          SET NX PX token, released by compare-and-delete
//   authfail:{key}       failed admin authentications (INCR, PEXPIRE on each)
//   session:{id}         an /einblicke session (JSON), PX = its lifetime
//   secret:{name}        a generated secret (SESSION_SECRET unset outside production), SET NX
//   reports              sorted set of "Barriere melden" reports (JSON) scored
//                        by expiry (ms); expired ones dropped on put and list
//   reports:client:{hash} sorted set of the report ids of one client network
//                        (hashed), for its bound; expires with its last report
//   insights:{day}       hash of the day's aggregated counters (src/insights/fields.ts), EXPIRE = retention
//   insights:{day}:salt  the day's random salt for client hashes, deleted after the day
//   insights:{day}:clients:{counter}  HyperLogLog of salted client hashes, deleted with the salt
//   channel {prefix}catalog:changed carries the new version (keyPrefix does not
//   apply to channels). Pub/sub is at-most-once: after every reconnect and on a
//   slow poll the version is compared, so a missed message heals itself.
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import { errors } from '../http/problem.js'
import type { Manifest } from '../manifest/schema.js'
import type { MemberState, MemberStatus } from '../catalog/types.js'
import { type AccessibilityReport, type ReportBounds, type ReportOutcome, type CatalogStore, type MemberMeta, type StoreHealth, type StoredSession } from './types.js'
import { createRedisClient, createSubscriber, type RedisTarget } from './redis-connection.js'
import { decodeMember, encodeMeta, type DecodedMember } from './redis-codec.js'
import { FORGET_FAILURE, PUT_MANIFEST, PUT_MANIFEST_FENCED, PUT_MANIFEST_IF, ADD_DISTINCT, PUT_REPORT, PUT_STATUS, PUT_STATUS_FENCED, RAISE_VERSION, RECORD_FETCH, RECORD_FETCH_FENCED, RELEASE_LOCK, RENEW_EPOCH, RESTORE_MEMBER } from './redis-scripts.js'
import { FencedOut, type WriteFence } from './fence.js'
import { distinctField, distinctKey, insightsKey, saltKey, type DayCounters, type DistinctClients } from './counters.js'

export interface RedisStoreOptions {
  /** a redis:// URL, or a full target (Sentinel, Cluster) */
  target: RedisTarget | string
  prefix?: string
  /** how often the version is polled in case a pub/sub message was missed */
  pollIntervalMs?: number
  commandTimeoutMs?: number
  /** seconds clients are told to wait (Retry-After) while Redis is down */
  retryAfterSeconds?: number
}

type Commands = Redis & {
  dpPutManifest(...args: (string | number)[]): Promise<number>
  dpPutStatus(...args: (string | number)[]): Promise<number>
  dpReleaseLock(key: string, token: string): Promise<number>
  dpPutManifestIf(...args: (string | number)[]): Promise<number>
  dpPutManifestFenced(...args: (string | number)[]): Promise<number>
  dpPutStatusFenced(...args: (string | number)[]): Promise<number>
  dpRenewEpoch(key: string, previous: string, fresh: string): Promise<string>
  dpRaiseVersion(key: string, min: number, channel: string): Promise<number>
  dpRestoreMember(...args: (string | number)[]): Promise<number>
  dpRecordFetch(...args: (string | number)[]): Promise<number>
  dpRecordFetchFenced(...args: (string | number)[]): Promise<number>
  dpForgetFailure(key: string): Promise<number>
  dpPutReport(...args: (string | number)[]): Promise<ReportOutcome>
  dpAddDistinct(...args: (string | number)[]): Promise<number>
}

/** Redis refusing writes for a while (failover, lost replicas, disk full, loading): "down", not a bug. */
const UNAVAILABLE_REPLY = /^(?:NOREPLICAS|READONLY|MISCONF|LOADING|MASTERDOWN|BUSY|TRYAGAIN|CLUSTERDOWN)\b/

export class RedisStore implements CatalogStore {
  readonly kind = 'redis' as const
  readonly prefix: string
  private readonly client: Commands
  private subscriber: Redis | undefined
  private readonly channel: string
  private readonly listeners = new Set<(version: number) => void>()
  private readonly cache = new Map<string, DecodedMember>()
  private readonly pollIntervalMs: number
  private readonly retryAfterSeconds: number
  private pollTimer: NodeJS.Timeout | undefined
  private lastVersion = 0
  /** epoch seen by the last version check; the cache belongs to cacheEpoch */
  private lastEpoch: string | null = null
  private cacheEpoch: string | null = null
  private lastError: string | undefined
  private closed = false

  constructor(options: RedisStoreOptions) {
    this.prefix = options.prefix ?? 'dachportal:'
    this.channel = `${this.prefix}catalog:changed`
    this.pollIntervalMs = options.pollIntervalMs ?? 5000
    this.retryAfterSeconds = options.retryAfterSeconds ?? 5
    const target: RedisTarget = typeof options.target === 'string' ? { kind: 'single', url: options.target } : options.target
    const client = createRedisClient(target, { keyPrefix: this.prefix, commandTimeoutMs: options.commandTimeoutMs ?? 2000 })
    client.defineCommand('dpPutManifest', { numberOfKeys: 4, lua: PUT_MANIFEST })
    client.defineCommand('dpPutStatus', { numberOfKeys: 3, lua: PUT_STATUS })
    client.defineCommand('dpReleaseLock', { numberOfKeys: 1, lua: RELEASE_LOCK })
    // the conditional variant takes one more key (manifest) at the end, the fenced ones two (manifest, lock)
    client.defineCommand('dpPutManifestIf', { numberOfKeys: 5, lua: PUT_MANIFEST_IF })
    client.defineCommand('dpPutManifestFenced', { numberOfKeys: 6, lua: PUT_MANIFEST_FENCED })
    client.defineCommand('dpPutStatusFenced', { numberOfKeys: 5, lua: PUT_STATUS_FENCED })
    client.defineCommand('dpRenewEpoch', { numberOfKeys: 1, lua: RENEW_EPOCH })
    client.defineCommand('dpRaiseVersion', { numberOfKeys: 1, lua: RAISE_VERSION })
    client.defineCommand('dpRestoreMember', { numberOfKeys: 4, lua: RESTORE_MEMBER })
    client.defineCommand('dpRecordFetch', { numberOfKeys: 1, lua: RECORD_FETCH })
    client.defineCommand('dpRecordFetchFenced', { numberOfKeys: 3, lua: RECORD_FETCH_FENCED })
    client.defineCommand('dpForgetFailure', { numberOfKeys: 1, lua: FORGET_FAILURE })
    client.defineCommand('dpPutReport', { numberOfKeys: 2, lua: PUT_REPORT })
    client.defineCommand('dpAddDistinct', { numberOfKeys: 2, lua: ADD_DISTINCT })
    client.on('error', (error: Error) => this.noteError(error))
    client.on('ready', () => {
      this.lastError = undefined
      void this.checkVersion()
    })
    this.client = client as Commands
  }

  async init(): Promise<void> {
    try {
      await this.client.connect()
    } catch (error) {
      // no background reconnects for a store that never started
      this.client.disconnect()
      throw new Error(`cannot connect to Redis: ${this.lastError ?? (error as Error).message}`)
    }
    this.lastEpoch = await this.renewEpoch(undefined)
    this.lastVersion = await this.getVersion()
    const subscriber = createSubscriber(this.client)
    subscriber.on('error', (error: Error) => this.noteError(error))
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.observe(Number(message), false)
    })
    try {
      await subscriber.connect()
      await subscriber.subscribe(this.channel)
    } catch (error) {
      subscriber.disconnect()
      this.client.disconnect()
      throw new Error(`cannot subscribe to Redis: ${(error as Error).message}`)
    }
    this.subscriber = subscriber
    // a write between the version read above and the subscription sent no message we saw
    void this.checkVersion()
    // after a reconnect we subscribe again ourselves (autoResubscribe is off):
    // ioredis' own resubscribe leaves its promise unhandled, and a close during
    // it would crash the process; messages may have been lost, so compare versions
    subscriber.on('ready', () => {
      subscriber.subscribe(this.channel).then(() => this.checkVersion(), (error: Error) => this.noteError(error))
    })
    this.pollTimer = setInterval(() => void this.checkVersion(), this.pollIntervalMs)
    this.pollTimer.unref()
  }

  async listMembers(): Promise<MemberState[]> {
    return this.call(async () => {
      const replies = (await this.client.multi().get('catalog:epoch').hgetall('catalog:snapshot').exec()) ?? []
      for (const [error] of replies) if (error) throw error
      const epoch = (replies[0]?.[1] ?? null) as string | null
      const snapshot = (replies[1]?.[1] ?? {}) as Record<string, string>
      // revisions start over in a new epoch: a cached rev may name other content
      if (epoch !== this.cacheEpoch) {
        this.cache.clear()
        this.cacheEpoch = epoch
      }
      for (const id of this.cache.keys()) if (!(id in snapshot)) this.cache.delete(id)
      const changed = Object.keys(snapshot).filter((id) => this.cache.get(id)?.rev !== snapshot[id])
      if (changed.length > 0) await this.load(changed)
      return [...this.cache.values()].map((entry) => structuredClone(entry.state))
    })
  }

  async getMember(id: string): Promise<MemberState | undefined> {
    return this.call(async () => {
      const [decoded] = await this.read([id])
      return decoded?.state
    })
  }

  async putManifest(id: string, manifest: Manifest, meta: MemberMeta, expected?: string): Promise<number> {
    const { set } = encodeMeta(meta)
    const keys = [`manifest:${id}`, `manifest:${id}:meta`, 'catalog:version', 'catalog:snapshot']
    const args = [id, JSON.stringify(manifest), this.channel, ...set]
    const version = expected === undefined
      ? await this.call(() => this.client.dpPutManifest(...keys, ...args))
      : fenced(await this.call(() => this.client.dpPutManifestIf(...keys, `manifest:${id}`, ...args, expected)))
    this.observeWrite(version)
    return version
  }

  async putStatus(id: string, status: MemberStatus, meta: MemberMeta): Promise<number> {
    const { set, clear } = encodeMeta(meta)
    const version = await this.call(() =>
      this.client.dpPutStatus(
        `manifest:${id}:meta`, 'catalog:version', 'catalog:snapshot',
        id, status, this.channel, clear.length, ...clear, ...set,
      ),
    )
    this.observeWrite(version)
    return version
  }

  async putManifestFenced(id: string, manifest: Manifest, meta: MemberMeta, fence: WriteFence): Promise<number> {
    const { set } = encodeMeta(meta)
    const version = fenced(await this.call(() =>
      this.client.dpPutManifestFenced(
        `manifest:${id}`, `manifest:${id}:meta`, 'catalog:version', 'catalog:snapshot', `manifest:${id}`, `lock:${fence.lock}`,
        id, JSON.stringify(manifest), this.channel, ...set, fence.basis, fence.token,
      ),
    ))
    this.observe(version, false)
    return version
  }

  async putStatusFenced(id: string, status: MemberStatus, meta: MemberMeta, fence: WriteFence): Promise<number> {
    const { set, clear } = encodeMeta(meta)
    const version = fenced(await this.call(() =>
      this.client.dpPutStatusFenced(
        `manifest:${id}:meta`, 'catalog:version', 'catalog:snapshot', `manifest:${id}`, `lock:${fence.lock}`,
        id, status, this.channel, clear.length, ...clear, ...set, fence.basis, fence.token,
      ),
    ))
    this.observe(version, false)
    return version
  }

  // authfail:{key}: a counter whose expiry restarts with every failure
  async countFailure(key: string, windowMs: number): Promise<number> {
    return this.call(async () => {
      const replies = await this.client.multi().incr(`authfail:${key}`).pexpire(`authfail:${key}`, windowMs).exec()
      const [error, count] = replies?.[0] ?? []
      if (error) throw error
      return Number(count)
    })
  }

  async failureCount(key: string): Promise<number> {
    return this.call(async () => Number((await this.client.get(`authfail:${key}`)) ?? 0))
  }

  async forgetFailure(key: string): Promise<void> {
    await this.call(() => this.client.dpForgetFailure(`authfail:${key}`))
  }

  async putSession(id: string, session: StoredSession): Promise<void> {
    const ttlMs = Math.max(1, Math.ceil(session.expiresAt - Date.now()))
    await this.call(() => this.client.set(`session:${id}`, JSON.stringify(session), 'PX', ttlMs))
  }

  async getSession(id: string): Promise<StoredSession | undefined> {
    const raw = await this.call(() => this.client.get(`session:${id}`))
    if (raw === null) return undefined
    const session = JSON.parse(raw) as StoredSession
    return session.expiresAt > Date.now() ? session : undefined
  }

  async deleteSession(id: string): Promise<void> {
    await this.call(() => this.client.del(`session:${id}`))
  }

  async sharedSecret(name: string, candidate: string): Promise<string> {
    // SET NX: the first instance's candidate wins; everyone reads that one
    return this.call(async () => {
      await this.client.set(`secret:${name}`, candidate, 'NX')
      const stored = await this.client.get(`secret:${name}`)
      if (stored === null) throw new Error(`secret ${name} vanished right after SET NX`)
      return stored
    })
  }

  async addCounts(day: string, counts: ReadonlyMap<string, number>, ttlSeconds: number, distinct?: DistinctClients): Promise<void> {
    if (counts.size === 0) return
    await this.call(async () => {
      // one round trip; the key prefix carries the Cluster hash tag, so it is one slot
      const pipeline = this.client.pipeline()
      for (const [name, n] of counts) pipeline.hincrby(insightsKey(day), name, n)
      // a HyperLogLog per counter, kept only while the day's salt lives; its count goes into the day's hash
      for (const [name, hashes] of distinct?.clients ?? []) {
        if (hashes.length > 0) (pipeline as unknown as Commands).dpAddDistinct(insightsKey(day), distinctKey(day, name), distinctField(name), distinct!.keepSeconds, ...hashes)
      }
      pipeline.expire(insightsKey(day), ttlSeconds)
      const replies = await pipeline.exec()
      const failed = replies?.find(([error]) => error)
      if (failed) throw failed[0]
    })
  }

  async daySalt(day: string, ttlSeconds: number): Promise<string> {
    return this.call(async () => {
      // the first instance sets it; every other one reads the same
      await this.client.set(saltKey(day), randomUUID(), 'EX', Math.max(1, ttlSeconds), 'NX')
      return (await this.client.get(saltKey(day))) ?? ''
    })
  }

  async readCounts(days: readonly string[]): Promise<DayCounters[]> {
    if (days.length === 0) return []
    return this.call(async () => {
      const pipeline = this.client.pipeline()
      for (const day of days) pipeline.hgetall(insightsKey(day))
      const replies = (await pipeline.exec()) ?? []
      const out: DayCounters[] = []
      replies.forEach(([error, value], i) => {
        if (error) throw error
        const hash = value as Record<string, string>
        if (Object.keys(hash).length === 0) return
        out.push({ day: days[i]!, counts: Object.fromEntries(Object.entries(hash).map(([k, v]) => [k, Number(v)])) })
      })
      return out
    })
  }

  async getVersion(): Promise<number> {
    return this.call(async () => Number((await this.client.get('catalog:version')) ?? 0))
  }

  async getEpoch(): Promise<string | null> {
    return this.call(() => this.client.get('catalog:epoch'))
  }

  async renewEpoch(previous: string | undefined): Promise<string> {
    return this.call(() => this.client.dpRenewEpoch('catalog:epoch', previous ?? '', randomUUID()))
  }

  async raiseVersion(min: number): Promise<number> {
    const version = Number(await this.call(() => this.client.dpRaiseVersion('catalog:version', min, this.channel)))
    this.observe(version, false)
    return version
  }

  async restoreMember(state: MemberState, overFileSha256?: string): Promise<number | null> {
    if (!state.manifest) return null
    const { set } = encodeMeta(state.meta)
    const manifest = state.manifest
    const version = await this.call(() =>
      this.client.dpRestoreMember(
        `manifest:${state.id}`, `manifest:${state.id}:meta`, 'catalog:version', 'catalog:snapshot',
        state.id, JSON.stringify(manifest), this.channel, state.status, overFileSha256 === undefined ? '' : JSON.stringify(overFileSha256), ...set,
      ),
    )
    if (version === 0) return null
    this.observeWrite(version)
    return version
  }

  async recordFetch(id: string, meta: MemberMeta, fence?: WriteFence): Promise<void> {
    const { set, clear } = encodeMeta(meta)
    if (fence === undefined) {
      await this.call(() => this.client.dpRecordFetch(`manifest:${id}:meta`, clear.length, ...clear, ...set))
      return
    }
    fenced(await this.call(() => this.client.dpRecordFetchFenced(
      `manifest:${id}:meta`, `manifest:${id}`, `lock:${fence.lock}`, clear.length, ...clear, ...set, fence.basis, fence.token,
    )))
  }

  onChange(listener: (version: number) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async acquireLock(name: string, ttlMs: number): Promise<string | null> {
    const token = randomUUID()
    const result = await this.call(() => this.client.set(`lock:${name}`, token, 'PX', ttlMs, 'NX'))
    return result === 'OK' ? token : null
  }

  async releaseLock(name: string, token: string): Promise<boolean> {
    return (await this.call(() => this.client.dpReleaseLock(`lock:${name}`, token))) === 1
  }

  // Reports: one sorted set scored by expiry time, so dropping the expired
  // ones is a single range delete; beside it one per client network (report
  // ids only) for its bound, checked in the same script as the write.
  async putReport(report: AccessibilityReport, bounds: ReportBounds): Promise<ReportOutcome> {
    const expires = Date.parse(report.expiresAt)
    return this.call(() => this.client.dpPutReport('reports', `reports:client:${bounds.client}`,
      Date.now(), expires, JSON.stringify(report), report.id, bounds.perClient, bounds.total))
  }

  async listReports(): Promise<AccessibilityReport[]> {
    const raw = await this.call(() => this.client.zrangebyscore('reports', `(${Date.now()}`, '+inf'))
    return raw.map((entry) => JSON.parse(entry) as AccessibilityReport)
      .sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : 0))
  }

  health(): StoreHealth {
    if (this.client.status === 'ready') return { ok: true }
    return { ok: false, reason: `redis: ${this.lastError ?? this.client.status}` }
  }

  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.pollTimer)
    this.listeners.clear()
    // the subscriber has no command timeout: a QUIT to an unresponsive Redis would wait forever
    this.subscriber?.disconnect()
    if (this.client.status === 'ready') await this.client.quit().catch(() => this.client.disconnect())
    else this.client.disconnect()
  }

  /** fetch members in one transaction so manifest, meta and rev agree */
  private async read(ids: string[]): Promise<(DecodedMember | undefined)[]> {
    const transaction = this.client.multi()
    for (const id of ids) transaction.get(`manifest:${id}`).hgetall(`manifest:${id}:meta`)
    const replies = (await transaction.exec()) ?? []
    return ids.map((id, i) => {
      const [manifestError, manifestJson] = replies[2 * i] ?? []
      const [metaError, meta] = replies[2 * i + 1] ?? []
      if (manifestError || metaError) throw manifestError ?? metaError
      return decodeMember(id, manifestJson as string | null, meta as Record<string, string>)
    })
  }

  private async load(ids: string[]): Promise<void> {
    const decoded = await this.read(ids)
    ids.forEach((id, i) => {
      const entry = decoded[i]
      if (entry) this.cache.set(id, entry)
      else this.cache.delete(id)
    })
  }

  /** Redis reply errors are bugs and pass through; everything else means "down". */
  private async call<T>(operation: () => Promise<T>): Promise<T> {
    if (this.client.status !== 'ready') throw this.unavailable(this.lastError ?? this.client.status)
    try {
      return await operation()
    } catch (error) {
      if (error instanceof Error && error.name === 'ReplyError' && !UNAVAILABLE_REPLY.test(error.message)) throw error
      throw this.unavailable(error instanceof Error ? error.message : String(error))
    }
  }

  private unavailable(reason: string): Error {
    const retryAfter = this.retryAfterSeconds
    // `headers` is applied by the problem handler (src/routes/problem.ts)
    return Object.assign(new errors.STORE_UNAVAILABLE(`redis: ${reason}`), { retryAfter, headers: { 'retry-after': String(retryAfter) } })
  }

  private noteError(error: Error): void {
    this.lastError = error.message || error.name
  }

  private async checkVersion(): Promise<void> {
    if (this.closed || this.client.status !== 'ready') return
    try {
      const [epoch, version] = await this.call(() => this.client.mget('catalog:epoch', 'catalog:version'))
      if (epoch !== this.lastEpoch) {
        // another life of the store: announce even an unchanged version number
        this.lastEpoch = epoch ?? null
        this.lastVersion = -1
      }
      this.observe(Number(version ?? 0), true)
    } catch {
      // still down: the next reconnect or poll tries again
    }
  }

  /** Our own write: INCR never repeats a version seen in the same epoch, so a lower one means a reset. */
  private observeWrite(version: number): void {
    if (version <= this.lastVersion) void this.checkVersion()
    else this.observe(version, false)
  }

  /**
   * Messages only move forward (they may arrive out of order); a version read
   * from Redis is the truth, even when lower (a Redis that lost its data).
   */
  private observe(version: number, authoritative: boolean): void {
    if (!Number.isSafeInteger(version)) return
    if (authoritative ? version === this.lastVersion : version <= this.lastVersion) return
    // a Redis that lost its data reuses revisions: drop what was cached
    if (version < this.lastVersion) this.cache.clear()
    this.lastVersion = version
    for (const listener of this.listeners) {
      try {
        listener(version)
      } catch {
        // one failing listener must not starve the others
      }
    }
  }
}

/** the conditional and fenced scripts answer -1 / -2 instead of a version when they wrote nothing */
function fenced(result: number): number {
  if (result === -1) throw new FencedOut('lock-lost')
  if (result === -2) throw new FencedOut('manifest-changed')
  return result
}
