// The catalog's own words (service names, summaries and synonyms, life
// situations, member and region names), lower case: a capitalised word pair
// made of these is a service search, not a person's name (privacy.ts).
// Built once per catalog version.
import type { Catalog } from '../catalog/types.js'
import type { Vocabulary } from './privacy.js'

const built = new WeakMap<Catalog, Vocabulary>()

export function catalogVocabulary(catalog: Catalog): Vocabulary {
  let vocabulary = built.get(catalog)
  if (vocabulary === undefined) built.set(catalog, vocabulary = collect(catalog))
  return vocabulary
}

function collect(catalog: Catalog): Set<string> {
  const words = new Set<string>()
  const add = (text: string | undefined) => {
    if (text === undefined) return
    for (const word of text.normalize('NFKC').toLowerCase().split(/[^\p{L}]+/u)) if (word.length > 1) words.add(word)
  }
  add(catalog.region.name)
  for (const s of catalog.services) {
    add(s.name)
    add(s.summary)
    for (const synonym of s.synonyms ?? []) add(synonym)
  }
  for (const l of catalog.lifeSituations) {
    add(l.name)
    add(l.description)
  }
  for (const m of catalog.members) add(m.name)
  return words
}
