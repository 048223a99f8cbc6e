// The in-process search index over one catalog version. Built by a
// generator that yields between slices, so the holder can build in the
// background without blocking requests; buildSearchIndex runs it at once.
//
// Library choice: minisearch. Measured with bench/search-libs.mjs (each
// library alone: same name/synonyms/summary fields, same folding via
// normalize.ts, boosts name 3 > synonyms 2 > summary 1, prefix on, typo
// budget by word length; no synonym table, compounds or our ranking).
// Node 20, 2 shared cores under load (build times varied 2-3x between runs).
//                         minisearch 7.2.0  @orama/orama 3.1.18  flexsearch 0.8.212
//   region, 76 services
//     build ms (median/15)     1.3              24                17 (soundex enc. 8)
//     heap after build MB      0.55             0.94              3.3
//     query p50 / p99 us       44 / 149         547 / 2203        1.7 / 22
//     judged 44: hit@3, MRR    100%, 1.00       100%, 1.00        97.7%, 0.97
//     one typo 36: hit@3, MRR  100%, 0.99       100%, 0.99        16.7%, 0.14 (soundex 72%, 0.69)
//   NRW synthetic, 25,696 services
//     build ms / heap MB       612 / 23         822 / 152         1016 / 31
//     query p50 / p99 us       400 / 10,507     4,568 / 1,233,451 4.9 / 1,784
//   last release (npm)         2025-09-17       2025-12-21        2025-10-01
//   types / runtime deps       own .d.ts / 0    own .d.ts / 0     own .d.ts / 0
//   licence                    MIT              Apache-2.0        Apache-2.0 (still 0.x)
// Why: minisearch builds fastest with the least memory, ranks with BM25
// across fields with per-field boosts, and takes a per-term fuzzy function,
// so typo tolerance scales with word length (typoBudget). Orama matches its
// relevance but queries ~10x slower; its one tolerance per query costs
// 1.2 s on "personalausweis beantragen" at NRW scale and it needs ~6x the
// heap. flexsearch answers fastest by far but has no edit-distance typo
// tolerance (phonetic encoders only) and no cross-field score (the bench
// fuses per-field rankings itself). Caveat: the judged queries are easy for
// all three because the catalog's own synonyms carry colloquial words; the
// one-typo set (middle letter of the longest word dropped) separates them.
import MiniSearch from 'minisearch'
import type { Catalog, Offering, RegionalService } from '../catalog/types.js'
import { buildDocument, FIELDS, type SearchDocument } from './document.js'
import { prepareScoring, type ScoringData } from './execute.js'
import { ValueDictionary } from './facets.js'
import { serviceChannelPositions } from './channels.js'
import { buildSuggestIndex, type SuggestIndex } from './suggest.js'
import { buildSynonymTable, type SynonymEntry, type SynonymTable } from './synonyms.js'

export interface IndexedService {
  service: RegionalService
  nameStems: string[]
  surfaces: Map<string, string>
  /** distinct member positions (into SearchIndex.memberIds) offering it: facet counts */
  memberPositions: Int32Array
  /** positions into SearchIndex.lifeSituationIds / levelIds: facet counts */
  lifeSituationPositions: Int32Array
  levelPositions: Int32Array
  /** positions into SEARCH_CHANNELS (search/channels.ts): facet counts and the channel filter */
  channelPositions: Int32Array
  /** first offering per member: filters and the resident-first rank (forYou itself: residentOffering) */
  offeringByMember: Map<string, Offering>
}

export interface SearchIndex {
  version: number
  catalog: Catalog
  engine: MiniSearch<SearchDocument>
  scoring: ScoringData
  /** by document id, which is also minisearch's short id (add-only, from 0) */
  docs: IndexedService[]
  memberIds: string[]
  lifeSituationIds: string[]
  levelIds: string[]
  vocabulary: Set<string>
  synonyms: SynonymTable
  suggest: SuggestIndex
  buildMs: number
}

export interface BuildOptions {
  synonyms?: readonly SynonymEntry[]
}

export const FIELD_BOOST: Readonly<Record<(typeof FIELDS)[number], number>> = {
  name: 3,
  synonyms: 2,
  parts: 1,
  summary: 1,
  extra: 0.4,
}

/** Fields every query searches; `extra` (documents, offices) is a fallback. */
export const MAIN_FIELDS = ['name', 'synonyms', 'parts', 'summary']

/** Builds the index synchronously (tests, the first build at start-up). */
export function buildSearchIndex(catalog: Catalog, options: BuildOptions = {}): SearchIndex {
  const steps = buildSteps(catalog, options)
  for (;;) {
    const next = steps.next()
    if (next.done) return next.value
  }
}

/** The build, cut into slices: each `yield` is a safe point to pause. */
export function* buildSteps(catalog: Catalog, options: BuildOptions = {}): Generator<void, SearchIndex, void> {
  const started = performance.now()
  const memberIds = catalog.members.map((m) => m.id)
  const memberPos = new Map(memberIds.map((id, i) => [id, i]))
  const engine = new MiniSearch<SearchDocument>({
    fields: [...FIELDS],
    storeFields: [],
    // Text arrives analysed (folded, stemmed): split on the spaces we joined with.
    tokenize: (text) => (text.length === 0 ? [] : text.split(' ')),
    processTerm: (term) => term,
  })
  const docs: IndexedService[] = []
  const lifeSituations = new ValueDictionary()
  const levels = new ValueDictionary()
  const vocabulary = new Set<string>()
  let offeringsSinceYield = 0
  for (const service of catalog.services) {
    const built = buildDocument(docs.length, service)
    engine.add(built.doc)
    for (const w of built.words) vocabulary.add(w)
    docs.push({
      service,
      nameStems: built.nameStems,
      surfaces: built.surfaces,
      ...memberData(service, memberPos),
      lifeSituationPositions: lifeSituations.positions(service.lifeSituations),
      levelPositions: levels.positions(service.levels),
      channelPositions: serviceChannelPositions(service),
    })
    offeringsSinceYield += service.offerings.length + 20
    if (offeringsSinceYield >= 2000) {
      offeringsSinceYield = 0
      yield
    }
  }
  const synonyms = buildSynonymTable(options.synonyms ?? [])
  yield
  const suggest = buildSuggestIndex(catalog.services, options.synonyms ?? [])
  return {
    version: catalog.version,
    catalog,
    engine,
    scoring: prepareScoring(engine as MiniSearch<unknown>),
    docs,
    memberIds,
    lifeSituationIds: lifeSituations.ids,
    levelIds: levels.ids,
    vocabulary,
    synonyms,
    suggest,
    buildMs: performance.now() - started,
  }
}

function memberData(service: RegionalService, memberPos: Map<string, number>): Pick<IndexedService, 'memberPositions' | 'offeringByMember'> {
  const offeringByMember = new Map<string, Offering>()
  for (const o of service.offerings) if (!offeringByMember.has(o.member)) offeringByMember.set(o.member, o)
  const positions: number[] = []
  for (const member of offeringByMember.keys()) {
    const pos = memberPos.get(member)
    if (pos !== undefined) positions.push(pos)
  }
  return { offeringByMember, memberPositions: Int32Array.from(positions) }
}
