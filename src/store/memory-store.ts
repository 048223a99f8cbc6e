// Embedded CatalogStore: one process, state in memory, accepted manifests
// persisted under dataDir with write-and-rename so a registration survives a
// restart and a crash never leaves a half-written file.
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import type { Manifest } from '../manifest/schema.js'
import type { MemberState, MemberStatus } from '../catalog/types.js'
import { type AccessibilityReport, type ReportBounds, type ReportOutcome, type CatalogStore, type MemberMeta, type StoreHealth, type StoredSession } from './types.js'
import { FencedOut, manifestFingerprint, type WriteFence } from './fence.js'
import { distinctField, type DayCounters, type DistinctClients } from './counters.js'

export interface MemoryStoreOptions {
  /** where to persist; omit for a purely in-memory store (tests) */
  dataDir?: string
}

async function writeFileAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`
  await writeFile(tmp, data, { mode: 0o640 })
  await rename(tmp, path)
}

export class MemoryStore implements CatalogStore {
  readonly kind = 'memory' as const
  private readonly members = new Map<string, MemberState>()
  private readonly listeners = new Set<(version: number) => void>()
  private readonly locks = new Map<string, { token: string; expires: number }>()
  private version = 0
  private writeTail: Promise<unknown> = Promise.resolve()
  // keys are member ids (unknown members are refused before counting): bounded
  private readonly failures = new Map<string, { count: number; expires: number }>()
  /** one process holds the whole store: its life is the process's (DATA_DIR is read once, at init) */
  private readonly epoch = randomUUID()
  private readonly counters = new Map<string, { counts: Map<string, number>; expires: number }>()
  // the day's salt and the salted client hashes per counter, gone with the salt
  private readonly salts = new Map<string, { salt: string; expires: number }>()
  private readonly distinct = new Map<string, { sets: Map<string, Set<string>>; expires: number }>()
  private readonly dataDir: string | undefined
  private reports: StoredReport[] = []
  // Sessions and their generated secret live in memory only: one process
  // serves them all, and a restart ends the sessions either way, so a secret
  // written to DATA_DIR would be one more file to protect for nothing.
  private readonly sessions = new Map<string, StoredSession>()
  private readonly secrets = new Map<string, string>()

  constructor(options: MemoryStoreOptions = {}) {
    this.dataDir = options.dataDir
  }

  async init(): Promise<void> {
    if (this.dataDir === undefined) return
    await mkdir(join(this.dataDir, 'members'), { recursive: true })
    this.version = await readVersion(this.dataDir)
    this.reports = await readReports(this.dataDir)
    for (const file of await readdir(join(this.dataDir, 'members'))) {
      if (!file.endsWith('.json')) continue
      try {
        const state = JSON.parse(await readFile(join(this.dataDir, 'members', file), 'utf8')) as MemberState
        if (typeof state.id === 'string' && state.manifest) this.members.set(state.id, state)
      } catch {
        // a damaged file is ignored: the bundled manifest takes over for that member
      }
    }
  }

  async listMembers(): Promise<MemberState[]> {
    return [...this.members.values()].map(clone)
  }

  async getMember(id: string): Promise<MemberState | undefined> {
    const state = this.members.get(id)
    return state && clone(state)
  }

  // Every member write runs in one chain (`serial`), so two never interleave:
  // a write that reads the member (putStatus, recordFetch, restoreMember) and
  // then awaits the file could otherwise put back what another write just
  // replaced. Conditions (If-Match, a refresh's fence) are checked in the
  // chain, right before the write, as the one Lua script does on Redis.
  async putManifest(id: string, manifest: Manifest, meta: MemberMeta, expected?: string): Promise<number> {
    return this.serial(() => {
      if (expected !== undefined) this.checkBasis(id, expected)
      return this.writeManifest(id, manifest, meta)
    })
  }

  async putStatus(id: string, status: MemberStatus, meta: MemberMeta): Promise<number> {
    return this.serial(() => this.writeStatus(id, status, meta))
  }

  async putManifestFenced(id: string, manifest: Manifest, meta: MemberMeta, fence: WriteFence): Promise<number> {
    return this.serial(() => {
      this.checkFence(id, fence)
      return this.writeManifest(id, manifest, meta)
    })
  }

  async putStatusFenced(id: string, status: MemberStatus, meta: MemberMeta, fence: WriteFence): Promise<number> {
    return this.serial(() => {
      this.checkFence(id, fence)
      return this.writeStatus(id, status, meta)
    })
  }

  private async writeManifest(id: string, manifest: Manifest, meta: MemberMeta): Promise<number> {
    const state: MemberState = { id, status: 'ok', manifest, meta: { ...meta } }
    await this.persist(state)
    this.members.set(id, state)
    return this.bump()
  }

  private async writeStatus(id: string, status: MemberStatus, meta: MemberMeta): Promise<number> {
    const previous = this.members.get(id)
    const state: MemberState = { id, status, meta: { ...previous?.meta, ...meta } }
    if (previous?.manifest) state.manifest = previous.manifest
    if (state.manifest) await this.persist(state)
    this.members.set(id, state)
    return this.bump()
  }

  private checkFence(id: string, fence: WriteFence): void {
    const held = this.locks.get(fence.lock)
    if (!held || held.token !== fence.token || held.expires <= Date.now()) throw new FencedOut('lock-lost')
    this.checkBasis(id, fence.basis)
  }

  private checkBasis(id: string, basis: string): void {
    if (manifestFingerprint(this.members.get(id)?.manifest) !== basis) throw new FencedOut('manifest-changed')
  }

  private serial<T>(write: () => Promise<T>): Promise<T> {
    const run = this.writeTail.then(write)
    this.writeTail = run.catch(() => {})
    return run
  }

  async countFailure(key: string, windowMs: number): Promise<number> {
    // read and write in one step: concurrent failures must not lose a count
    const count = this.liveFailures(key) + 1
    this.failures.set(key, { count, expires: Date.now() + windowMs })
    return count
  }

  async failureCount(key: string): Promise<number> {
    return this.liveFailures(key)
  }

  async forgetFailure(key: string): Promise<void> {
    const entry = this.failures.get(key)
    const count = this.liveFailures(key)
    if (entry === undefined || count === 0) return
    if (count <= 1) this.failures.delete(key)
    else entry.count = count - 1
  }

  async putSession(id: string, session: StoredSession): Promise<void> {
    this.dropExpiredSessions()
    this.sessions.set(id, { ...session })
  }

  async getSession(id: string): Promise<StoredSession | undefined> {
    const session = this.sessions.get(id)
    if (session === undefined) return undefined
    if (session.expiresAt > Date.now()) return { ...session }
    this.sessions.delete(id)
    return undefined
  }

  async deleteSession(id: string): Promise<void> {
    this.sessions.delete(id)
  }

  async sharedSecret(name: string, candidate: string): Promise<string> {
    const existing = this.secrets.get(name)
    if (existing !== undefined) return existing
    this.secrets.set(name, candidate)
    return candidate
  }

  /** sessions only come from a right token, so there are few; dropped on the next login */
  private dropExpiredSessions(): void {
    const now = Date.now()
    for (const [id, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(id)
  }

  // Insights counters stay in memory (not in DATA_DIR): a restart of the
  // embedded store forgets them, which the README says.
  async addCounts(day: string, counts: ReadonlyMap<string, number>, ttlSeconds: number, distinct?: DistinctClients): Promise<void> {
    const entry = this.counters.get(day) ?? { counts: new Map<string, number>(), expires: 0 }
    for (const [name, n] of counts) entry.counts.set(name, (entry.counts.get(name) ?? 0) + n)
    if (distinct !== undefined && distinct.clients.size > 0) {
      const now = Date.now()
      let held = this.distinct.get(day)
      if (held === undefined || held.expires <= now) this.distinct.set(day, held = { sets: new Map(), expires: 0 })
      held.expires = now + distinct.keepSeconds * 1000
      for (const [name, hashes] of distinct.clients) {
        let set = held.sets.get(name)
        if (set === undefined) held.sets.set(name, set = new Set())
        for (const h of hashes) set.add(h)
        entry.counts.set(distinctField(name), set.size)
      }
    }
    entry.expires = Date.now() + ttlSeconds * 1000
    this.counters.set(day, entry)
  }

  async daySalt(day: string, ttlSeconds: number): Promise<string> {
    const now = Date.now()
    for (const [d, e] of this.salts) if (e.expires <= now) this.salts.delete(d)
    for (const [d, e] of this.distinct) if (e.expires <= now) this.distinct.delete(d)
    let entry = this.salts.get(day)
    if (entry === undefined) this.salts.set(day, entry = { salt: randomUUID(), expires: now + ttlSeconds * 1000 })
    return entry.salt
  }

  async readCounts(days: readonly string[]): Promise<DayCounters[]> {
    const out: DayCounters[] = []
    for (const day of days) {
      const entry = this.counters.get(day)
      if (entry === undefined) continue
      if (entry.expires <= Date.now()) {
        this.counters.delete(day)
        continue
      }
      out.push({ day, counts: Object.fromEntries(entry.counts) })
    }
    return out
  }

  private liveFailures(key: string): number {
    const entry = this.failures.get(key)
    if (entry === undefined) return 0
    if (entry.expires > Date.now()) return entry.count
    this.failures.delete(key)
    return 0
  }

  async getVersion(): Promise<number> {
    return this.version
  }

  async getEpoch(): Promise<string | null> {
    return this.epoch
  }

  async renewEpoch(): Promise<string> {
    return this.epoch
  }

  async raiseVersion(min: number): Promise<number> {
    if (this.version >= min) return this.version
    this.version = min - 1
    return this.bump()
  }

  async restoreMember(state: MemberState, overFileSha256?: string): Promise<number | null> {
    return this.serial(async () => {
      const existing = this.members.get(state.id)
      if (!state.manifest) return null
      if (existing?.manifest) {
        const isThatFile = existing.meta.source === 'file' && existing.meta.fileSha256 !== undefined && existing.meta.fileSha256 === overFileSha256
        if (!isThatFile) return null
      }
      const restored = clone(state)
      await this.persist(restored)
      this.members.set(state.id, restored)
      return this.bump()
    })
  }

  async recordFetch(id: string, meta: MemberMeta, fence?: WriteFence): Promise<void> {
    return this.serial(async () => {
      if (fence !== undefined) this.checkFence(id, fence)
      const previous = this.members.get(id)
      if (!previous) return
      const state: MemberState = { ...previous, meta: { ...previous.meta } }
      for (const [key, value] of Object.entries(meta) as [keyof MemberMeta, unknown][]) {
        if (value === undefined) delete state.meta[key]
        else (state.meta as Record<string, unknown>)[key] = value
      }
      if (state.manifest) await this.persist(state)
      this.members.set(id, state)
    })
  }

  onChange(listener: (version: number) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async acquireLock(name: string, ttlMs: number): Promise<string | null> {
    const now = Date.now()
    const held = this.locks.get(name)
    if (held && held.expires > now) return null
    const token = randomUUID()
    this.locks.set(name, { token, expires: now + ttlMs })
    return token
  }

  async releaseLock(name: string, token: string): Promise<boolean> {
    const held = this.locks.get(name)
    if (!held || held.token !== token) return false
    this.locks.delete(name)
    return true
  }

  async putReport(report: AccessibilityReport, bounds: ReportBounds): Promise<ReportOutcome> {
    const live = unexpired(this.reports)
    if (live.length >= bounds.total) return 'full'
    if (live.filter((r) => r.client === bounds.client).length >= bounds.perClient) return 'client'
    const kept = [...live, { ...report, client: bounds.client }]
    if (this.dataDir !== undefined) await writeFileAtomic(join(this.dataDir, 'reports.json'), JSON.stringify(kept))
    this.reports = kept
    return 'stored'
  }

  async listReports(): Promise<AccessibilityReport[]> {
    // the network hash is the store's bookkeeping, not part of the report
    return unexpired(this.reports).map(({ client: _client, ...r }) => r)
  }

  health(): StoreHealth {
    return { ok: true }
  }

  async close(): Promise<void> {
    this.listeners.clear()
  }

  private async persist(state: MemberState): Promise<void> {
    if (this.dataDir === undefined) return
    await writeFileAtomic(join(this.dataDir, 'members', `${state.id}.json`), JSON.stringify(state))
  }

  private async bump(): Promise<number> {
    this.version += 1
    if (this.dataDir !== undefined) await writeFileAtomic(join(this.dataDir, 'version'), String(this.version))
    const version = this.version
    for (const listener of this.listeners) listener(version)
    return version
  }
}

/** a report with the hash of its sender's network (for the per-network bound) */
type StoredReport = AccessibilityReport & { client?: string }

function unexpired(reports: readonly StoredReport[]): StoredReport[] {
  const now = new Date().toISOString()
  return reports.filter((r) => r.expiresAt > now)
}

async function readReports(dataDir: string): Promise<StoredReport[]> {
  try {
    const parsed = JSON.parse(await readFile(join(dataDir, 'reports.json'), 'utf8')) as unknown
    return Array.isArray(parsed) ? unexpired(parsed as StoredReport[]) : []
  } catch {
    return [] // none yet, or damaged: start empty
  }
}

async function readVersion(dataDir: string): Promise<number> {
  try {
    const n = Number.parseInt(await readFile(join(dataDir, 'version'), 'utf8'), 10)
    return Number.isSafeInteger(n) && n > 0 ? n : 0
  } catch {
    return 0
  }
}

function clone(state: MemberState): MemberState {
  return structuredClone(state)
}
