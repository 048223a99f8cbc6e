import t from 'tap'
import { mergeCatalog } from '../../src/catalog/merge.js'
import { resolveResponsibility, responsibleChain, pickOffering } from '../../src/catalog/responsibility.js'
import { manifest, member, service } from '../helpers/region.js'

// A fixture region where two cities share postal code 99999 (real postal areas can cross city lines).
const configs = [
  member('bund', 'bund', { ars: '000000000000' }),
  member('land', 'land', { parent: 'bund', ars: '050000000000' }),
  member('kreis', 'kreis', { parent: 'land', ars: '055620000000' }),
  member('nord', 'stadt', { parent: 'kreis', ars: '055620001001', postalCodes: ['11111', '99999'] }),
  member('sued', 'stadt', { parent: 'kreis', ars: '055620002002', postalCodes: ['22222', '99999'] }),
  member('frei', 'stadt', { parent: 'land', ars: '055120000000', postalCodes: ['33333'] }),
]
const catalog = mergeCatalog({
  version: 1, builtAt: 'now', region: { id: 'r', name: 'R', members: configs },
  lifeSituations: [{ id: 'tiere', label: 'Tiere', description: 'd', ozgTopic: 'Umwelt' }],
  serviceCatalog: [{ key: 'hund-anmelden', name: 'Hund anmelden', synonyms: [], lifeSituations: ['tiere'] }],
  members: [
    { id: 'sued', status: 'ok', manifest: manifest('sued', [service('hund', { key: 'hund-anmelden' })]), meta: {} },
    { id: 'kreis', status: 'ok', manifest: manifest('kreis', [service('hund', { key: 'hund-anmelden' })]), meta: {} },
    { id: 'bund', status: 'ok', manifest: manifest('bund', []), meta: {} },
  ],
})
const ids = (chain: { id: string }[]) => chain.map((m) => m.id)

t.test('a shared postal code returns every candidate and says so', async (t) => {
  const r = resolveResponsibility(catalog, { postalCode: '99999' })
  t.equal(r.ambiguous, true)
  t.equal(r.inRegion, true)
  t.same(r.candidates.map((c) => ids(c.chain)), [['nord', 'kreis', 'land', 'bund'], ['sued', 'kreis', 'land', 'bund']])
  t.same(responsibleChain(catalog, { postalCode: '99999' }), ['nord', 'sued', 'kreis', 'land', 'bund'], 'cities before the Kreis')
})

t.test('with service: the most local member offering it wins', async (t) => {
  t.equal(resolveResponsibility(catalog, { postalCode: '22222', service: 'hund-anmelden' }).service?.forYou?.member, 'sued')
  t.equal(resolveResponsibility(catalog, { postalCode: '11111', service: 'hund-anmelden' }).service?.forYou?.member, 'kreis', 'nord offers none: its Kreis does')
  const none = resolveResponsibility(catalog, { postalCode: '33333', service: 'hund-anmelden' }).service!
  t.notOk(none.forYou, 'frei has no Kreis and offers none itself')
  t.equal(none.alternatives.length, 2)
})

t.test('kreisfreie city, ARS and outside the region', async (t) => {
  t.same(ids(resolveResponsibility(catalog, { postalCode: '33333' }).candidates[0]!.chain), ['frei', 'land', 'bund'])
  t.same(ids(resolveResponsibility(catalog, { ars: '055620002002' }).candidates[0]!.chain), ['sued', 'kreis', 'land', 'bund'])
  t.same(ids(resolveResponsibility(catalog, { ars: '055620099099' }).candidates[0]!.chain), ['kreis', 'land', 'bund'], 'unknown Gemeinde in the member Kreis')
  const outside = resolveResponsibility(catalog, { ars: '059990000000' })
  t.match(outside, { inRegion: false })
  t.same(ids(outside.candidates[0]!.chain), ['land', 'bund'])
  t.same(ids(resolveResponsibility(catalog, { postalCode: '80331' }).candidates[0]!.chain), ['bund'])
  t.same(responsibleChain(catalog, { member: 'nord' }), ['nord', 'kreis', 'land', 'bund'])
  t.same(responsibleChain(catalog, {}), [])
  t.same(pickOffering(catalog.serviceById.get('hund-anmelden')!, []).alternatives.length, 2)
})
