// Colloquial -> official terms from config/synonyms.json. Keys are matched
// on stemmed token n-grams, so "wohnung anmelden" also matches
// "Wohnungen anmelden"; expansions score below direct matches.
import { stem, tokenize } from './normalize.js'

export interface SynonymEntry {
  term: string
  means: string[]
}

export interface SynonymTable {
  /** stemmed key ("wohnung anmeld") -> official phrases as stemmed token lists */
  byKey: ReadonlyMap<string, string[][]>
  maxKeyLength: number
}

export interface SynonymMatch {
  /** indices of the query tokens the key covered */
  from: number
  to: number
  /** each official phrase as stemmed tokens */
  phrases: string[][]
}

export function buildSynonymTable(entries: readonly SynonymEntry[]): SynonymTable {
  const byKey = new Map<string, string[][]>()
  let maxKeyLength = 1
  for (const entry of entries) {
    const keyTokens = tokenize(entry.term).map(stem)
    if (keyTokens.length === 0) continue
    const key = keyTokens.join(' ')
    maxKeyLength = Math.max(maxKeyLength, keyTokens.length)
    const phrases = byKey.get(key) ?? []
    for (const mean of entry.means) {
      const phrase = tokenize(mean).map(stem)
      if (phrase.length > 0 && !phrases.some((p) => p.join(' ') === phrase.join(' '))) phrases.push(phrase)
    }
    byKey.set(key, phrases)
  }
  return { byKey, maxKeyLength: Math.min(maxKeyLength, 4) }
}

/** Every synonym key found in the stemmed query, longest keys first. */
export function matchSynonyms(table: SynonymTable, stems: readonly string[]): SynonymMatch[] {
  const matches: SynonymMatch[] = []
  for (let n = Math.min(table.maxKeyLength, stems.length); n >= 1; n--) {
    for (let from = 0; from + n <= stems.length; from++) {
      const phrases = table.byKey.get(stems.slice(from, from + n).join(' '))
      if (phrases) matches.push({ from, to: from + n - 1, phrases })
    }
  }
  return matches
}
