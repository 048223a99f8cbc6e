// Query analysis: the resident's words -> weighted index terms. Each query
// word is one group; its stem is searched with prefix and length-scaled
// typo tolerance, its compound parts and synonym expansions at lower weight.
import { splitCompound } from './compounds.js'
import { normalizeQuery, stem, transpositions, typoBudget } from './normalize.js'
import { matchSynonyms, type SynonymTable } from './synonyms.js'

const WEIGHT = { direct: 1, synonym: 0.7, part: 0.5 } as const
/**
 * Each further meaning of a synonym weighs this much less than the one
 * before: config/synonyms.json lists the usual meaning first ("hundesteuer"
 * -> "Hund anmelden", then "Hund abmelden"). Without it, BM25 ranks the
 * rarer alternative word ("abmeld" beats the common "anmeld") first.
 */
const SYNONYM_RANK_DECAY = 0.8
const MAX_ALTERNATIVES = 40
const MIN_PREFIX = 4
/** "amt" <-> "mat": below four letters a swap makes another word too often */
const MIN_TRANSPOSE = 4

interface QueryTerm {
  term: string
  weight: number
  prefix: boolean
  fuzzy: number
  /** the word with two neighbouring letters swapped, stemmed: one typo each (words of at least MIN_TRANSPOSE letters, no digits) */
  swaps?: string[]
  /** query words (group indices) this term stands for on its own */
  covers: number[]
}

/** A synonym meaning: it stands for its query words only where all its terms match. */
interface QueryPhrase {
  terms: string[]
  covers: number[]
}

export interface AnalysedQuery {
  normalized: string
  groups: number
  terms: QueryTerm[]
  /** every meaning of each synonym key the query contains */
  phrases: QueryPhrase[]
  /** stemmed first (usual) meaning of each synonym key the query contains */
  meanings: string[][]
}

/**
 * Swapped on the word as typed, then stemmed: the stemmer cuts "auswies"
 * (for "ausweis") and "anmeldnug" differently from the word meant, so a swap
 * of the stem would miss them.
 */
function swappedStems(token: string, own: string): string[] | undefined {
  if (token.length < MIN_TRANSPOSE || /\d/.test(token)) return undefined
  const stems = new Set(transpositions(token).map(stem))
  stems.delete(own)
  return [...stems]
}

export function analyseQuery(q: string, vocabulary: ReadonlySet<string>, synonyms: SynonymTable): AnalysedQuery {
  const { tokens, text } = normalizeQuery(q)
  const stems = tokens.map(stem)
  const terms = new Map<string, QueryTerm>()
  const add = (t: QueryTerm) => {
    const existing = terms.get(t.term)
    if (!existing) {
      if (terms.size < MAX_ALTERNATIVES) terms.set(t.term, t)
      return
    }
    if (t.weight > existing.weight) Object.assign(existing, { weight: t.weight, prefix: t.prefix, fuzzy: t.fuzzy, swaps: t.swaps })
    for (const c of t.covers) if (!existing.covers.includes(c)) existing.covers.push(c)
  }
  stems.forEach((s, i) => {
    const token = tokens[i] ?? s
    add({ term: s, weight: WEIGHT.direct, prefix: s.length >= MIN_PREFIX, fuzzy: typoBudget(token), swaps: swappedStems(token, s), covers: [i] })
  })
  const meanings: string[][] = []
  const phrases: QueryPhrase[] = []
  for (const match of matchSynonyms(synonyms, stems)) {
    const covers = range(match.from, match.to)
    if (match.phrases[0]) meanings.push(match.phrases[0])
    match.phrases.forEach((phrase, rank) => {
      const weight = WEIGHT.synonym * SYNONYM_RANK_DECAY ** rank
      // "anmeld" alone (from "Hund anmelden") does not stand for "hundesteuer".
      for (const term of phrase) add({ term, weight, prefix: false, fuzzy: 0, covers: [] })
      phrases.push({ terms: phrase, covers })
    })
  }
  tokens.forEach((token, i) => {
    // Only words the index does not know as such are split ("perso|nalausweis" is noise).
    if (vocabulary.has(token)) return
    for (const part of splitCompound(token, vocabulary)) {
      add({ term: stem(part), weight: WEIGHT.part, prefix: false, fuzzy: 0, covers: [i] })
    }
  })
  // A term cut by MAX_ALTERNATIVES can never match: judge phrases by the terms searched.
  for (const p of phrases) p.terms = p.terms.filter((term) => terms.has(term))
  return { normalized: text, groups: tokens.length, terms: [...terms.values()], phrases: phrases.filter((p) => p.terms.length > 0), meanings }
}

function range(from: number, to: number): number[] {
  const out: number[] = []
  for (let i = from; i <= to; i++) out.push(i)
  return out
}
