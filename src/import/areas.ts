// Areas of XZuFi Zuständigkeiten (gebietID, an ARS) against the region's
// members. An ARS names an area by its leading digits: trailing zeros only pad
// it to 12 (Kreis Recklinghausen 055620000000 = "05562"), so an area lies
// inside another when its digits start with the other's. Pure.

export function normalizeArs(ars: string): string {
  const stripped = ars.replace(/0+$/, '')
  return stripped.length >= 2 ? stripped : ars.slice(0, 2)
}

/** One area contains the other (either way): a Kreis-wide 055620000000 and Gladbeck 055620014014. */
export function arsOverlap(a: string, b: string): boolean {
  const x = normalizeArs(a)
  const y = normalizeArs(b)
  return x.startsWith(y) || y.startsWith(x)
}

/** `inner` is the area `outer` or lies inside it. */
export function arsWithin(inner: string, outer: string): boolean {
  return normalizeArs(inner).startsWith(normalizeArs(outer))
}

/**
 * The member whose own area a gebietID is: the member with exactly that area,
 * else the most specific member containing it (a Regierungsbezirk belongs to
 * its Land). Undefined outside the region.
 */
export function ownerOf(gebiet: string, members: readonly { id: string; ars: string }[]): string | undefined {
  let best: { id: string; depth: number } | undefined
  for (const m of members) {
    if (!arsWithin(gebiet, m.ars)) continue
    const depth = normalizeArs(m.ars).length
    if (!best || depth > best.depth) best = { id: m.id, depth }
  }
  return best?.id
}
