// One search document per regional service, built by one function that
// folds, stems and dedupes deterministically. Offerings are aggregated by
// distinct text, so a service offered by 400 members costs about as much to
// index as one offered by 4.
import type { Offering, RegionalService } from '../catalog/types.js'
import { compoundSuffixes } from './compounds.js'
import { stem, tokenize } from './normalize.js'

export const FIELDS = ['name', 'synonyms', 'parts', 'summary', 'extra'] as const
type Field = (typeof FIELDS)[number]

/** Per-field caps on distinct strings gathered from offerings. */
const MAX_SYNONYMS = 200
const MAX_EXTRA = 200

export interface SearchDocument {
  id: number
  name: string
  synonyms: string
  parts: string
  summary: string
  extra: string
}

export interface DocumentText {
  doc: SearchDocument
  /** indexed term -> a word of this service as written (for highlights) */
  surfaces: Map<string, string>
  /** stems of the name, in order (for exact/prefix name boosts) */
  nameStems: string[]
  /** folded words seen (for query-side compound splitting) */
  words: string[]
}

/** Distinct strings from a service and its offerings, in first-seen order. */
function gatherTexts(service: RegionalService): { synonyms: string[]; extra: string[] } {
  const synonyms = new DistinctTexts(MAX_SYNONYMS)
  const extra = new DistinctTexts(MAX_EXTRA)
  for (const s of service.synonyms) synonyms.add(s)
  // PVOG finds a service by its LeiKa key: exact, in the field searched as written
  if (service.leikaKey !== undefined) extra.add(service.leikaKey)
  for (const o of service.offerings) gatherOffering(o, service.name, synonyms, extra)
  return { synonyms: synonyms.values, extra: extra.values }
}

function gatherOffering(o: Offering, serviceName: string, synonyms: DistinctTexts, extra: DistinctTexts): void {
  if (o.name !== serviceName) synonyms.add(o.name)
  for (const s of o.synonyms) synonyms.add(s)
  for (const d of o.documents ?? []) extra.add(d)
  if (o.office) extra.add(o.office.name)
}

export function buildDocument(id: number, service: RegionalService): DocumentText {
  const { synonyms, extra } = gatherTexts(service)
  const surfaces = new Map<string, string>()
  const words = new Set<string>()
  const name = analyzeField([service.name], surfaces, words)
  const syn = analyzeField(synonyms, surfaces, words)
  const summary = analyzeField([service.summary], surfaces, words)
  const extraTerms = analyzeField(extra, surfaces, null)
  const parts: string[] = []
  for (const term of [...name, ...syn]) {
    for (const suffix of compoundSuffixes(term)) {
      parts.push(suffix)
      if (!surfaces.has(suffix)) surfaces.set(suffix, surfaces.get(term) ?? term)
    }
  }
  return {
    doc: { id, name: name.join(' '), synonyms: syn.join(' '), parts: parts.join(' '), summary: summary.join(' '), extra: extraTerms.join(' ') },
    surfaces,
    nameStems: name,
    words: [...words],
  }
}

/** Texts -> stemmed terms; hyphenated words are also indexed joined ("kita-platz" -> "kitaplatz"). */
function analyzeField(texts: readonly string[], surfaces: Map<string, string>, words: Set<string> | null): string[] {
  const terms: string[] = []
  for (const text of texts) {
    for (const raw of text.split(/\s+/)) {
      const tokens = tokenize(raw)
      const variants = tokens.length > 1 ? [...tokens, tokens.join('')] : tokens
      const surface = raw.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')
      for (const token of variants) {
        const term = stem(token)
        terms.push(term)
        words?.add(token)
        if (!surfaces.has(term)) surfaces.set(term, surface)
      }
    }
  }
  return terms
}

class DistinctTexts {
  readonly values: string[] = []
  private readonly seen = new Set<string>()
  constructor(private readonly limit: number) {}
  add(text: string): void {
    if (this.values.length >= this.limit) return
    const key = text.toLowerCase()
    if (this.seen.has(key)) return
    this.seen.add(key)
    this.values.push(text)
  }
}
