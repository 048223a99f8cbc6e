// If-Match for the member's manifest (RFC 9110 13.1.1): optimistic
// concurrency, so two staff members (or a script and a person) editing the
// same manifest cannot silently overwrite each other. The ETag is the stored
// manifest's fingerprint (store/fence.ts), strong: the admin GET is sent
// uncompressed, so one ETag is one byte sequence.

/** The ETag of a stored manifest with this fingerprint ('' = none stored). */
export function manifestEtag(fingerprint: string): string | undefined {
  return fingerprint === '' ? undefined : `"${fingerprint}"`
}

export type Precondition =
  /** no If-Match, or `*` while a manifest is stored (manifests are replaced, never deleted, so that stays true) */
  | { ok: true; expected: undefined }
  /** write only while the stored manifest still has this fingerprint */
  | { ok: true; expected: string }
  | { ok: false }

/** Evaluates If-Match against the stored manifest's fingerprint, strong comparison (W/ tags never match). */
export function evaluateIfMatch(ifMatch: string | undefined, current: string): Precondition {
  if (ifMatch === undefined) return { ok: true, expected: undefined }
  const tags = ifMatch.split(',').map((tag) => tag.trim())
  if (current === '') return { ok: false }
  if (tags.includes('*')) return { ok: true, expected: undefined }
  return tags.includes(`"${current}"`) ? { ok: true, expected: current } : { ok: false }
}
