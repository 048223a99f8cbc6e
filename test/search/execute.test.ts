// execute() must score exactly as minisearch's own search() (it reads
// minisearch internals): same documents, bit-identical scores, same matched
// query terms and index terms in the same order. Fails on a minisearch
// upgrade that changes the internals or the scoring.
import t, { type Test } from 'tap'
import { execute, matchedIndexTerms, matchedQueryTerms, type TermQuery } from '../../src/search/execute.js'
import { analyseQuery } from '../../src/search/query.js'
import { buildSearchIndex, FIELD_BOOST, MAIN_FIELDS, type SearchIndex } from '../../src/search/search-index.js'
import { topK } from '../../src/search/top-k.js'
import { fixtureCatalog, synonyms } from './fixture-catalog.js'

const index = buildSearchIndex(fixtureCatalog(), { synonyms })
const WEIGHTS = { fuzzy: 0.3, prefix: 0.35 }

function viaEngine(index: SearchIndex, terms: readonly TermQuery[], fields: string[]) {
  return index.engine.search(terms.map((q) => q.term).join(' '), {
    fields,
    tokenize: (text: string) => text.split(' '),
    processTerm: (term: string) => term,
    boost: { ...FIELD_BOOST },
    boostTerm: (_term: string, i: number) => terms[i]?.weight ?? 1,
    prefix: (_term: string, i: number) => terms[i]?.prefix ?? false,
    fuzzy: (_term: string, i: number) => terms[i]?.fuzzy ?? 0,
    weights: WEIGHTS,
  })
}

function same(t: Test, terms: readonly TermQuery[], fields: string[], label: string) {
  const expected = viaEngine(index, terms, fields)
  const run = execute(index.scoring, terms, { fields, boost: FIELD_BOOST, weights: WEIGHTS })
  t.same([...run.docs].sort((a, b) => a - b), expected.map((r) => r.id as number).sort((a, b) => a - b), `${label}: documents`)
  for (const r of expected) {
    const id = r.id as number
    t.equal(run.scores[id], r.score, `${label}: score of ${id}`)
    t.same(matchedQueryTerms(run, id).map((i) => terms[i]?.term).sort(), [...r.queryTerms].sort(), `${label}: query terms of ${id}`)
    t.same(matchedIndexTerms(run, id), r.terms, `${label}: index terms of ${id}`)
  }
}

t.test('execute scores as minisearch search() does', async (t) => {
  const queries = ['perso', 'personalausweis beantragen', 'personalausweiss', 'hundesteuer', 'steuer hund', 'kita platz', 'ummelden umzug', 'fuehrungszeugnis', 'xyzzy']
  for (const q of queries) {
    const { terms } = analyseQuery(q, index.vocabulary, index.synonyms)
    t.ok(terms.length > 0, q)
    same(t, terms, MAIN_FIELDS, q)
    same(t, terms.map((x) => ({ ...x, prefix: false, fuzzy: 0 })), ['extra'], `${q} (extra)`)
  }
})

t.test('more than 32 query terms use a second mask word', async (t) => {
  const words = [...index.vocabulary].slice(0, 40)
  const terms = words.map((term, i) => ({ term, weight: 1 - i / 100, prefix: i % 2 === 0, fuzzy: i % 3 }))
  same(t, terms, MAIN_FIELDS, '40 terms')
})

t.test('topK equals a full sort cut to k', async (t) => {
  const items = Array.from({ length: 500 }, (_, i) => ({ score: (i * 7919) % 37, id: i }))
  const compare = (a: { score: number; id: number }, b: { score: number; id: number }) => b.score - a.score || a.id - b.id
  for (const k of [0, 1, 10, 30, 62, 63, 100, 500, 600]) t.same(topK(items, k, compare), [...items].sort(compare).slice(0, k), `k=${k}`)
})
