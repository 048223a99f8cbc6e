// Start-up load of the bundled (file) manifests into the store. A missing,
// unparsable or invalid file marks that member failed (or stale, when the
// store still holds a good manifest for it); the others load regardless.
//
// A manifest registered through the admin API supersedes the bundled file it
// was registered over: the store keeps that file's sha-256 with the
// registration, and the file wins again only when its content hash changes
// (the operator shipped a new file). Member-written dates decide nothing.
import { createHash } from 'node:crypto'
import { resolve, dirname } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import { parseJson, readManifestSource } from '../manifest/load.js'
import type { Result } from '../manifest/validate.js'
import type { Issue } from '../http/problem.js'
import type { Manifest } from '../manifest/schema.js'
import type { MemberState } from '../catalog/types.js'
import type { MemberConfig } from '../config/region-schema.js'
import type { CatalogStore } from '../store/types.js'
import type { LiveCatalog } from './live-catalog.js'
import type { SharedOnlineService } from '../manifest/rules-v2.js'
import { bundledManifestPath } from '../config/member-source.js'

export interface SeedReport {
  loaded: string[]
  kept: string[]
  failed: { id: string; errors: Issue[] }[]
}

/** A member's bundled file: validated, with the sha-256 of its bytes when readable. */
export interface BundledFile {
  result: Result<Manifest>
  sha256?: string
}

/** A member's bundled file, read and parsed, not yet validated. */
interface RawBundledFile {
  parsed: Result<unknown>
  sha256?: string
}

async function readRawFile(live: LiveCatalog, member: MemberConfig): Promise<RawBundledFile> {
  const source = await readManifestSource(resolve(dirname(live.data.regionPath), bundledManifestPath(member) ?? ''))
  if (!source.ok) return { parsed: source }
  return { parsed: parseJson(source.value), sha256: createHash('sha256').update(source.value).digest('hex') }
}

function validated(live: LiveCatalog, member: MemberConfig, raw: RawBundledFile, pending?: ReadonlyMap<string, readonly SharedOnlineService[]>): BundledFile {
  const result = raw.parsed.ok ? live.validate(raw.parsed.value, member, pending) : raw.parsed
  return raw.sha256 === undefined ? { result } : { result, sha256: raw.sha256 }
}

/** Reads and validates one bundled file (references to other members' online services: against the live catalog). */
export async function readBundledFile(live: LiveCatalog, member: MemberConfig): Promise<BundledFile> {
  return validated(live, member, await readRawFile(live, member))
}

export type SeedDecision =
  /** the store holds a registration that supersedes this file; `stamp` records the file's hash with it */
  | { action: 'keep'; why: string; stamp?: string }
  /** write the file's manifest */
  | { action: 'load'; why: string }
  /** the store already holds exactly this file */
  | { action: 'unchanged' }
  /** the file is unusable and nothing registered covers it */
  | { action: 'fail' }

/** Pure: what the seed does with a bundled file, given what the store holds. */
export function decideSeed(file: BundledFile, existing: MemberState | undefined): SeedDecision {
  // an import of the member's XZuFi feed supersedes the file beside it as a registration does
  const registered = existing?.manifest !== undefined && (existing.meta.source === 'api' || existing.meta.source === 'xzufi')
  if (registered) {
    const recorded = existing.meta.fileSha256
    if (!file.result.ok) return { action: 'keep', why: 'bundled file unusable; the registered manifest stays live' }
    if (recorded === undefined) {
      // registered before hashes were recorded: it supersedes the file deployed now
      return { action: 'keep', why: 'registration without a recorded file hash supersedes the current bundled file', stamp: file.sha256! }
    }
    if (recorded === file.sha256) return { action: 'keep', why: 'registered manifest supersedes the unchanged bundled file' }
    return { action: 'load', why: `bundled file changed since the registration (sha-256 ${recorded.slice(0, 12)}… -> ${file.sha256!.slice(0, 12)}…): the operator's file replaces it` }
  }
  if (!file.result.ok) return { action: 'fail' }
  const same = existing?.status === 'ok' && existing.meta.source === 'file' && existing.meta.fileSha256 === file.sha256 &&
    JSON.stringify(existing.manifest) === JSON.stringify(file.result.value)
  return same ? { action: 'unchanged' } : { action: 'load', why: existing?.manifest ? 'bundled file differs from the stored one' : 'nothing stored yet' }
}

/** The store entry a valid bundled file becomes. */
export function fileState(id: string, manifest: Manifest, sha256: string, now: string): MemberState {
  return { id, status: 'ok', manifest, meta: { source: 'file', fetchedAt: now, acceptedAt: now, fileSha256: sha256 } }
}

export async function seedFileManifests(live: LiveCatalog, store: CatalogStore, log: FastifyBaseLogger): Promise<SeedReport> {
  const report: SeedReport = { loaded: [], kept: [], failed: [] }
  // Read every bundled file first: a member may reference another's online
  // service, and the files are checked against each other, not load order.
  const raws = new Map<string, RawBundledFile>()
  for (const member of live.members.values()) {
    if (bundledManifestPath(member) !== undefined) raws.set(member.id, await readRawFile(live, member))
  }
  const pending = new Map<string, SharedOnlineService[]>()
  for (const [id, raw] of raws) if (raw.parsed.ok) pending.set(id, declaredOnlineServices(raw.parsed.value))
  for (const member of live.members.values()) {
    const raw = raws.get(member.id)
    if (raw === undefined) continue
    const file = validated(live, member, raw, pending)
    const existing = await store.getMember(member.id)
    const now = new Date().toISOString()
    const decision = decideSeed(file, existing)
    if (!file.result.ok) {
      report.failed.push({ id: member.id, errors: file.result.errors })
      const lastError = file.result.errors.map((e) => `${e.path || '/'} ${e.message}`).slice(0, 5).join('; ')
      log.error({ member: member.id, errors: file.result.errors.slice(0, 50) }, `manifest of ${member.id} rejected: ${lastError}`)
      if (decision.action === 'fail') {
        const status = existing?.manifest ? 'stale' : 'failed'
        if (existing?.status !== status || existing.meta.lastError !== lastError) {
          await store.putStatus(member.id, status, { source: 'file', fetchedAt: now, lastError, errors: file.result.errors })
        }
        continue
      }
    }
    if (decision.action === 'keep') {
      log.info({ member: member.id, decision: 'keep-registered', fileSha256: file.sha256 }, `${member.id}: ${decision.why}`)
      if (decision.stamp !== undefined) await store.putStatus(member.id, existing!.status, { fileSha256: decision.stamp })
      report.kept.push(member.id)
      continue
    }
    if (decision.action === 'load' && file.result.ok) {
      if (existing?.meta.source === 'api') log.warn({ member: member.id, decision: 'file-replaces-registration', fileSha256: file.sha256 }, `${member.id}: ${decision.why}`)
      await store.putManifest(member.id, file.result.value, fileState(member.id, file.result.value, file.sha256!, now).meta)
    }
    report.loaded.push(member.id)
  }
  return report
}

/** The online services a not yet validated document declares (loosely read). */
function declaredOnlineServices(doc: unknown): SharedOnlineService[] {
  const list = (doc as { onlineServices?: unknown } | null)?.onlineServices
  if (!Array.isArray(list)) return []
  return list.flatMap((os: unknown) => {
    const { id, serves } = (os ?? {}) as { id?: unknown; serves?: unknown }
    return typeof id === 'string' && Array.isArray(serves) ? [{ id, serves: serves.filter((s): s is string => typeof s === 'string') }] : []
  })
}
