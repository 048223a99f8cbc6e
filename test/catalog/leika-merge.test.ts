// The open catalog (issue 27): services without a catalog key merge across
// members by their LeiKa key; services.json is the curated overlay.
import t from 'tap'
import fc from 'fast-check'
import { mergeCatalog } from '../../src/catalog/merge.js'
import { isRegionalService, leikaServiceId } from '../../src/catalog/uncurated.js'
import { ServiceId } from '../../src/catalog/schemas.js'
import type { MemberState, MergeInput } from '../../src/catalog/types.js'
import type { MemberConfig } from '../../src/config/region-schema.js'
import type { Service } from '../../src/manifest/schema.js'
import { makeRegion, manifest, member, service } from '../helpers/region.js'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadRegionData } from '../../src/config/load.js'

const lifeSituations = [
  { id: 'familie-kind', label: 'Familie und Kind', description: 'd', ozgTopic: 'Familie & Kind' },
  { id: 'tiere', label: 'Tiere', description: 'd', ozgTopic: 'Umwelt' },
  { id: 'weitere-leistungen', label: 'Weitere Leistungen', description: 'd', ozgTopic: 'Querschnitt', fallback: true },
]
const serviceCatalog = [
  { key: 'hund-anmelden', name: 'Hund anmelden (Hundesteuer)', synonyms: ['Hundemarke'], lifeSituations: ['tiere'], leikaKey: '99102013104000', leikaSource: 'test' },
]
const configs = [
  member('bund', 'bund', { ars: '000000000000' }),
  member('kreis', 'kreis', { parent: 'bund', ars: '055620000000' }),
  member('a', 'stadt', { parent: 'kreis', postalCodes: ['11111'] }),
  member('b', 'stadt', { parent: 'kreis', postalCodes: ['22222'] }),
  member('c', 'stadt', { parent: 'kreis', postalCodes: ['33333'] }),
]
const input = (states: MemberState[], cfgs: MemberConfig[] = configs): MergeInput =>
  ({ version: 1, builtAt: '2026-12-06T00:00:00Z', region: { id: 'r', name: 'R', members: cfgs }, lifeSituations, serviceCatalog, members: states })
const ok = (id: string, services: Service[]): MemberState => ({ id, status: 'ok', manifest: manifest(id, services), meta: {} })
const KEY = '99123456789000'

t.test('two members with the same unknown LeiKa key give one regional service with two offerings', async (t) => {
  const catalog = mergeCatalog(input([
    ok('a', [service('sondernutzung', { leikaKey: KEY, name: 'Sondernutzung beantragen', lifeSituations: ['weitere-leistungen'] })]),
    ok('b', [service('strasse-nutzen', { leikaKey: KEY, name: 'Sondernutzung beantragen', lifeSituations: ['weitere-leistungen'] })]),
  ]))
  const s = catalog.serviceById.get(`leika-${KEY}`)!
  t.match(s, { id: 'leika-99123456789000', leikaKey: KEY, name: 'Sondernutzung beantragen', offeringCount: 2, lifeSituations: ['weitere-leistungen'] })
  t.notOk('key' in s, 'no catalog key: the curator has not added it')
  t.same(s.offerings.map((o) => `${o.member}/${o.serviceId}`), ['a/sondernutzung', 'b/strasse-nutzen'])
  t.notOk(catalog.serviceById.has('a:sondernutzung'), 'no member-local twin')
  t.ok(isRegionalService(s))
  t.notOk(isRegionalService({ id: 'a:x' }))
  t.equal(catalog.offeringByMemberService.get('b/strasse-nutzen')!.member, 'b', '/go finds it by the member\'s own id')
  t.match(catalog.uncurated, [{ id: `leika-${KEY}`, offeringCount: 2, members: ['a', 'b'], nameSource: 'members', disagreements: [] }])
})

t.test('services.json is the overlay: a catalog entry with the LeiKa key takes the offerings and its texts win', async (t) => {
  const catalog = mergeCatalog(input([
    ok('a', [service('hundesteuer', { leikaKey: '99102013104000', name: 'Hundesteuer Anmeldung', lifeSituations: ['weitere-leistungen'] })]),
    ok('b', [service('hund', { key: 'hund-anmelden' })]),
  ]))
  const s = catalog.serviceById.get('hund-anmelden')!
  t.match(s, { name: 'Hund anmelden (Hundesteuer)', offeringCount: 2, key: 'hund-anmelden' })
  t.notOk(catalog.serviceById.has('leika-99102013104000'))
  t.same(catalog.uncurated, [], 'curated: not on the curator\'s list')
})

t.test('names: the LeiKa Leistungsbezeichnung, else the most common member name; disagreements are reported', async (t) => {
  const common = mergeCatalog(input([
    ok('a', [service('x', { leikaKey: KEY, name: 'Baumpatenschaft übernehmen', lifeSituations: ['tiere'] })]),
    ok('b', [service('y', { leikaKey: KEY, name: 'Straßenbaumpatenschaft', lifeSituations: ['weitere-leistungen'] })]),
    ok('c', [service('z', { leikaKey: KEY, name: 'Straßenbaumpatenschaft', lifeSituations: ['weitere-leistungen'] })]),
  ]))
  const s = common.serviceById.get(leikaServiceId(KEY))!
  t.equal(s.name, 'Straßenbaumpatenschaft', 'two of three members')
  t.same(s.lifeSituations, ['tiere'], 'the classification wins over the fallback')
  const report = common.uncurated[0]!
  t.same(report.names, [
    { name: 'Straßenbaumpatenschaft', count: 2, members: ['b', 'c'] },
    { name: 'Baumpatenschaft übernehmen', count: 1, members: ['a'] },
  ])
  t.match(report.disagreements, [/^names differ: "Straßenbaumpatenschaft" \(b, c\); "Baumpatenschaft übernehmen" \(a\)/, /^Lebenslagen differ: /])
  const official = mergeCatalog(input([
    ok('a', [service('x', { leikaKey: KEY, name: 'Baumpatenschaft Gladbeck', leikaName: 'Baumpatenschaft Übernahme' })]),
    ok('b', [service('y', { leikaKey: KEY, name: 'Baumpaten', summary: 'Text von B.' })]),
  ]))
  t.match(official.serviceById.get(leikaServiceId(KEY)), { name: 'Baumpatenschaft Übernahme' })
  t.equal(official.uncurated[0]!.nameSource, 'leika')
  const tie = mergeCatalog(input([
    ok('kreis', [service('k', { leikaKey: KEY, name: 'Kreis-Name', summary: 'Neutraler Text.' })]),
    ok('a', [service('x', { leikaKey: KEY, name: 'Stadt-Name' })]),
  ]))
  t.match(tie.serviceById.get(leikaServiceId(KEY)), { name: 'Kreis-Name', summary: 'Neutraler Text.' }, 'a tie: the most general member\'s name')
})

t.test('a member\'s second service with the same LeiKa key stays member-local (one offering per member)', async (t) => {
  const catalog = mergeCatalog(input([ok('a', [service('x', { leikaKey: KEY }), service('y', { leikaKey: KEY })])]))
  t.equal(catalog.serviceById.get(leikaServiceId(KEY))!.offeringCount, 1)
  t.equal(catalog.serviceById.get('a:y')!.leikaKey, KEY, 'routes still find it by the key')
})

// Property: generated regions whose services draw LeiKa keys from a small pool.
const arbRegion = fc.uniqueArray(
  fc.record({
    id: fc.stringMatching(/^[a-z]{2,6}$/),
    services: fc.uniqueArray(fc.record({
      id: fc.stringMatching(/^[a-z]{1,5}$/),
      leika: fc.option(fc.constantFrom('99000000000001', '99000000000002', '99102013104000'), { nil: undefined }),
      name: fc.constantFrom('Eins', 'Zwei', 'Drei'),
      ls: fc.constantFrom('tiere', 'weitere-leistungen', 'familie-kind'),
    }), { selector: (s) => s.id, maxLength: 6 }),
  }),
  { selector: (m) => m.id, minLength: 1, maxLength: 6 },
).map((members) => ({
  cfgs: members.map((m) => member(m.id, 'stadt', { postalCodes: ['12345'] })),
  states: members.map((m) => ok(m.id, m.services.map((s) => service(s.id, { name: s.name, lifeSituations: [s.ls], ...(s.leika ? { leikaKey: s.leika } : {}) })))),
}))

t.test('property: the open merge is independent of member order, loses no offering and gives each member one offering per service', async () => {
  fc.assert(fc.property(arbRegion, fc.integer(), ({ cfgs, states }, seed) => {
    const shuffle = <T>(xs: T[]) => xs.map((x, i) => [(i * 7919 + seed) % 101, x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x)
    const one = mergeCatalog(input(states, cfgs))
    const two = mergeCatalog(input(shuffle(states), shuffle(cfgs)))
    const strip = (c: typeof one) => JSON.stringify({ s: c.services, u: c.uncurated })
    if (strip(one) !== strip(two)) return false
    const inIds = states.flatMap((s) => s.manifest!.services.map((x) => `${s.id}/${x.id}`)).sort()
    const outIds = one.services.flatMap((s) => s.offerings.map((o) => `${o.member}/${o.serviceId}`)).sort()
    if (JSON.stringify(inIds) !== JSON.stringify(outIds)) return false
    const urlSafe = new RegExp(ServiceId.pattern as string)
    for (const s of one.services) {
      // stable and URL-safe: the key decides the id, nothing else
      if (!urlSafe.test(s.id) || (isRegionalService(s) && s.key === undefined && s.id !== leikaServiceId(s.leikaKey ?? ''))) return false
      const byMember = s.offerings.map((o) => o.member)
      if (new Set(byMember).size !== byMember.length) return false
      // each LeiKa key in at most one regional service
      if (s.leikaKey !== undefined && isRegionalService(s) && one.services.filter((x) => x.leikaKey === s.leikaKey && isRegionalService(x)).length !== 1) return false
    }
    return one.uncurated.every((u) => one.serviceById.get(u.id)?.name === u.name)
  }))
})

t.test('services.json: a leika-… key and a LeiKa key of two entries are refused at start', async (t) => {
  const region = await makeRegion([member('a', 'stadt')], { a: manifest('a', [service('x')]) })
  t.teardown(region.cleanup)
  const path = join(region.dir, 'config', 'services.json')
  const file = JSON.parse(await readFile(path, 'utf8'))
  const [first, second] = file.services
  file.services.push({ ...first, key: 'leika-99123456789000' })
  second.leikaKey = first.leikaKey
  second.leikaSource = 'test'
  await writeFile(path, JSON.stringify(file))
  await t.rejects(loadRegionData(region.regionPath), /leika-99123456789000": leika-… is the id of services merged by LeiKa key[^]*LeiKa key 99008001012000 is another entry's too/)
})
