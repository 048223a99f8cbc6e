// The CatalogStore: where last-known-good manifests, their meta and the
// catalog version live. MemoryStore (embedded, file-persisted) and RedisStore
// (shared by many instances) implement it; routes never see which one runs.
import type { Manifest } from '../manifest/schema.js'
import type { MemberState, MemberStatus } from '../catalog/types.js'
import type { WriteFence } from './fence.js'
import type { FailureCounter } from '../auth/failed-auth-limiter.js'
import type { CounterStore } from './counters.js'

export type MemberMeta = MemberState['meta']

export interface StoreHealth {
  ok: boolean
  /** why the store is degraded (e.g. "redis: connection refused") */
  reason?: string
}

/** A "Barriere melden" report from the portal, kept for the operator until expiresAt. */
export interface AccessibilityReport {
  id: string
  /** ISO time received */
  receivedAt: string
  /** ISO time after which the store drops it (the retention limit) */
  expiresAt: string
  message: string
  /** the page the barrier is on, as the resident gave it */
  page?: string
  /** how to answer, only if the resident gave it */
  contact?: string
}

/**
 * How many reports the store keeps at once: in all, and per client network
 * (clientNetwork, given as a hash so no address is stored in clear). When a
 * bound is reached the new report is refused, never an older one evicted:
 * one network must not be able to push out the reports of others.
 */
export interface ReportBounds {
  /** a hash of the sender's client network */
  client: string
  perClient: number
  total: number
}

/** Most reports kept at once: a flood cannot grow the store without bound. */
export const MAX_REPORTS = 10_000

/** An /einblicke session (src/insights/session.ts), kept until expiresAt. */
export interface StoredSession {
  /** a member id or "region" */
  scope: string
  /** ms since the epoch; the store drops the session then */
  expiresAt: number
  /** fingerprint of the scope's token hash at login: a token change ends the session */
  tokenFingerprint: string
}

/** sessions and the secret they are signed with, shared by every instance */
export interface SessionStore {
  /** keep the session under its id until its expiresAt (the store's TTL) */
  putSession(id: string, session: StoredSession): Promise<void>
  /** the session, undefined when unknown, deleted or expired */
  getSession(id: string): Promise<StoredSession | undefined>
  /** ends the session for every instance */
  deleteSession(id: string): Promise<void>
  /**
   * The secret stored under `name`; when there is none, `candidate` is stored
   * and returned, set-if-absent in one atomic step, so instances starting
   * together agree on one value.
   */
  sharedSecret(name: string, candidate: string): Promise<string>
}
/** stored, or refused because the sender's network ('client') or the whole store ('full') is at its bound */
export type ReportOutcome = 'stored' | 'client' | 'full'

/** also counts failed admin authentications, shared like the catalog (FailureCounter) */
export interface CatalogStore extends FailureCounter, CounterStore, SessionStore {
  readonly kind: 'memory' | 'redis'
  /** connect / read persisted state; safe to call once before use */
  init(): Promise<void>
  listMembers(): Promise<MemberState[]>
  getMember(id: string): Promise<MemberState | undefined>
  /**
   * Accept an already validated manifest as the member's last known good one.
   * Durable before it resolves; bumps and announces the catalog version.
   * With `expected` (a manifestFingerprint, '' = none) only over that stored
   * manifest, checked atomically with the write (If-Match); otherwise
   * nothing is written and it rejects with FencedOut('manifest-changed').
   */
  putManifest(id: string, manifest: Manifest, meta: MemberMeta, expected?: string): Promise<number>
  /**
   * Record a status change or failure without touching the live manifest
   * (stale-if-error). Bumps and announces the catalog version.
   */
  putStatus(id: string, status: MemberStatus, meta: MemberMeta): Promise<number>
  /**
   * putManifest / putStatus for a refresh: only while `fence.token` still
   * holds `fence.lock` and the stored manifest still has the fingerprint
   * `fence.basis`, checked atomically with the write. Otherwise nothing is
   * written and it rejects with FencedOut.
   */
  putManifestFenced(id: string, manifest: Manifest, meta: MemberMeta, fence: WriteFence): Promise<number>
  putStatusFenced(id: string, status: MemberStatus, meta: MemberMeta, fence: WriteFence): Promise<number>
  getVersion(): Promise<number>
  /** called with the new version whenever any instance changed the catalog */
  onChange(listener: (version: number) => void): () => void
  /** leader lock: a token when acquired, null when someone else holds it */
  acquireLock(name: string, ttlMs: number): Promise<string | null>
  /** compare-and-delete: true when this token still held the lock */
  releaseLock(name: string, token: string): Promise<boolean>
  /**
   * Keep a report until its expiresAt (expired ones are dropped on every put
   * and list), unless a bound is reached: then nothing is stored or evicted.
   */
  putReport(report: AccessibilityReport, bounds: ReportBounds): Promise<ReportOutcome>
  /** the reports not yet expired, oldest first */
  listReports(): Promise<AccessibilityReport[]>
  health(): StoreHealth
  close(): Promise<void>

  // Reset detection and recovery (a Redis restarted without persistence).
  /**
   * Id of the store's current life: it changes when the store lost its data,
   * null when it has none (emptied, nobody recovered it yet).
   */
  getEpoch(): Promise<string | null>
  /**
   * Starts a new epoch when the store still has `previous` (a rollback) or
   * none; returns the epoch now current (another instance may have won).
   */
  renewEpoch(previous: string | undefined): Promise<string>
  /** Lifts the catalog version to at least `min` (announced when it moved), so versions and ETags never repeat. */
  raiseVersion(min: number): Promise<number>
  /**
   * Puts a last known state back after a reset, atomically only when the
   * store has no manifest for the member, or (`overFileSha256`) when what it
   * has is the bundled file with that hash. The version when written, else null.
   */
  restoreMember(state: MemberState, overFileSha256?: string): Promise<number | null>
  /**
   * Records meta that does not change what the catalog serves (fetchedAt of a
   * 304): no version bump, no announcement. With a fence (a refresh) only
   * while it holds, as putManifestFenced; otherwise rejects with FencedOut.
   */
  recordFetch(id: string, meta: MemberMeta, fence?: WriteFence): Promise<void>
}
