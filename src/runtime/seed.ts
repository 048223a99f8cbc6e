// Start-up load of the bundled (file) manifests into the store. A missing,
// unparsable or invalid file marks that member failed (or stale, when the
// store still holds a good manifest for it); the others load regardless.
import { resolve, dirname } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import { readManifestFile } from '../manifest/load.js'
import type { MemberConfig } from '../config/region-schema.js'
import type { CatalogStore } from '../store/types.js'
import type { LiveCatalog } from './live-catalog.js'
import type { SharedOnlineService } from '../manifest/rules-v2.js'

export function isRemoteManifest(member: MemberConfig): boolean {
  return /^https?:\/\//i.test(member.manifest)
}

export interface SeedReport {
  loaded: string[]
  kept: string[]
  failed: { id: string; errors: { path: string; message: string }[] }[]
}

export async function seedFileManifests(live: LiveCatalog, store: CatalogStore, log: FastifyBaseLogger): Promise<SeedReport> {
  const report: SeedReport = { loaded: [], kept: [], failed: [] }
  const baseDir = dirname(live.data.regionPath)
  // Read every bundled file first: a member may reference another's online
  // service, and the files are checked against each other, not load order.
  const files = new Map<string, Awaited<ReturnType<typeof readManifestFile>>>()
  for (const member of live.members.values()) {
    if (!isRemoteManifest(member)) files.set(member.id, await readManifestFile(resolve(baseDir, member.manifest)))
  }
  const pending = new Map<string, SharedOnlineService[]>()
  for (const [id, parsed] of files) if (parsed.ok) pending.set(id, declaredOnlineServices(parsed.value))
  for (const member of live.members.values()) {
    const parsed = files.get(member.id)
    if (parsed === undefined) continue
    const result = parsed.ok ? live.validate(parsed.value, member, pending) : parsed
    const existing = await store.getMember(member.id)
    const now = new Date().toISOString()
    if (result.ok) {
      const stored = existing?.manifest
      // A registration through the admin API newer than the bundled file wins.
      if (stored && existing.meta.source === 'api' && stored.updatedAt > result.value.updatedAt) {
        report.kept.push(member.id)
        continue
      }
      if (!stored || existing.status !== 'ok' || JSON.stringify(stored) !== JSON.stringify(result.value)) {
        await store.putManifest(member.id, result.value, { source: 'file', fetchedAt: now, acceptedAt: now })
      }
      report.loaded.push(member.id)
      continue
    }
    report.failed.push({ id: member.id, errors: result.errors })
    const lastError = result.errors.map((e) => `${e.path || '/'} ${e.message}`).slice(0, 5).join('; ')
    log.error({ member: member.id, errors: result.errors.slice(0, 50) }, `manifest of ${member.id} rejected: ${lastError}`)
    const status = existing?.manifest ? 'stale' : 'failed'
    if (existing?.status !== status || existing.meta.lastError !== lastError) {
      await store.putStatus(member.id, status, { source: 'file', fetchedAt: now, lastError, errors: result.errors })
    }
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
