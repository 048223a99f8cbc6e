// Completions for a search box, fast enough for every keystroke. Entries
// are service names, their synonyms and the colloquial terms; the words
// before the cursor must match (typo tolerant), the word being typed is a
// prefix, also with one typo ("persn" -> "Personalausweis"). A typo may be
// two swapped neighbouring letters ("hnud", "persoanl"). A function word
// being typed that continues nothing ("Hund und") leaves the words before it.
import SearchableMap from 'minisearch/SearchableMap'
import type { RegionalService } from '../catalog/types.js'
import { STOP_WORDS, tokenize, transpositions, typoBudget } from './normalize.js'
import type { SynonymEntry } from './synonyms.js'

export const MAX_SUGGESTIONS = 10
const PER_SERVICE = 2
/** Typo-tolerant prefixes only when few entries match the prefix as typed. */
const FUZZY_BELOW = 3
const MIN_FUZZY_PREFIX = 5
const MIN_PREFIX_KEY = 4
/** as the search: below four letters a swap makes another word too often */
const MIN_TRANSPOSE = 4
const MAX_PREFIX = 12

export interface Suggestion {
  text: string
  serviceId?: string
}

interface Entry extends Suggestion {
  weight: number
  tokens: string[]
}

export interface SuggestIndex {
  entries: Entry[]
  /** folded word -> entry positions */
  words: SearchableMap<number[]>
  /** every prefix (4..12 letters) of every word -> the words: fuzzy prefix matching */
  prefixes: SearchableMap<string[]>
}

export function buildSuggestIndex(services: readonly RegionalService[], colloquial: readonly SynonymEntry[]): SuggestIndex {
  const byText = new Map<string, Entry>()
  const add = (text: string, weight: number, serviceId?: string) => {
    const tokens = tokenize(text)
    if (tokens.length === 0) return
    const key = tokens.join(' ')
    const existing = byText.get(key)
    if (existing && existing.weight >= weight) return
    byText.set(key, serviceId === undefined ? { text, weight, tokens } : { text, weight, tokens, serviceId })
  }
  for (const s of services) add(s.name, 1, s.id)
  for (const s of services) for (const syn of s.synonyms) add(syn, 0.8, s.id)
  for (const c of colloquial) add(c.term, 0.6)
  const entries = [...byText.values()]
  // Collected in plain maps first: appending to lists inside SearchableMap
  // updates would copy them, quadratic for words shared by thousands of entries.
  const wordLists = new Map<string, number[]>()
  const prefixSets = new Map<string, Set<string>>()
  entries.forEach((entry, i) => {
    for (const word of new Set(entry.tokens)) {
      const list = wordLists.get(word)
      if (list) list.push(i)
      else wordLists.set(word, [i])
      for (let n = MIN_PREFIX_KEY; n <= Math.min(MAX_PREFIX, word.length); n++) {
        const prefix = word.slice(0, n)
        const set = prefixSets.get(prefix)
        if (set) set.add(word)
        else prefixSets.set(prefix, new Set([word]))
      }
    }
  })
  const words = new SearchableMap<number[]>()
  for (const [word, list] of wordLists) words.set(word, list)
  const prefixes = new SearchableMap<string[]>()
  for (const [prefix, set] of prefixSets) prefixes.set(prefix, [...set])
  return { entries, words, prefixes }
}

export function suggest(index: SuggestIndex, q: string): Suggestion[] {
  const typed = tokenize(q)
  const last = typed.pop()
  if (last === undefined) return []
  const before = typed.filter((t) => !STOP_WORDS.has(t)).slice(-4)
  let scores: Map<number, number> | undefined
  for (const token of before) scores = intersect(scores, matchWord(index, token))
  const withLast = intersect(scores, matchPrefix(index, last))
  // "hund und", "ausweis für": the function word may start the next word, or may not
  scores = withLast.size === 0 && scores !== undefined && STOP_WORDS.has(last) ? scores : withLast
  const ranked = [...scores]
    .map(([i, score]) => ({ entry: index.entries[i] as Entry, score }))
    .map(({ entry, score }) => ({ entry, score: score * entry.weight + startsWithBonus(entry, before[0] ?? last) }))
    .sort((a, b) => b.score - a.score || a.entry.text.length - b.entry.text.length || cmp(a.entry.text, b.entry.text))
  const out: Suggestion[] = []
  const perService = new Map<string, number>()
  for (const { entry } of ranked) {
    if (entry.serviceId !== undefined) {
      const n = perService.get(entry.serviceId) ?? 0
      if (n >= PER_SERVICE) continue
      perService.set(entry.serviceId, n + 1)
    }
    out.push(entry.serviceId === undefined ? { text: entry.text } : { text: entry.text, serviceId: entry.serviceId })
    if (out.length >= MAX_SUGGESTIONS) break
  }
  return out
}

/** A complete word: exact 1, longer word starting with it 0.8, typo 0.6. */
function matchWord(index: SuggestIndex, token: string): Map<number, number> {
  const hits = new Map<number, number>()
  for (const [word, list] of index.words.atPrefix(token)) addAll(hits, list, word === token ? 1 : 0.8)
  const budget = typoBudget(token)
  if (budget > 0) for (const [, [list]] of index.words.fuzzyGet(token, budget)) addAll(hits, list, 0.6)
  if (token.length >= MIN_TRANSPOSE) for (const swapped of transpositions(token)) addAll(hits, index.words.get(swapped) ?? [], 0.6)
  return hits
}

/** The word being typed: prefix 0.9 (exact word 1), prefix with one typo 0.5 (a swap typed as a whole word 0.55). */
function matchPrefix(index: SuggestIndex, prefix: string): Map<number, number> {
  const hits = new Map<number, number>()
  for (const [word, list] of index.words.atPrefix(prefix)) addAll(hits, list, word === prefix ? 1 : 0.9)
  if (prefix.length >= MIN_TRANSPOSE && hits.size < FUZZY_BELOW) {
    const key = prefix.slice(0, MAX_PREFIX)
    if (prefix.length >= MIN_FUZZY_PREFIX) {
      for (const [, [words]] of index.prefixes.fuzzyGet(key, 1)) for (const word of words) addAll(hits, index.words.get(word) ?? [], 0.5)
    }
    // a swap typed as a whole word ("hudn") ranks that word above its longer relatives, as the exact prefix does
    for (const swapped of transpositions(key)) {
      for (const word of index.prefixes.get(swapped) ?? []) addAll(hits, index.words.get(word) ?? [], word === swapped ? 0.55 : 0.5)
    }
  }
  return hits
}

function addAll(hits: Map<number, number>, list: readonly number[], score: number): void {
  for (const i of list) if ((hits.get(i) ?? 0) < score) hits.set(i, score)
}

function intersect(acc: Map<number, number> | undefined, next: Map<number, number>): Map<number, number> {
  if (acc === undefined) return next
  const out = new Map<number, number>()
  for (const [i, score] of acc) {
    const other = next.get(i)
    if (other !== undefined) out.set(i, score + other)
  }
  return out
}

function startsWithBonus(entry: Entry, first: string): number {
  return entry.tokens[0]?.startsWith(first) === true ? 0.15 : 0
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
