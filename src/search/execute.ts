// Query execution over the minisearch index with dense typed arrays.
// minisearch's own search() builds an object (score, terms, match map) per
// matching document and sorts them all: at NRW scale "beantragen" matches
// 12k services through its prefix and typo expansions, and that bookkeeping
// cost more than half of the query. This reads the same postings and
// computes the same BM25 scores in the same order of operations (so scores
// are bit-identical; test/search/execute.test.ts compares with
// engine.search), and leaves the matched-term lists to be rebuilt only for
// the hits on the page.
//
// It reads minisearch 7.2 internals (EngineInternals below); the test fails
// if an upgrade changes them. The index is add-only (no discard), so every
// posting belongs to a live document.
import type MiniSearch from 'minisearch'

export interface TermQuery {
  term: string
  /** minisearch's termBoost */
  weight: number
  prefix: boolean
  /** maximum edit distance, 0 for none */
  fuzzy: number
  /**
   * index terms for the word with two neighbouring letters swapped, each one
   * edit (Damerau), searched when the term itself is not in the index; not in
   * minisearch's own search()
   */
  swaps?: readonly string[]
}

export interface ExecuteOptions {
  fields: readonly string[]
  boost: Readonly<Record<string, number>>
  weights: { fuzzy: number; prefix: number }
  /** index terms a prefix or typo variant must not expand to (the term itself still matches); none by default, as minisearch */
  skipVariant?: (term: string) => boolean
}

/** term -> field id -> document short id -> term frequency */
type Postings = Map<number, Map<number, number>>

interface TermMap {
  get(term: string): Postings | undefined
  atPrefix(prefix: string): Iterable<[string, Postings]>
  fuzzyGet(term: string, distance: number): Map<string, [Postings, number]>
}

interface EngineInternals {
  _index: TermMap
  _fieldIds: Record<string, number>
  _fieldLength: Map<number, number[]>
  _avgFieldLength: number[]
  _documentCount: number
  _nextId: number
}

/** Field lengths copied once per index into one typed array: no Map lookup per posting. */
export interface ScoringData {
  engine: EngineInternals
  fieldCount: number
  fieldLength: Uint32Array
}

// minisearch's defaults (defaultBM25params)
const K = 1.2
const B = 0.7
const D = 0.5

export function prepareScoring(engine: MiniSearch<unknown>): ScoringData {
  const internals = engine as unknown as EngineInternals
  const fieldCount = Object.keys(internals._fieldIds).length
  const fieldLength = new Uint32Array(internals._nextId * fieldCount)
  for (const [doc, lengths] of internals._fieldLength) {
    for (let f = 0; f < fieldCount; f++) fieldLength[doc * fieldCount + f] = lengths[f] ?? 0
  }
  return { engine: internals, fieldCount, fieldLength }
}

/** One index term a query term expanded to, in minisearch's order. */
interface Derived {
  source: number
  term: string
  postings: Postings
}

export interface Execution {
  /** matched document short ids, in first-match order */
  docs: number[]
  /** by short id: minisearch's score, its quality factor included */
  scores: Float64Array
  /** by short id * words: bit i set when query term i matched */
  masks: Uint32Array
  words: number
  derived: Derived[]
  fieldIds: number[]
}

export function execute(data: ScoringData, terms: readonly TermQuery[], options: ExecuteOptions): Execution {
  const size = data.engine._nextId
  const words = Math.max(1, Math.ceil(terms.length / 32))
  const fieldIds = options.fields.map((f) => data.engine._fieldIds[f] as number)
  const fieldBoosts = options.fields.map((f) => options.boost[f] || 1)
  const run: Execution = { docs: [], scores: new Float64Array(size), masks: new Uint32Array(size * words), words, derived: [], fieldIds }
  const termScores = new Float64Array(size)
  const touched: number[] = []
  terms.forEach((query, i) => {
    for (const [term, postings, weight] of expand(data.engine._index, query, options.weights, options.skipVariant)) {
      run.derived.push({ source: i, term, postings })
      fieldIds.forEach((fieldId, f) => {
        const freqs = postings.get(fieldId)
        if (freqs === undefined) return
        accumulate(data, freqs, fieldId, weight * query.weight * (fieldBoosts[f] as number), termScores, touched)
      })
    }
    // Summed per query term first, then across terms, as minisearch's OR combination does.
    const word = i >>> 5
    const bit = 1 << (i & 31)
    for (const doc of touched) {
      if (isUnmatched(run, doc)) run.docs.push(doc)
      run.masks[doc * words + word] = ((run.masks[doc * words + word] as number) | bit) >>> 0
      run.scores[doc] = (run.scores[doc] as number) + (termScores[doc] as number)
      termScores[doc] = 0
    }
    touched.length = 0
  })
  for (const doc of run.docs) run.scores[doc] = (run.scores[doc] as number) * quality(run, doc)
  return run
}

/**
 * The term itself, its prefix extensions, then its typo variants not already
 * found by prefix, with minisearch's weights; then its transpositions, each
 * weighed as one edit.
 */
function* expand(index: TermMap, query: TermQuery, weights: ExecuteOptions['weights'], skip?: (term: string) => boolean): Generator<[string, Postings, number]> {
  const exact = index.get(query.term)
  if (exact !== undefined) yield [query.term, exact, 1]
  const fuzzy = query.fuzzy > 0 ? index.fuzzyGet(query.term, query.fuzzy) : undefined
  // only a term that will try its swaps needs to know which terms the prefix already gave
  const prefixed = query.swaps !== undefined && exact === undefined ? new Set<string>() : undefined
  if (query.prefix) {
    for (const [term, postings] of index.atPrefix(query.term)) {
      const distance = term.length - query.term.length
      if (!distance) continue
      fuzzy?.delete(term)
      prefixed?.add(term)
      if (skip?.(term)) continue
      yield [term, postings, (weights.prefix * term.length) / (term.length + 0.3 * distance)]
    }
  }
  if (fuzzy !== undefined) {
    for (const [term, [postings, distance]] of fuzzy) {
      if (!distance || skip?.(term)) continue
      yield [term, postings, (weights.fuzzy * term.length) / (term.length + distance)]
    }
  }
  if (query.swaps === undefined || exact !== undefined) return
  for (const term of query.swaps) {
    if (fuzzy?.has(term) || prefixed?.has(term) || skip?.(term)) continue
    const postings = index.get(term)
    if (postings !== undefined) yield [term, postings, (weights.fuzzy * term.length) / (term.length + 1)]
  }
}

/** BM25 as minisearch's calcBM25Score, term and field constants hoisted. */
function accumulate(data: ScoringData, freqs: Map<number, number>, fieldId: number, weight: number, termScores: Float64Array, touched: number[]): void {
  const matching = freqs.size
  const total = data.engine._documentCount
  const idf = Math.log(1 + (total - matching + 0.5) / (matching + 0.5))
  const avg = data.engine._avgFieldLength[fieldId] as number
  const { fieldCount, fieldLength } = data
  freqs.forEach((tf, doc) => {
    const length = fieldLength[doc * fieldCount + fieldId] as number
    const raw = idf * (D + (tf * (K + 1)) / (tf + K * (1 - B + (B * length) / avg)))
    const previous = termScores[doc] as number
    if (previous === 0) touched.push(doc)
    termScores[doc] = previous + weight * raw
  })
}

function isUnmatched(run: Execution, doc: number): boolean {
  for (let w = 0; w < run.words; w++) if (run.masks[doc * run.words + w] !== 0) return false
  return true
}

function quality(run: Execution, doc: number): number {
  let n = 0
  for (let w = 0; w < run.words; w++) {
    let m = run.masks[doc * run.words + w] as number
    for (; m !== 0; m &= m - 1) n++
  }
  return n || 1
}

/** Query term indices that matched a document. */
export function matchedQueryTerms(run: Execution, doc: number): number[] {
  const out: number[] = []
  for (let w = 0; w < run.words; w++) {
    const m = run.masks[doc * run.words + w] as number
    for (let b = 0; b < 32; b++) if (m & (1 << b)) out.push(w * 32 + b)
  }
  return out
}

/** The index terms a document matched, in minisearch's order (Object.keys of its match object). */
export function matchedIndexTerms(run: Execution, doc: number): string[] {
  const match: Record<string, true> = {}
  for (const d of run.derived) {
    if (Object.prototype.hasOwnProperty.call(match, d.term)) continue
    if (run.fieldIds.some((f) => d.postings.get(f)?.has(doc))) match[d.term] = true
  }
  return Object.keys(match)
}
