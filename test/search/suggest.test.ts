import t from 'tap'
import { buildSearchIndex } from '../../src/search/search-index.js'
import { MAX_SUGGESTIONS, suggest } from '../../src/search/suggest.js'
import { fixtureCatalog, synonyms } from './fixture-catalog.js'

const index = buildSearchIndex(fixtureCatalog(), { synonyms }).suggest
const texts = (q: string) => suggest(index, q).map((s) => s.text)

t.test('prefix completions of names, synonyms and colloquial terms', async (t) => {
  t.equal(texts('pers')[0], 'Personalausweis beantragen')
  t.same(suggest(index, 'pers')[0], { text: 'Personalausweis beantragen', serviceId: 'personalausweis' })
  t.ok(texts('knoll').includes('knöllchen'), 'colloquial term, umlaut folded')
  t.ok(texts('hund an').includes('Hund anmelden (Hundesteuer)'))
  t.notOk(texts('hund an').includes('Hundeschule im Stadtpark'))
})

t.test('typo tolerant', async (t) => {
  t.equal(texts('persn')[0], 'Personalausweis beantragen')
  t.equal(texts('fuehrungsz')[0], 'Führungszeugnis beantragen')
  t.ok(texts('hnud anm').includes('Hund anmelden (Hundesteuer)'), 'a word before the cursor with two letters swapped')
  t.equal(texts('persoanl')[0], 'Personalausweis beantragen', 'the word being typed with two letters swapped')
  t.equal(texts('hudn')[0], 'Hund anmelden (Hundesteuer)', 'four letters typed, swapped')
  t.same(texts('dhun'), [], 'only neighbours swap')
})

t.test('a function word being typed that continues nothing leaves the words before it', async (t) => {
  t.same(texts('hund und'), texts('hund'), '"und" starts no word in a Hund entry')
  t.ok(texts('hund an').every((text) => /an/i.test(text)), '"an" still narrows where it starts a word (anmelden)')
  t.same(texts('und'), [], 'alone it suggests nothing new')
})

t.test('bounded and safe', async (t) => {
  t.ok(texts('a').length <= MAX_SUGGESTIONS)
  t.same(texts('   '), [])
  t.same(texts('.*['), [])
  t.same(texts('xyzxyz'), [])
})
