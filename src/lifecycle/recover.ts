// Recovery after the store lost its data (a Redis restarted without
// persistence, or rolled back to an old snapshot). Which data wins:
//   1. the store, for every member it holds: anything written since the
//      reset is newer than what an instance remembers (a PUT right after the
//      restart must be served, not overwritten);
//   2. for what it lacks, this instance's last known good state from before
//      the reset — confirmed registrations and fetched remote manifests are
//      not lost — where a registration beats the bundled file by the same
//      rule as the seed (until the operator changes that file);
//   3. the bundled files for the rest.
// Every write is a conditional restore (atomic in the store), so instances
// recovering at the same time, and members writing meanwhile, cannot
// overwrite each other. An instance's memory can lag the lost store by the
// writes it had not loaded yet (one pub/sub hop); those are what AOF is for.
import type { FastifyBaseLogger } from 'fastify'
import type { MemberState } from '../catalog/types.js'
import type { CatalogStore } from '../store/types.js'
import type { LiveCatalog, PreviousLife } from './live-catalog.js'
import { decideSeed, fileState, readBundledFile } from './seed.js'
import { bundledManifestPath } from '../config/member-source.js'

export async function recoverStore(live: LiveCatalog, store: CatalogStore, previous: PreviousLife, log: FastifyBaseLogger): Promise<void> {
  const epoch = await store.renewEpoch(previous.epoch)
  // versions (and the ETags made from them) must never repeat
  await store.raiseVersion(previous.version + 1)
  const known = new Map(previous.states.map((state) => [state.id, state]))
  const restored: Record<string, string> = {}
  for (const member of live.members.values()) {
    const last = known.get(member.id)
    let candidate: { state: MemberState; overFileSha256?: string; what: string } | undefined
    if (bundledManifestPath(member) !== undefined) {
      const file = await readBundledFile(live, member)
      const decision = decideSeed(file, last)
      if (decision.action === 'keep' && last?.manifest) {
        const state = decision.stamp === undefined ? last : { ...last, meta: { ...last.meta, fileSha256: decision.stamp } }
        // may replace the same bundled file, seeded meanwhile by an instance that never saw the registration
        candidate = { state, what: 'registered manifest' }
        if (file.sha256 !== undefined) candidate.overFileSha256 = file.sha256
      } else if (file.result.ok) {
        candidate = { state: fileState(member.id, file.result.value, file.sha256!, new Date().toISOString()), what: 'bundled file' }
      }
    }
    if (!candidate && last?.manifest) candidate = { state: last, what: 'last known good manifest' }
    if (!candidate) continue
    const version = await store.restoreMember(candidate.state, candidate.overFileSha256)
    restored[member.id] = version === null ? 'present in the store (kept)' : `${candidate.what} restored (version ${version})`
  }
  log.warn({ epoch, previousEpoch: previous.epoch, previousVersion: previous.version, restored }, 'store reset: re-seeded what it lacked')
}
