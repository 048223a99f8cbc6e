// Facet values as small integer positions, fixed when the index is built,
// so a query counts into a typed array instead of a string-keyed Map per
// matched service (12k matches at NRW scale).

export interface FacetValue {
  value: string
  count: number
}

/** Distinct values in first-seen order; positions index `ids`. */
export class ValueDictionary {
  readonly ids: string[] = []
  private readonly pos = new Map<string, number>()

  /** Positions of the values, repeats kept (each one counts, as before). */
  positions(values: readonly string[]): Int32Array {
    const out = new Int32Array(values.length)
    values.forEach((value, i) => {
      let p = this.pos.get(value)
      if (p === undefined) {
        p = this.ids.length
        this.pos.set(value, p)
        this.ids.push(value)
      }
      out[i] = p
    })
    return out
  }
}

export function countInto(counts: Uint32Array, positions: Int32Array): void {
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i] as number
    counts[p] = (counts[p] as number) + 1
  }
}

/** Non-zero counts, most frequent first, then by value. */
export function facetValues(ids: readonly string[], counts: Uint32Array): FacetValue[] {
  const out: FacetValue[] = []
  counts.forEach((count, pos) => {
    if (count > 0) out.push({ value: ids[pos] as string, count })
  })
  return out.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
}
