// The first k items of a sort without sorting all of them: a page needs the
// best 10 of 12k matches. Same result as sort(compare).slice(0, k) when
// compare is a total order (search ranks by tier, score, then unique id).

/** Below this share of n, bounded insertion beats a full sort. */
const PARTIAL_SHARE = 8

export function topK<T>(items: readonly T[], k: number, compare: (a: T, b: T) => number): T[] {
  if (k <= 0) return []
  if (k * PARTIAL_SHARE >= items.length) return [...items].sort(compare).slice(0, k)
  const top: T[] = []
  for (const item of items) {
    if (top.length === k && compare(item, top[k - 1] as T) >= 0) continue
    let lo = 0
    let hi = top.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compare(item, top[mid] as T) < 0) hi = mid
      else lo = mid + 1
    }
    top.splice(lo, 0, item)
    if (top.length > k) top.pop()
  }
  return top
}
