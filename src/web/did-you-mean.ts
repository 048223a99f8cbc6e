// "Meinten Sie …": when a query word is no word of any service name or
// synonym but one edit or two away from one, the corrected query. The search
// finds such typos on its own; this tells the resident what it understood.
// Pure; the vocabulary is built once per catalog version.
import type { Catalog } from '../catalog/types.js'

const MAX_WORDS = 6
const MAX_WORD_LENGTH = 40

const vocabularies = new WeakMap<Catalog, { words: Set<string>; display: Map<string, string> }>()

function vocabulary(catalog: Catalog): { words: Set<string>; display: Map<string, string> } {
  let v = vocabularies.get(catalog)
  if (v) return v
  v = { words: new Set(), display: new Map() }
  for (const s of catalog.services) {
    for (const text of [s.name, ...s.synonyms]) {
      for (const word of text.split(/[^\p{L}\p{N}-]+/u)) {
        const key = word.toLocaleLowerCase('de')
        if (key.length < 3) continue
        v.words.add(key)
        if (!v.display.has(key)) v.display.set(key, word)
      }
    }
  }
  vocabularies.set(catalog, v)
  return v
}

/** Optimal string alignment distance (adjacent swaps count once), stopping above max. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)])
  for (let j = 0; j <= b.length; j++) (d[0] as number[])[j] = j
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] as number[]
    const prev = d[i - 1] as number[]
    let best = Infinity
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let value = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, ((d[i - 2] as number[])[j - 2] as number) + 1)
      row[j] = value
      best = Math.min(best, value)
    }
    if (best > max) return max + 1
  }
  return (d[a.length] as number[])[b.length] as number
}

/** The query with its typos corrected, or undefined when every word is known (or none is close). */
export function didYouMean(catalog: Catalog, query: string): string | undefined {
  const { words, display } = vocabulary(catalog)
  let changed = false
  const out = query.trim().split(/\s+/).map((word, i) => {
    const key = word.toLocaleLowerCase('de')
    // bounded work per request: the first words of ordinary length only
    if (i >= MAX_WORDS || key.length > MAX_WORD_LENGTH) return word
    // known words, their beginnings ("perso") and short words are no typos
    if (key.length < 4 || words.has(key) || [...words].some((w) => w.startsWith(key))) return word
    const max = key.length <= 5 ? 1 : 2
    let best: string | undefined
    let bestDistance = max + 1
    for (const w of words) {
      const distance = editDistance(key, w, max)
      if (distance < bestDistance || (distance === bestDistance && best !== undefined && w < best)) {
        best = w
        bestDistance = distance
      }
    }
    if (best === undefined) return word
    changed = true
    return display.get(best) ?? best
  })
  return changed ? out.join(' ') : undefined
}
