// search(): ranked hits with highlights and facets over one index. Pure.
// Cost per query is bounded by the number of matching services, never by
// offerings per service: facets use precomputed member positions, the
// resident's offering is picked for the page's hits only (residentOffering,
// the one rule for every answer), and each hit carries a bounded
// offering list (MAX_OFFERINGS_PER_HIT; offeringCount says how many exist,
// /api/v1/services/:id has them all). Work per match is kept to scores and
// counters (execute.ts, facets.ts); ordering, highlights and offerings are
// computed for the page's hits only (top-k.ts).
import type { Catalog, Offering, RegionalService } from '../catalog/types.js'
import type { CompactOffering, CompactService, RegionalServiceAnswer } from '../catalog/schemas.js'
import { residentOffering, responsibleChain, type AreaKey } from '../catalog/responsibility.js'
import { compactOffering, compactService, type View } from '../catalog/views.js'
import type { Level } from '../manifest/schema.js'
import { execute, matchedIndexTerms, type Execution, type TermQuery } from './execute.js'
import { countInto, facetValues, type FacetValue } from './facets.js'
import { SEARCH_CHANNELS, type SearchChannel } from './channels.js'
import { analyseQuery, type AnalysedQuery } from './query.js'
import { STOP_STEMS } from './normalize.js'
import { FIELD_BOOST, MAIN_FIELDS, type IndexedService, type SearchIndex } from './search-index.js'
import { topK } from './top-k.js'

export type { FacetValue } from './facets.js'
export const MAX_OFFERINGS_PER_HIT = 3
const MAX_MEMBER_FACETS = 30
const MAX_HIGHLIGHTS = 10
/** Matches scoring below this share of the best raw score are noise (e.g. only a document name matched). */
const NOISE_FLOOR = 0.01
/** Resident-first applies to hits at least this relevant relative to the best. */
const LOCAL_FLOOR = 0.25
/** The name contains the usual meaning of a synonym in the query (see nameBoost). */
const USUAL_MEANING_BOOST = 1.3

export interface SearchParams {
  q: string
  /** the resident's postal code: their members' services first, with forYou */
  postalCode?: string
  /** the resident's member (instead of postalCode): its chain's services first, with forYou */
  residentMember?: string
  /** the resident's area as ARS or AGS (instead of postalCode, as PVOG takes it) */
  area?: AreaKey
  /** filter: only services this member itself offers (forYou is its offering) */
  member?: string
  lifeSituation?: string
  level?: Level
  /** filter: at least one offering can be done this way (search/channels.ts) */
  channel?: SearchChannel
  page: number
  pageSize: number
}

export interface SearchHit {
  /** `forYou` on the service too, as on every list */
  service: RegionalServiceAnswer
  score: number
  highlights: string[]
  /** deprecated alias of service.forYou */
  forYou?: Offering
}

export interface CompactHit {
  service: CompactService
  score: number
  highlights: string[]
  /** deprecated alias of service.forYou */
  forYou?: CompactOffering
}

export interface SearchResult<Hit = SearchHit> {
  query: string
  normalizedQuery: string
  total: number
  page: number
  pageSize: number
  hits: Hit[]
  facets: { member: FacetValue[]; lifeSituation: FacetValue[]; level: FacetValue[]; channel: FacetValue[] }
}

interface Candidate {
  doc: IndexedService
  score: number
  /** the execution that matched it and its document id there (for highlights) */
  run: Execution
  id: number
  local: boolean
  /** idf-weighted share of the query words it matched; 1 = all that matched anything */
  share: number
  /** how it matched: MAIN_FIELDS, else only documents/offices */
  evidence: number
  tier: number
}

/**
 * Order of evidence: a service about the word (name, synonyms, summary), then
 * one that only needs it as a document but shares a life situation with the
 * best such service (Reisepass for "personalausweis"), then one that only
 * needs it (Wohnsitz anmelden: "Personalausweis oder Reisepass").
 */
const MAIN = 0
const DOCUMENT_RELATED = 1
const DOCUMENT = 2

/** view full (default): each hit's service with a bounded offering list; compact: catalog/views.ts. */
export function search(index: SearchIndex, params: SearchParams, catalog?: Catalog, view?: 'full'): SearchResult
export function search(index: SearchIndex, params: SearchParams, catalog: Catalog | undefined, view: 'compact'): SearchResult<CompactHit>
export function search(index: SearchIndex, params: SearchParams, catalog: Catalog | undefined, view: View): SearchResult | SearchResult<CompactHit>
export function search(index: SearchIndex, params: SearchParams, catalog: Catalog = index.catalog, view: View = 'full'): SearchResult | SearchResult<CompactHit> {
  const query = analyseQuery(params.q, index.vocabulary, index.synonyms)
  const resident = params.residentMember !== undefined ? responsibleChain(catalog, { member: params.residentMember })
    : params.postalCode !== undefined ? responsibleChain(catalog, { postalCode: params.postalCode })
      : params.area !== undefined ? responsibleChain(catalog, { area: params.area })
        : []
  const matched = match(index, query, resident)
  const { level, lifeSituation, member, channel } = params
  const channelPos = channel === undefined ? -1 : SEARCH_CHANNELS.indexOf(channel)
  // Filtered to one member, its offering is the one to show.
  const chain = member !== undefined ? [member] : resident
  const results: Candidate[] = []
  const members = new Uint32Array(index.memberIds.length)
  const lifeSituations = new Uint32Array(index.lifeSituationIds.length)
  const levels = new Uint32Array(index.levelIds.length)
  const channels = new Uint32Array(SEARCH_CHANNELS.length)
  for (const c of matched) {
    const byLevel = level === undefined || c.doc.service.levels.includes(level)
    const byLife = lifeSituation === undefined || c.doc.service.lifeSituations.includes(lifeSituation)
    const byMember = member === undefined || c.doc.offeringByMember.has(member)
    const byChannel = channel === undefined || c.doc.channelPositions.includes(channelPos)
    // Disjunctive facets: each one counts as if its own filter were not set.
    if (byLevel && byMember && byChannel) countInto(lifeSituations, c.doc.lifeSituationPositions)
    if (byLife && byMember && byChannel) countInto(levels, c.doc.levelPositions)
    if (byLevel && byLife && byChannel) countInto(members, c.doc.memberPositions)
    if (byLevel && byLife && byMember) countInto(channels, c.doc.channelPositions)
    if (byLevel && byLife && byMember && byChannel) results.push(c)
  }
  const start = (params.page - 1) * params.pageSize
  return {
    query: params.q,
    normalizedQuery: query.normalized,
    total: results.length,
    page: params.page,
    pageSize: params.pageSize,
    hits: rank(results, start + params.pageSize).slice(start).map((c) => (view === 'compact' ? toCompactHit(c, chain) : toHit(c, chain))),
    facets: {
      member: facetValues(index.memberIds, members).slice(0, MAX_MEMBER_FACETS),
      lifeSituation: facetValues(index.lifeSituationIds, lifeSituations),
      level: facetValues(index.levelIds, levels),
      channel: facetValues(SEARCH_CHANNELS, channels),
    },
  }
}

/** Below this many matches in the main fields, documents and offices are searched too. */
const EXTRA_FIELD_BELOW = 20
const WEIGHTS = { fuzzy: 0.3, prefix: 0.35 }
/** "hunde" is one edit from "und", "kinder" from "sind": a function word in every text is no typo of a query word. */
const isFunctionWord = (term: string) => STOP_STEMS.has(term)

function match(index: SearchIndex, analysed: AnalysedQuery, chain: readonly string[]): Candidate[] {
  const { terms, meanings } = analysed
  if (terms.length === 0) return []
  const queries: TermQuery[] = terms.map((t) => ({ term: t.term, weight: t.weight, prefix: t.prefix, fuzzy: t.fuzzy, ...(t.swaps === undefined ? {} : { swaps: t.swaps }) }))
  const main = execute(index.scoring, queries, { fields: MAIN_FIELDS, boost: FIELD_BOOST, weights: WEIGHTS, skipVariant: isFunctionWord })
  const found: [Execution, number][] = main.docs.map((id) => [main, id])
  // Documents and offices are shared by most services ("Personalausweis"):
  // searched as written and only when the main fields find little.
  if (main.docs.length < EXTRA_FIELD_BELOW) {
    const asWritten = queries.map(({ swaps: _swaps, ...q }) => ({ ...q, prefix: false, fuzzy: 0 }))
    const extra = execute(index.scoring, asWritten, { fields: ['extra'], boost: FIELD_BOOST, weights: WEIGHTS })
    for (const id of extra.docs) if (main.scores[id] === 0) found.push([extra, id])
  }
  const isMain = (run: Execution) => run === main
  const stems = terms.filter((t) => t.weight === 1).map((t) => t.term)
  const floor = found.reduce((m, [run, id]) => Math.max(m, run.scores[id] as number), 0) * NOISE_FLOOR
  const coverage = coverageCache(analysed)
  const kept: { run: Execution; id: number; raw: number; groups: number }[] = []
  const frequency = new Array<number>(analysed.groups).fill(0)
  for (const [run, id] of found) {
    const raw = run.scores[id] as number
    if (raw < floor) continue
    const groups = coverage(run, id)
    // Only fragments of a meaning matched ("anmelden" of "Hund anmelden" for
    // "hundesteuer"): nothing the resident typed or meant.
    if (groups === 0) continue
    kept.push({ run, id, raw, groups })
    // Counted only where the word is the topic: 43 offerings needing a
    // "Personalausweis" do not make the word common, and a word only
    // documents contain weighs nothing in the share ("name nach heirat":
    // Führerschein needs "Name und Anschrift der Fahrschule").
    if (isMain(run)) for (let g = 0; g < analysed.groups; g++) if (groups & (1 << g)) frequency[g] = (frequency[g] as number) + 1
  }
  const weights = groupWeights(frequency, index.docs.length)
  const matchable = frequency.reduce((mask, f, g) => (f > 0 ? mask | (1 << g) : mask), 0)
  const out: Candidate[] = []
  for (const { run, id, raw, groups } of kept) {
    const share = groups === matchable ? 1 : weightedShare(groups, weights)
    const doc = index.docs[id] as IndexedService
    const score = raw * (0.3 + 0.7 * share * share) * nameBoost(doc.nameStems, stems, meanings)
    out.push({ doc, score, run, id, local: chain.some((m) => doc.offeringByMember.has(m)), share, evidence: isMain(run) ? MAIN : DOCUMENT, tier: 1 })
  }
  relateDocumentMatches(out)
  return out
}

/** Document-only matches sharing a life situation with the best main match are related to the query's topic. */
function relateDocumentMatches(candidates: Candidate[]): void {
  let best: Candidate | undefined
  for (const c of candidates) {
    if (c.evidence === MAIN && (best === undefined || c.share > best.share || (c.share === best.share && c.score > best.score))) best = c
  }
  if (best === undefined) return
  const topics = best.doc.service.lifeSituations
  for (const c of candidates) {
    if (c.evidence === DOCUMENT && c.doc.service.lifeSituations.some((l) => topics.includes(l))) c.evidence = DOCUMENT_RELATED
  }
}

/**
 * How much each query word says, as BM25's idf over the matches: in "hund
 * anmelden" the rare "hund" names the topic, the common "anmelden" only the
 * act, so a service about dogs alone outranks one about registering
 * something else. Words nothing matched weigh 0 (they cannot separate).
 */
function groupWeights(frequency: readonly number[], documents: number): number[] {
  return frequency.map((f) => (f === 0 ? 0 : Math.log(1 + (documents - f + 0.5) / (f + 0.5))))
}

function weightedShare(groups: number, weights: readonly number[]): number {
  let covered = 0
  let total = 0
  weights.forEach((w, g) => {
    total += w
    if (groups & (1 << g)) covered += w
  })
  return total === 0 ? 0 : covered / total
}

/**
 * The query words (group bitmask; MAX_QUERY_TERMS keeps it within 32 bits) a
 * match stands for: direct terms and parts alone, synonym meanings only
 * whole. Depends only on which query terms matched, so it is computed once
 * per distinct set.
 */
function coverageCache(analysed: AnalysedQuery): (run: Execution, id: number) => number {
  const { terms, phrases } = analysed
  const position = new Map(terms.map((t, i) => [t.term, i]))
  const phraseTerms = phrases.map((p) => p.terms.map((term) => position.get(term) as number))
  const cache = new Map<number | string, number>()
  return (run, id) => {
    // One mask word (up to 32 terms, nearly always) keys by number: no string per match.
    const key = run.words === 1 ? (run.masks[id] as number) : run.masks.subarray(id * run.words, (id + 1) * run.words).join(',')
    let value = cache.get(key)
    if (value === undefined) {
      value = coveredGroups(run, id, analysed, phraseTerms)
      cache.set(key, value)
    }
    return value
  }
}

function coveredGroups(run: Execution, id: number, analysed: AnalysedQuery, phraseTerms: readonly number[][]): number {
  const has = (i: number) => (((run.masks[id * run.words + (i >>> 5)] as number) >>> (i & 31)) & 1) === 1
  let covered = 0
  analysed.terms.forEach((t, i) => {
    if (has(i)) for (const g of t.covers) covered |= 1 << g
  })
  analysed.phrases.forEach((p, n) => {
    if ((phraseTerms[n] as number[]).every(has)) for (const g of p.covers) covered |= 1 << g
  })
  return covered
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

/**
 * The first k in rank order: by how much of the query a service matches
 * (all words first, then the weightier part: issue 17), then by evidence
 * (about the words before only needing them as documents), then the resident's
 * services (when relevant enough), then score, then id for a stable order.
 */
function rank(candidates: Candidate[], k: number): Candidate[] {
  const best = candidates.reduce((m, c) => Math.max(m, c.score), 0)
  for (const c of candidates) c.tier = c.local && c.score >= best * LOCAL_FLOOR ? 0 : 1
  return topK(candidates, k, (a, b) => b.share - a.share || a.evidence - b.evidence || a.tier - b.tier || b.score - a.score || (a.doc.service.id < b.doc.service.id ? -1 : 1))
}

function toHit(c: Candidate, chain: readonly string[]): SearchHit {
  const forYou = residentOffering(c.doc.service.offerings, chain)
  const bounded = withBoundedOfferings(c.doc.service, forYou)
  const hit: SearchHit = {
    service: forYou ? { ...bounded, forYou } : bounded,
    score: Math.round(c.score * 1000) / 1000,
    highlights: highlights(c),
  }
  if (forYou) hit.forYou = forYou
  return hit
}

function toCompactHit(c: Candidate, chain: readonly string[]): CompactHit {
  const offering = residentOffering(c.doc.service.offerings, chain)
  const forYou = offering && compactOffering(offering)
  const service = compactService(c.doc.service)
  const hit: CompactHit = {
    service: forYou ? { ...service, forYou } : service,
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
  for (const term of matchedIndexTerms(c.run, c.id)) {
    const surface = c.doc.surfaces.get(term)
    if (surface !== undefined && surface.length > 0) out.add(surface)
    if (out.size >= MAX_HIGHLIGHTS) break
  }
  return [...out]
}
