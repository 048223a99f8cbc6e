import t from 'tap'
import fc from 'fast-check'
import { foldDigraphs, foldText, MAX_QUERY_TERMS, normalizeQuery, stem, tokenize, transpositions, typoBudget } from '../../src/search/normalize.js'

t.test('umlaut, digraph and ß spellings meet on one key', async (t) => {
  const keys = ['Führungszeugnis', 'fuehrungszeugnis', 'fuhrungszeugnis', 'FÜHRUNGSZEUGNIS'].map((q) => normalizeQuery(q).text)
  t.same(new Set(keys).size, 1)
  t.equal(normalizeQuery('Sperrmüll').text, normalizeQuery('sperrmuell').text)
  t.equal(normalizeQuery('Straße').text, 'strasse')
  t.equal(normalizeQuery('Strasse').text, 'strasse')
  t.equal(normalizeQuery('Gebühren').text, normalizeQuery('Gebuehren').text)
})

t.test('real vowel pairs are not taken for umlauts', async (t) => {
  t.equal(foldDigraphs('steuer'), 'steuer')
  t.equal(foldDigraphs('bauer'), 'bauer')
  t.equal(foldDigraphs('quelle'), 'quelle')
  t.equal(foldDigraphs('muell'), 'mull')
})

t.test('combining umlauts equal precomposed ones (NFC)', async (t) => {
  t.equal(normalizeQuery('Fu\u0308hrerschein').text, normalizeQuery('Führerschein').text)
  t.equal(foldText('A\u0308'), 'a')
})

t.test('control characters are removed, operators are plain text', async (t) => {
  t.equal(normalizeQuery('hunde\u0000steuer').text, 'hundesteuer')
  t.equal(normalizeQuery('hund\tsteuer\n').text, 'hund steuer')
  t.same(tokenize('a+b* (c|d) "e" ~f^2 .*[x]'), ['a', 'b', 'c', 'd', 'e', 'f', '2', 'x'])
  t.equal(normalizeQuery('pass AND NOT ausweis').text, 'pass and not ausweis')
})

t.test('stop words go, unless nothing else is left', async (t) => {
  t.equal(normalizeQuery('ich möchte einen Hund anmelden').text, 'mochte hund anmelden')
  t.equal(normalizeQuery('die').text, 'die')
})

t.test('term count is capped', async (t) => {
  const q = Array.from({ length: 500 }, (_, i) => `wort${i}`).join(' ')
  t.equal(normalizeQuery(q).tokens.length, MAX_QUERY_TERMS)
})

t.test('German stemming and typo budget', async (t) => {
  t.equal(stem('anmelden'), stem('anmeldung'))
  t.equal(stem('hunde'), 'hund')
  t.equal(typoBudget('pass'), 0)
  t.equal(typoBudget('ausweis'), 1)
  t.equal(typoBudget('personalausweis'), 2)
})

t.test('property: normaliser is total, idempotent, bounded and NFC-stable', async (t) => {
  const text = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.array(fc.constantFrom('ä', 'a\u0308', 'ue', 'ß', 'ẞ', 'Ö', '\u0000', ' ', '-', 'hund', 'steuer', 'die', '*', 'İ', 'ﬁ'), { maxLength: 80 }).map((a) => a.join('')),
  )
  fc.assert(fc.property(text, (input) => {
    const once = normalizeQuery(input)
    const twice = normalizeQuery(once.text)
    if (twice.text !== once.text) return false
    if (once.tokens.length > MAX_QUERY_TERMS) return false
    if (normalizeQuery(input.normalize('NFD')).text !== normalizeQuery(input.normalize('NFC')).text) return false
    return once.tokens.every((tok) => tok.length > 0 && tok.length <= 40 && !/\s/.test(tok))
  }), { numRuns: 2000 })
  t.pass('properties hold')
})

t.test('property: transpositions are exactly the distinct neighbour swaps', async (t) => {
  t.same(transpositions('hudn').sort(), ['hdun', 'hund', 'uhdn'])
  t.same(transpositions('aa'), [], 'swapping equal letters changes nothing')
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'ä'), maxLength: 12 }), (word) => {
    const out = transpositions(word)
    if (new Set(out).size !== out.length || out.includes(word)) return false
    // every variant differs in exactly two neighbouring places, and swapping them back gives the word
    const valid = out.every((v) => {
      const diff = [...v].flatMap((c, i) => (c === word[i] ? [] : [i]))
      return v.length === word.length && diff.length === 2 && diff[1] === diff[0]! + 1 && v[diff[0]!] === word[diff[1]!] && v[diff[1]!] === word[diff[0]!]
    })
    // and none is missing: one per pair of differing neighbours (two swaps never give one word)
    const positions = [...word].slice(1).filter((c, i) => c !== word[i]).length
    return valid && out.length === positions
  }), { numRuns: 2000 })
  t.pass('properties hold')
})
