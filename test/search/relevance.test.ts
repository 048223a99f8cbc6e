// Judged queries (../shared/data/search-judgments.json) against the REAL
// members with the open catalog loaded (synthetic uncurated services merged
// by LeiKa key, test/helpers/open-region.ts): the expected service must be in
// the top 3 for every one of them, and where firstMember is given, the first
// hit's offering must be theirs.
import t from 'tap'
import { readFileSync, existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { SearchIndex } from '../../src/search/search-index.js'
import { search } from '../../src/search/search.js'
import { foldText, stem, STOP_WORDS } from '../../src/search/normalize.js'
import { openRegionIndex } from '../helpers/open-region.js'

// `member` in a judgment is where the resident lives: the ranking hint residentMember, not the filter.
interface Judgment { q: string; expect: string; postalCode?: string; member?: string; firstMember?: string }

// the shared judgments when the design folder sits beside the checkout, else the copy in test/fixtures
const shared = resolve('../shared/data/search-judgments.json')
const fixture = resolve('test/fixtures/search-judgments.json')
const judgmentsPath = existsSync(shared) ? shared : fixture

const read = (path: string) => (JSON.parse(readFileSync(path, 'utf8')) as { queries: Judgment[] }).queries
/** the judgments, and those of the fixture the shared file lacks (the open catalog's, issue 27) */
const readJudgments = () => {
  const judged = read(judgmentsPath)
  const known = new Set(judged.map((j) => j.q))
  return judgmentsPath === fixture ? judged : [...judged, ...read(fixture).filter((j) => !known.has(j.q))]
}

/** A judged query (or a variant of its text) as the resident in it searches, and the rank of the expected service (-1: not on page 1). */
function judgedSearch(index: SearchIndex, j: Judgment, q = j.q) {
  const result = search(index, { q, page: 1, pageSize: 10, ...(j.postalCode ? { postalCode: j.postalCode } : {}), ...(j.member ? { residentMember: j.member } : {}) })
  const pattern = new RegExp(j.expect, 'i')
  return { result, rank: result.hits.findIndex((h) => pattern.test(h.service.name)) }
}

t.test('judged queries find the right service in the top 3', { skip: !existsSync(judgmentsPath) && 'no judgments file' }, async (t) => {
  const judgments = readJudgments()
  const index = await openRegionIndex(t)

  let hits = 0
  let reciprocal = 0
  const misses: string[] = []
  for (const j of judgments) {
    const { result, rank } = judgedSearch(index, j)
    const memberOk = j.firstMember === undefined || result.hits[0]?.forYou?.member === j.firstMember
    if (rank >= 0) reciprocal += 1 / (rank + 1)
    if (rank >= 0 && rank < 3 && memberOk) hits++
    else misses.push(`${JSON.stringify(j)} -> ${result.hits.slice(0, 3).map((h) => `${h.service.name}@${h.forYou?.member ?? '-'}`).join(' | ')}`)
  }
  const hitRate = hits / judgments.length
  const mrr = reciprocal / judgments.length
  t.comment(`relevance: ${hits}/${judgments.length} in top 3 (hit rate ${(hitRate * 100).toFixed(1)}%), MRR ${mrr.toFixed(3)}`)
  for (const m of misses) t.comment(`miss: ${m}`)
  t.ok(hitRate === 1, `hit rate ${(hitRate * 100).toFixed(1)}% = 100% (issue 17 keeps every judged query in the top 3)`)
})

// A resident's thumb swaps two neighbouring letters: in the middle of each
// judged query's longest word ("persoanlausweis"), the service must still be in the top 3.
t.test('judged queries with two neighbouring letters swapped still find the service', { skip: !existsSync(judgmentsPath) && 'no judgments file' }, async (t) => {
  const judgments = readJudgments()
  const index = await openRegionIndex(t)
  let hits = 0
  let tried = 0
  const misses: string[] = []
  for (const j of judgments) {
    const words = j.q.split(' ')
    const longest = words.reduce((a, b) => (b.length > a.length ? b : a))
    const at = Math.floor(longest.length / 2) - 1
    if (longest.length < 4 || longest[at] === longest[at + 1]) continue
    const swapped = longest.slice(0, at) + longest[at + 1] + longest[at] + longest.slice(at + 2)
    const q = words.map((w) => (w === longest ? swapped : w)).join(' ')
    tried++
    const { result, rank } = judgedSearch(index, j, q)
    if (rank >= 0 && rank < 3) hits++
    else misses.push(`${q} (${j.q}) -> ${result.hits.slice(0, 3).map((h) => h.service.name).join(' | ')}`)
  }
  // where the stemmer cuts the misspelt word differently from the word meant
  for (const [q, expect] of [['Auswies', /ausweis/i], ['Wohnsitz anmeldnug', /Wohnsitz anmelden/]] as const) {
    const names = search(index, { q, page: 1, pageSize: 3 }).hits.map((h) => h.service.name)
    t.ok(names.some((name) => expect.test(name)), `${q}: ${names.join(' | ')}`)
  }
  t.comment(`swapped letters: ${hits}/${tried} in top 3`)
  for (const m of misses) t.comment(`miss: ${m}`)
  t.ok(tried >= 30, `${tried} judged queries with a word to swap in`)
  t.ok(hits / tried >= 0.9, `${hits}/${tried} in the top 3 (at least 90 %)`)
})

// Issue 9: "hundesteuer" is in the names of "Hund anmelden (Hundesteuer)" and
// "Hund abmelden (Hundesteuer)"; the usual meaning (registering) comes first.
t.test('hundesteuer finds the Hundesteuer service first', async (t) => {
  const index = await openRegionIndex(t)
  for (const q of ['hundesteuer', 'Hundesteuer', 'HUNDESTEUER ']) {
    t.equal(search(index, { q, page: 1, pageSize: 10 }).hits[0]?.service.id, 'hund-anmelden', q)
  }
  const local = search(index, { q: 'hundesteuer', postalCode: '45964', page: 1, pageSize: 10 }).hits[0]
  t.equal(local?.service.id, 'hund-anmelden')
  t.equal(local?.forYou?.member, 'gladbeck')
})

// A compound the index does not know is split into known words, but a function
// word is no part of one: "Ein|wohnermeldeamt", "Mit|gliedschaft",
// "Vor|sorgevollmacht" and "Aus|weiß" matched every text saying "ein", "mit",
// "vor" or "aus" (47 unrelated services for "Einwohnermeldeamt").
t.test('a compound is not split into a stop word that matches everything', async (t) => {
  const index = await openRegionIndex(t)
  for (const q of ['Einwohnermeldeamt', 'Mitgliedschaft', 'Vorsorgevollmacht', 'Ausreise', 'Istanbul']) {
    const onlyStopWords = search(index, { q, page: 1, pageSize: 100 }).hits
      .filter((h) => h.highlights.every((w) => STOP_WORDS.has(foldText(w))))
      .map((h) => `${h.service.id}[${h.highlights.join('/')}]`)
    t.same(onlyStopWords, [], `${q}: no hit matched by a function word alone`)
  }
  const ausweis = search(index, { q: 'Ausweiß', page: 1, pageSize: 10 }).hits.map((h) => h.service.id)
  const rank = ausweis.indexOf('personalausweis')
  t.ok(rank >= 0 && rank < 3, `Ausweiß: Personalausweis in the top 3 (${ausweis.join(', ')})`)
})

// Typo and prefix variants of a query word must not land on a function word:
// "hunde" is one edit from "und", "kinder" ("kind") from "sind", "masse" from
// "muss" ("müssen"), and those are in nearly every text (13 unrelated
// services for "Hunde", each matched by "und" alone).
t.test('a typo variant of a query word is not a function word', async (t) => {
  const index = await openRegionIndex(t)
  const functionWord = (w: string) => STOP_WORDS.has(foldText(w)) || [...STOP_WORDS].some((s) => stem(s) === stem(foldText(w)))
  for (const q of ['Hunde', 'Kinder', 'Masse']) {
    const onlyFunctionWords = search(index, { q, page: 1, pageSize: 100 }).hits
      .filter((h) => h.highlights.every(functionWord))
      .map((h) => `${h.service.id}[${h.highlights.join('/')}]`)
    t.same(onlyFunctionWords, [], `${q}: no hit matched by a function word alone`)
  }
  const dogs = search(index, { q: 'Hunde', page: 1, pageSize: 5 }).hits.map((h) => h.service.id)
  t.ok(dogs.every((id) => id.includes('hund')), `Hunde: the dog services still first (${dogs.join(', ')})`)
})
