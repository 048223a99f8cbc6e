import t from 'tap'
import { compoundSuffixes, splitCompound } from '../../src/search/compounds.js'
import { buildSearchIndex } from '../../src/search/search-index.js'
import { search, MAX_OFFERINGS_PER_HIT, type SearchParams } from '../../src/search/search.js'
import { buildSynonymTable, matchSynonyms } from '../../src/search/synonyms.js'
import { stem } from '../../src/search/normalize.js'
import { offeringChannels } from '../../src/search/channels.js'
import type { Offering } from '../../src/catalog/types.js'
import { fixtureCatalog, synonyms } from './fixture-catalog.js'

const catalog = fixtureCatalog()
const index = buildSearchIndex(catalog, { synonyms })
const find = (q: string, extra: Partial<SearchParams> = {}) => search(index, { q, page: 1, pageSize: 10, ...extra })
const ids = (q: string, extra: Partial<SearchParams> = {}) => find(q, extra).hits.map((h) => h.service.id)

t.test('compounds: suffixes for the index, splits for the query', async (t) => {
  t.ok(compoundSuffixes('bewohnerparkausweis').includes('parkausweis'))
  t.ok(compoundSuffixes('hundesteu').includes('steu'))
  t.same(splitCompound('hundesteuer', new Set(['hund', 'steuer'])).map(stem), ['hund', stem('steuer')])
  t.same(splitCompound('kitaplatz', new Set(['kita', 'platz'])), ['kita', 'platz'])
  t.same(splitCompound('hund', new Set(['hund'])), [])
})

t.test('synonym keys match stemmed n-grams', async (t) => {
  const table = buildSynonymTable([{ term: 'Wohnung anmelden', means: ['Wohnsitz anmelden'] }])
  const m = matchSynonyms(table, ['wohnungen', 'anmelden'].map(stem))
  t.equal(m.length, 1)
  t.same(m[0]?.phrases, [['wohnsitz', stem('anmelden')]])
})

t.test('compound queries find compound and split names', async (t) => {
  t.equal(ids('hund steuer')[0], 'hund-anmelden')
  t.equal(ids('hundesteuer')[0], 'hund-anmelden')
  t.equal(ids('parkausweis')[0], 'bewohnerparkausweis')
})

t.test('spelling variants and typos', async (t) => {
  t.equal(ids('fuehrungszeugnis')[0], 'fuehrungszeugnis')
  t.equal(ids('fuhrungszeugnis')[0], 'fuehrungszeugnis')
  t.equal(ids('personalausweiss')[0], 'personalausweis')
  t.equal(ids('sperrmuell')[0], 'sperrmuell')
  t.same(ids('pas'), [], 'short words get no typo budget')
})

// Thumbs on a phone swap neighbouring letters; Levenshtein counts a swap as two
// edits, more than the budget of a word of 4 to 8 letters allows.
t.test('two swapped neighbouring letters are one typo', async (t) => {
  t.equal(ids('hudn')[0], 'hund-anmelden', 'four letters: no other typo budget, a swap still counts')
  t.equal(ids('hnude')[0], 'hund-anmelden', 'five letters: one edit allowed, a swap is one')
  t.equal(ids('fahrzueg')[0], 'fahrzeug-zulassen', 'eight letters')
  t.equal(ids('fuehrungszeungis')[0], 'fuehrungszeugnis', 'long words already had two edits')
  t.equal(ids('persoanlausweis')[0], 'personalausweis')
  t.equal(ids('sperrmlul')[0], 'sperrmuell', 'where the stemmer cuts the misspelt word differently ("sperrmlul")')
  const hit = find('hudn').hits[0]
  t.ok(hit && hit.score < find('hund').hits[0]!.score, 'below the word spelt right')
  t.same(ids('dhun'), [], 'only neighbours: "dhun" is two swaps from "hund"')
  t.same(ids('pas'), [], 'three letters: no swaps either')
})

t.test('synonyms expand, but below direct matches', async (t) => {
  t.equal(ids('perso')[0], 'personalausweis')
  const viaSynonym = find('auto anmelden').hits.find((h) => h.service.id === 'fahrzeug-zulassen')
  const direct = find('fahrzeug zulassen').hits.find((h) => h.service.id === 'fahrzeug-zulassen')
  t.ok(viaSynonym && direct && viaSynonym.score < direct.score)
})

t.test('a word in several names leans to its usual (first listed) meaning', async (t) => {
  // "anmelden" is in both names; the order of meanings in synonyms.json moves the balance.
  const ratio = (means: string[]) => {
    const own = buildSearchIndex(catalog, { synonyms: [...synonyms, { term: 'anmelden', means }] })
    const hits = search(own, { q: 'anmelden', page: 1, pageSize: 10 }).hits
    const score = (id: string) => hits.find((h) => h.service.id === id)?.score ?? 0
    return score('hund-anmelden') / score('sperrmuell')
  }
  const hundFirst = ratio(['Hund anmelden', 'Sperrmüll anmelden'])
  const sperrmuellFirst = ratio(['Sperrmüll anmelden', 'Hund anmelden'])
  t.ok(hundFirst > sperrmuellFirst * 1.3, `${hundFirst} vs ${sperrmuellFirst}`)
})

t.test('a meaning counts only whole: its single words alone are no match', async (t) => {
  const own = buildSearchIndex(catalog, { synonyms: [...synonyms, { term: 'töle', means: ['Hund anmelden'] }] })
  const hits = search(own, { q: 'töle', page: 1, pageSize: 10 }).hits.map((h) => h.service.id)
  t.same(hits, ['hund-anmelden'], 'not "Sperrmüll anmelden" for its "anmelden"')
})

t.test('highlights name the words that matched', async (t) => {
  const hit = find('hund steuer').hits[0]
  t.ok(hit?.highlights.includes('Hundesteuer'))
  t.equal(find('hund').normalizedQuery, 'hund')
})

t.test('ties are broken by id', async (t) => {
  t.same(ids('zwillingsdienst'), ['zwilling-a', 'zwilling-b'])
})

t.test("resident's services first, with the offering that applies", async (t) => {
  const a = find('hund', { postalCode: '11111' })
  t.equal(a.hits[0]?.forYou?.member, 'stadt-a')
  t.ok(a.hits.some((h) => h.service.id === 'stadt-a:hundeschule'))
  const b = find('hund', { postalCode: '22222' })
  t.equal(b.hits[0]?.service.id, 'hund-anmelden')
  t.equal(b.hits[0]?.forYou?.member, 'stadt-b')
  t.notOk(b.hits.find((h) => h.service.id === 'stadt-a:hundeschule')?.forYou)
  t.equal(find('fahrzeug', { residentMember: 'stadt-b' }).hits[0]?.forYou?.member, 'kreis-a', 'the Kreis serves its cities')
  t.equal(find('fuhrungszeugnis', { postalCode: '11111' }).hits[0]?.forYou?.member, 'bund')
  const ausweis = find('personalausweis', { postalCode: '22222' }).hits[0]
  t.equal(ausweis?.service.offerings[0]?.member, 'stadt-b', 'forYou leads the bounded offering list')
  t.ok((ausweis?.service.offerings.length ?? 0) <= MAX_OFFERINGS_PER_HIT)
  t.equal(ausweis?.service.offeringCount, 3)
})

t.test('filters and disjunctive facets', async (t) => {
  const all = find('anmelden')
  t.ok(all.total >= 2)
  const tiere = find('anmelden', { lifeSituation: 'tiere' })
  t.ok(tiere.hits.every((h) => h.service.lifeSituations.includes('tiere')))
  t.same(tiere.facets.lifeSituation, all.facets.lifeSituation, 'a facet ignores its own filter')
  t.ok(find('fahrzeug', { level: 'stadt' }).total === 0)
  const hund = find('hund')
  t.same(hund.facets.member, [{ value: 'stadt-a', count: 2 }, { value: 'stadt-b', count: 1 }])
  t.same(hund.facets.level, [{ value: 'stadt', count: 2 }])
})

t.test('paging', async (t) => {
  const p1 = find('anmelden', { pageSize: 1 })
  const p2 = find('anmelden', { pageSize: 1, page: 2 })
  t.equal(p1.hits.length, 1)
  t.not(p1.hits[0]?.service.id, p2.hits[0]?.service.id)
  t.equal(find('anmelden', { page: 99 }).hits.length, 0)
})

t.test('hostile input is plain text', async (t) => {
  t.doesNotThrow(() => find('.*+?^${}()|[]\\ AND OR NOT ~2 "'))
  t.equal(find('(((((').total, 0)
  t.doesNotThrow(() => find('hund '.repeat(400)))
})

// Issue 17: `member` filters inside the search (like level and lifeSituation);
// the "rank my members first" hint is residentMember.
t.test('member filters: totals equal the provider facet, paging stays inside the filter', async (t) => {
  const all = find('anmelden')
  t.ok(all.facets.member.length >= 2)
  for (const { value, count } of all.facets.member) {
    const only = find('anmelden', { member: value, pageSize: 100 })
    t.equal(only.total, count, `${value}: total equals its facet count`)
    t.equal(only.hits.length, count)
    t.ok(only.hits.every((h) => h.service.offerings.some((o) => o.member === value) && h.forYou?.member === value), `${value}: only its services, its offering as forYou`)
    t.same(only.facets.member, all.facets.member, 'the provider facet ignores its own filter')
    const paged = [1, 2, 3].flatMap((page) => find('anmelden', { member: value, pageSize: 1, page }).hits.map((h) => h.service.id))
    t.same(paged, only.hits.slice(0, 3).map((h) => h.service.id), `${value}: later pages continue the filtered list`)
  }
  const hund = find('hund', { member: 'stadt-b' })
  t.ok(hund.hits.every((h) => h.forYou?.member === 'stadt-b'))
  t.notOk(hund.hits.some((h) => h.service.id === 'stadt-a:hundeschule'), 'another member\'s own service is filtered out')
  t.ok(find('hund', { residentMember: 'stadt-b' }).hits.some((h) => h.service.id === 'stadt-a:hundeschule'), 'residentMember only ranks')
})

// Issue 13: a service is online / in person when at least one offering is.
t.test('channel facet and filter: counted like the other facets, totals equal the facet', async (t) => {
  const all = find('anmelden')
  // hund-anmelden: online link and office; sperrmuell: office only
  t.same(all.facets.channel, [{ value: 'in-person', count: 2 }, { value: 'online', count: 1 }])
  for (const { value, count } of all.facets.channel) {
    const only = find('anmelden', { channel: value as 'online' | 'in-person', pageSize: 100 })
    t.equal(only.total, count, `${value}: total equals its facet count`)
    t.same(only.facets.channel, all.facets.channel, 'the channel facet ignores its own filter')
  }
  t.same(ids('anmelden', { channel: 'online' }), ['hund-anmelden'])
  t.same(ids('parkausweis', { channel: 'online' }), ['bewohnerparkausweis'], 'online link without an office')
  t.equal(find('parkausweis', { channel: 'in-person' }).total, 0)
  // other facets count inside the channel filter
  t.same(find('anmelden', { channel: 'online' }).facets.lifeSituation, [{ value: 'tiere', count: 1 }])
  t.same(find('anmelden', { lifeSituation: 'abfall' }).facets.channel, [{ value: 'in-person', count: 1 }])
})

t.test('offeringChannels: declared channels win; without them an office means in person', async (t) => {
  const base = { member: 'x', memberName: 'X', level: 'stadt', serviceId: 's', name: 'S', summary: '', audiences: [], lifeSituations: [], synonyms: [] } as Offering
  const office = { id: 'rathaus', name: 'Rathaus' } as Offering['office']
  t.same(offeringChannels(base), [])
  t.same(offeringChannels({ ...base, office }), ['in-person'], 'v1: an office is in person')
  t.same(offeringChannels({ ...base, goUrl: '/go/x/s', onlineUrl: 'https://x.example/s' }), ['online'])
  t.same(offeringChannels({ ...base, channels: ['online'] }), ['online'], 'declared online, no link')
  t.same(offeringChannels({ ...base, office, channels: ['post', 'phone'] }), [], 'declared channels without in-person: not in person despite an office')
  t.same(offeringChannels({ ...base, channels: ['in-person', 'email'] }), ['in-person'])
})

// Issue 28: "personalausweis" listed services that merely need one (Wohnsitz
// anmelden) above the related Reisepass. A match in the documents alone ranks
// after matches in the main fields, those sharing a life situation with the
// best main match first, whatever their own score.
t.test('a word found only in documents: related services first, then the rest', async (t) => {
  const needs = structuredClone(fixtureCatalog())
  const service = (id: string) => {
    const s = needs.services.find((x) => x.id === id)
    if (!s) throw new Error(`${id} missing from the fixture`)
    return s
  }
  // related (shares 'ausweise' with Personalausweis), with a long list that scores it lower
  service('fuehrungszeugnis').lifeSituations = ['ausweise', 'recht']
  for (const o of service('fuehrungszeugnis').offerings) o.documents = ['Personalausweis', 'Antrag auf ein Führungszeugnis zur Vorlage bei einer Behörde', 'Nachweis der Gebührenbefreiung, wenn beantragt']
  // unrelated, scoring higher on its own
  for (const o of service('fahrzeug-zulassen').offerings) o.documents = ['Personalausweis']
  const ranked = search(buildSearchIndex(needs, { synonyms }), { q: 'personalausweis', page: 1, pageSize: 10 }).hits.map((h) => h.service.id)
  t.same(ranked, ['personalausweis', 'fuehrungszeugnis', 'fahrzeug-zulassen'])
})
