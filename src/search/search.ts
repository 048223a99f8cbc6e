// search(): ranked hits with highlights and facets over one index. Pure.
// Cost per query is bounded by the number of matching services, never by
// offerings per service: facets use precomputed member positions, the
// resident's offering is a map lookup, and each hit carries a bounded
// offering list (MAX_OFFERINGS_PER_HIT; offeringCount says how many exist,
// /api/v1/services/:id has them all).
import type { Catalog, Offering, RegionalService } from '../catalog/types.js'
import { responsibleChain } from '../catalog/responsibility.js'
import type { Level } from '../manifest/schema.js'
import { analyseQuery, type AnalysedQuery, type QueryPhrase, type QueryTerm } from './query.js'
import { FIELD_BOOST, MAIN_FIELDS, type IndexedService, type SearchIndex } from './search-index.js'

export const MAX_OFFERINGS_PER_HIT = 3
export const MAX_MEMBER_FACETS = 30
const MAX_HIGHLIGHTS = 10
/** Matches scoring below this share of the best raw score are noise (e.g. only a document name matched). */
const NOISE_FLOOR = 0.01
/** Resident-first applies to hits at least this relevant relative to the best. */
const LOCAL_FLOOR = 0.25
/** The name contains the usual meaning of a synonym in the query (see nameBoost). */
const USUAL_MEANING_BOOST = 1.3

export interface SearchParams {
  q: string
  postalCode?: string
  member?: string
  lifeSituation?: string
  level?: Level
  page: number
  pageSize: number
}

export interface FacetValue {
  value: string
  count: number
}

export interface SearchHit {
  service: RegionalService
  score: number
  highlights: string[]
  forYou?: Offering
}

export interface SearchResult {
  query: string
  normalizedQuery: string
  total: number
  page: number
  pageSize: number
  hits: SearchHit[]
  facets: { member: FacetValue[]; lifeSituation: FacetValue[]; level: FacetValue[] }
}

interface Candidate {
  doc: IndexedService
  score: number
  terms: string[]
  local: boolean
}

export function search(index: SearchIndex, params: SearchParams, catalog: Catalog = index.catalog): SearchResult {
  const query = analyseQuery(params.q, index.vocabulary, index.synonyms)
  const chain = params.member !== undefined || params.postalCode !== undefined
    ? responsibleChain(catalog, params.member !== undefined ? { member: params.member } : { postalCode: params.postalCode as string })
    : []
  const matched = match(index, query, chain)
  const byLevel = (c: Candidate) => params.level === undefined || c.doc.service.levels.includes(params.level)
  const byLife = (c: Candidate) => params.lifeSituation === undefined || c.doc.service.lifeSituations.includes(params.lifeSituation)
  const results = rank(matched.filter((c) => byLevel(c) && byLife(c)))
  const start = (params.page - 1) * params.pageSize
  return {
    query: params.q,
    normalizedQuery: query.normalized,
    total: results.length,
    page: params.page,
    pageSize: params.pageSize,
    hits: results.slice(start, start + params.pageSize).map((c) => toHit(c, chain)),
    facets: {
      member: memberFacet(index, results),
      // Disjunctive facets: each one counts as if its own filter were not set.
      lifeSituation: countValues(matched.filter(byLevel), (s) => s.lifeSituations),
      level: countValues(matched.filter(byLife), (s) => s.levels),
    },
  }
}

/** Below this many matches in the main fields, documents and offices are searched too. */
const EXTRA_FIELD_BELOW = 20

function match(index: SearchIndex, analysed: AnalysedQuery, chain: readonly string[]): Candidate[] {
  const { terms, groups, phrases, meanings } = analysed
  if (terms.length === 0) return []
  const byTerm = new Map(terms.map((t) => [t.term, t]))
  const options = {
    tokenize: (text: string) => text.split(' '),
    processTerm: (term: string) => term,
    boost: { ...FIELD_BOOST },
    boostTerm: (_term: string, i: number) => terms[i]?.weight ?? 1,
    prefix: (_term: string, i: number) => terms[i]?.prefix ?? false,
    fuzzy: (_term: string, i: number) => terms[i]?.fuzzy ?? 0,
    weights: { fuzzy: 0.3, prefix: 0.35 },
  }
  const query = terms.map((t) => t.term).join(' ')
  let results = index.engine.search(query, { ...options, fields: MAIN_FIELDS })
  // Documents and offices are shared by most services ("Personalausweis"):
  // searched as written and only when the main fields find little.
  if (results.length < EXTRA_FIELD_BELOW) {
    const seen = new Set(results.map((r) => r.id as number))
    const extra = index.engine.search(query, { ...options, fields: ['extra'], prefix: false, fuzzy: false })
    results = [...results, ...extra.filter((r) => !seen.has(r.id as number))]
  }
  const stems = terms.filter((t) => t.weight === 1).map((t) => t.term)
  const floor = results.reduce((m, r) => Math.max(m, r.score), 0) * NOISE_FLOOR
  const out: Candidate[] = []
  for (const r of results) {
    if (r.score < floor) continue
    const coverage = coverageOf(r.queryTerms, byTerm, phrases, groups)
    // Only fragments of a meaning matched ("anmelden" of "Hund anmelden" for
    // "hundesteuer"): nothing the resident typed or meant.
    if (coverage === 0) continue
    const doc = index.docs[r.id as number] as IndexedService
    const score = r.score * (0.3 + 0.7 * coverage * coverage) * nameBoost(doc.nameStems, stems, meanings)
    out.push({ doc, score, terms: r.terms, local: chain.some((m) => doc.offeringByMember.has(m)) })
  }
  return out
}

/** Share of the query words a match stands for: direct terms and parts alone, synonym meanings only whole. */
function coverageOf(matched: readonly string[], byTerm: ReadonlyMap<string, QueryTerm>, phrases: readonly QueryPhrase[], groups: number): number {
  if (groups === 0) return 0
  const covered = new Set<number>()
  for (const qt of matched) for (const g of byTerm.get(qt)?.covers ?? []) covered.add(g)
  for (const p of phrases) if (p.terms.every((term) => matched.includes(term))) for (const g of p.covers) covered.add(g)
  return covered.size / groups
}

/**
 * Exact boosts: every query word in the name, the name starting with the
 * query, and the name saying what a colloquial query word usually means
 * (its first meaning in config/synonyms.json: "hundesteuer" -> "Hund
 * anmelden"). The last one settles queries whose word sits in several names
 * ("Hund anmelden (Hundesteuer)", "Hund abmelden (Hundesteuer)"), where BM25
 * alone would prefer whichever alternative word is rarer.
 */
function nameBoost(name: readonly string[], stems: readonly string[], meanings: readonly string[][]): number {
  if (stems.length === 0) return 1
  let boost = 1
  if (stems.every((s) => name.includes(s))) boost *= 1.5
  if (stems.every((s, i) => name[i] === s)) boost *= 1.2
  if (meanings.some((m) => m.every((s) => name.includes(s)))) boost *= USUAL_MEANING_BOOST
  return boost
}

/** Resident's services first (when relevant enough), then score, then id for a stable order. */
function rank(candidates: Candidate[]): Candidate[] {
  const best = candidates.reduce((m, c) => Math.max(m, c.score), 0)
  const tier = (c: Candidate) => (c.local && c.score >= best * LOCAL_FLOOR ? 0 : 1)
  return candidates.sort((a, b) => tier(a) - tier(b) || b.score - a.score || (a.doc.service.id < b.doc.service.id ? -1 : 1))
}

function toHit(c: Candidate, chain: readonly string[]): SearchHit {
  let forYou: Offering | undefined
  for (const member of chain) {
    forYou = c.doc.offeringByMember.get(member)
    if (forYou) break
  }
  const hit: SearchHit = {
    service: withBoundedOfferings(c.doc.service, forYou),
    score: Math.round(c.score * 1000) / 1000,
    highlights: highlights(c),
  }
  if (forYou) hit.forYou = forYou
  return hit
}

function withBoundedOfferings(service: RegionalService, forYou: Offering | undefined): RegionalService {
  if (service.offerings.length <= MAX_OFFERINGS_PER_HIT && forYou === undefined) return service
  const offerings: Offering[] = forYou ? [forYou] : []
  for (const o of service.offerings) {
    if (offerings.length >= MAX_OFFERINGS_PER_HIT) break
    if (o !== forYou) offerings.push(o)
  }
  return { ...service, offerings }
}

function highlights(c: Candidate): string[] {
  const out = new Set<string>()
  for (const term of c.terms) {
    const surface = c.doc.surfaces.get(term)
    if (surface !== undefined && surface.length > 0) out.add(surface)
    if (out.size >= MAX_HIGHLIGHTS) break
  }
  return [...out]
}

function memberFacet(index: SearchIndex, results: readonly Candidate[]): { value: string; count: number }[] {
  const counts = new Uint32Array(index.memberIds.length)
  for (const c of results) for (const pos of c.doc.memberPositions) counts[pos] = (counts[pos] ?? 0) + 1
  const out: { value: string; count: number }[] = []
  counts.forEach((count, pos) => {
    if (count > 0) out.push({ value: index.memberIds[pos] as string, count })
  })
  return sortFacet(out).slice(0, MAX_MEMBER_FACETS)
}

function countValues(candidates: readonly Candidate[], values: (s: RegionalService) => readonly string[]): FacetValue[] {
  const counts = new Map<string, number>()
  for (const c of candidates) for (const v of values(c.doc.service)) counts.set(v, (counts.get(v) ?? 0) + 1)
  return sortFacet([...counts].map(([value, count]) => ({ value, count })))
}

function sortFacet(values: FacetValue[]): FacetValue[] {
  return values.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
}
