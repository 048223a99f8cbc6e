// The CatalogStore: where last-known-good manifests, their meta and the
// catalog version live. MemoryStore (embedded, file-persisted) and RedisStore
// (shared by many instances) implement it; routes never see which one runs.
import type { Manifest } from '../manifest/schema.js'
import type { MemberState, MemberStatus } from '../catalog/types.js'
import type { WriteFence } from './fence.js'
import type { FailureCounter } from '../auth/failed-auth-limiter.js'
import type { CounterStore } from '../insights/counter-store.js'

export type MemberMeta = MemberState['meta']

export interface StoreHealth {
  ok: boolean
  /** why the store is degraded (e.g. "redis: connection refused") */
  reason?: string
}

/** also counts failed admin authentications, shared like the catalog (FailureCounter) */
export interface CatalogStore extends FailureCounter, CounterStore {
  readonly kind: 'memory' | 'redis'
  /** connect / read persisted state; safe to call once before use */
  init(): Promise<void>
  listMembers(): Promise<MemberState[]>
  getMember(id: string): Promise<MemberState | undefined>
  /**
   * Accept an already validated manifest as the member's last known good one.
   * Durable before it resolves; bumps and announces the catalog version.
   */
  putManifest(id: string, manifest: Manifest, meta: MemberMeta): Promise<number>
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
  health(): StoreHealth
  close(): Promise<void>
}
