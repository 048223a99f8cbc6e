// Who may use an online service: the two-sided agreement between a provider
// (its `serves` list) and a member referencing it (`onlineService`). Pure;
// shared by validation (reject one-sided references on registration) and the
// merge (drop a link the provider has since withdrawn).

export interface OnlineServiceRef {
  provider: string
  id: string
}

/** `<id>` (own) or `<member>:<id>`; the member defaults to the referring one. */
export function parseOnlineServiceRef(ref: string, self: string): OnlineServiceRef {
  const colon = ref.indexOf(':')
  return colon < 0 ? { provider: self, id: ref } : { provider: ref.slice(0, colon), id: ref.slice(colon + 1) }
}

/** A serves entry is a member id or an ARS prefix (digits). */
export function servesMember(serves: readonly string[], member: { id: string; ars?: string }): boolean {
  return serves.some((entry) => entry === member.id || (/^[0-9]+$/.test(entry) && member.ars !== undefined && member.ars.startsWith(entry)))
}
