// How a member's meta sits in its Redis hash: one field per meta key, values
// JSON-encoded (so `errors` arrays survive); `status` and `rev` are plain.
import type { Manifest } from '../manifest/schema.js'
import type { MemberState, MemberStatus } from '../catalog/types.js'
import type { MemberMeta } from './types.js'

const STATUSES: ReadonlySet<string> = new Set(['ok', 'stale', 'failed'])

/** Field/value pairs to set, and fields explicitly cleared (value undefined). */
export function encodeMeta(meta: MemberMeta): { set: string[]; clear: string[] } {
  const set: string[] = []
  const clear: string[] = []
  for (const [key, value] of Object.entries(meta)) {
    if (key === 'status' || key === 'rev') continue
    if (value === undefined) clear.push(key)
    else set.push(key, JSON.stringify(value))
  }
  return { set, clear }
}

export interface DecodedMember {
  rev: string
  state: MemberState
}

/** undefined when neither a manifest nor meta exist for the member */
export function decodeMember(
  id: string,
  manifestJson: string | null,
  hash: Record<string, string>,
): DecodedMember | undefined {
  if (manifestJson === null && Object.keys(hash).length === 0) return undefined
  const meta: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(hash)) {
    if (key === 'status' || key === 'rev') continue
    try {
      meta[key] = JSON.parse(value)
    } catch {
      // a field written by something else: ignore rather than fail the catalog
    }
  }
  const status = STATUSES.has(hash.status ?? '') ? (hash.status as MemberStatus) : 'ok'
  const state: MemberState = { id, status, meta: meta as MemberState['meta'] }
  if (manifestJson !== null) state.manifest = JSON.parse(manifestJson) as Manifest
  return { rev: hash.rev ?? '0', state }
}
