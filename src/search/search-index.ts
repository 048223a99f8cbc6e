// The in-process search index over one catalog version. Built by a
// generator that yields between slices, so the holder can build in the
// background without blocking requests; buildSearchIndex runs it at once.
//
// Library choice (see README.md): minisearch — BM25 over a radix tree with
// per-field boosts, per-term boosts, prefix and fuzzy search, and custom
// tokenising, which is all the German work here needs.
import MiniSearch from 'minisearch'
import type { Catalog, Offering, RegionalService } from '../catalog/types.js'
import { buildDocument, FIELDS, type SearchDocument } from './document.js'
import { buildSuggestIndex, type SuggestIndex } from './suggest.js'
import { buildSynonymTable, type SynonymEntry, type SynonymTable } from './synonyms.js'

export interface IndexedService {
  service: RegionalService
  nameStems: string[]
  surfaces: Map<string, string>
  /** distinct member positions (into SearchIndex.memberIds) offering it: facet counts */
  memberPositions: Int32Array
  /** first offering per member, as pickOffering would find it */
  offeringByMember: Map<string, Offering>
}

export interface SearchIndex {
  version: number
  catalog: Catalog
  engine: MiniSearch<SearchDocument>
  docs: IndexedService[]
  memberIds: string[]
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
    docs,
    memberIds,
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
