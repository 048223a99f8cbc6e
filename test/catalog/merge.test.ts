import t from 'tap'
import fc from 'fast-check'
import { mergeCatalog } from '../../src/catalog/merge.js'
import type { MemberState, MergeInput } from '../../src/catalog/types.js'
import type { MemberConfig } from '../../src/config/region-schema.js'
import type { Service } from '../../src/manifest/schema.js'
import { manifest, member, service } from '../helpers/region.js'

const lifeSituations = [
  { id: 'familie-kind', label: 'Familie und Kind', description: 'd', ozgTopic: 'Familie & Kind' },
  { id: 'tiere', label: 'Tiere', description: 'd', ozgTopic: 'Umwelt' },
]
const serviceCatalog = [
  { key: 'hund-anmelden', name: 'Hund anmelden (Hundesteuer)', synonyms: ['Hundemarke'], lifeSituations: ['tiere'], leikaKey: '99102013104000', leikaSource: 'test' },
  { key: 'kindergeld', name: 'Kindergeld beantragen', synonyms: [], lifeSituations: ['familie-kind'] },
]

function input(configs: MemberConfig[], states: MemberState[]): MergeInput {
  return { version: 1, builtAt: '2026-11-25T00:00:00Z', region: { id: 'r', name: 'R', members: configs }, lifeSituations, serviceCatalog, members: states }
}

const configs = [
  member('bund', 'bund', { ars: '000000000000' }),
  member('kreis', 'kreis', { parent: 'bund', ars: '055620000000' }),
  member('a', 'stadt', { parent: 'kreis', postalCodes: ['11111'] }),
  member('b', 'stadt', { parent: 'kreis', postalCodes: ['22222'] }),
]
const ok = (id: string, services: Service[]): MemberState => ({ id, status: 'ok', manifest: manifest(id, services), meta: {} })

t.test('offerings with one key form one regional service; others stay member-local', async (t) => {
  const catalog = mergeCatalog(input(configs, [
    ok('a', [service('hund', { key: 'hund-anmelden', onlineUrl: 'https://portal.a.example/hund', synonyms: ['Hundesteuer'] }), service('stadtfest')]),
    ok('b', [service('hund-b', { key: 'hund-anmelden', lifeSituations: ['familie-kind'] })]),
    ok('bund', [service('kg', { key: 'kindergeld', onlineUrl: 'https://portal.bund.example/' })]),
  ]))
  const hund = catalog.serviceById.get('hund-anmelden')!
  t.match(hund, { id: 'hund-anmelden', key: 'hund-anmelden', name: 'Hund anmelden (Hundesteuer)', leikaKey: '99102013104000', offeringCount: 2, levels: ['stadt'] })
  t.same(hund.offerings.map((o) => o.member), ['a', 'b'])
  t.same(hund.lifeSituations, ['familie-kind', 'tiere'], 'union, in taxonomy order')
  t.same(hund.synonyms, ['Hundemarke', 'Hundesteuer'])
  t.equal(hund.offerings[0]!.goUrl, '/go/a/hund')
  t.notOk(hund.offerings[1]!.goUrl, 'no online URL, no deep link')
  t.ok(catalog.serviceById.get('a:stadtfest'), 'member-local id')
  t.equal(catalog.lifeSituationById.get('tiere')!.serviceCount, 1)
  t.same(catalog.membersByPostalCode.get('11111'), ['a'])
  t.equal(catalog.offeringByMemberService.get('a/hund')!.member, 'a')
  t.equal(catalog.memberById.get('kreis')!.status, 'failed', 'a member without state is failed')
})

t.test('a service without a catalog key keeps the LeiKa key its manifest states and is regional by it', async (t) => {
  const catalog = mergeCatalog(input(configs, [
    ok('a', [service('hund-aenderung', { leikaKey: '99102013999000' }), service('stadtfest')]),
    ok('b', [service('hund-b', { key: 'hund-anmelden', leikaKey: '99102013999000' })]),
  ]))
  t.equal(catalog.serviceById.get('leika-99102013999000')!.leikaKey, '99102013999000')
  t.notOk('leikaKey' in catalog.serviceById.get('a:stadtfest')!, 'none stated, none shown')
  t.equal(catalog.serviceById.get('hund-anmelden')!.leikaKey, '99102013104000', 'a catalog service has the catalog key')
})

t.test('an online URL off the declared hosts gets no deep link even if it reached the store', async (t) => {
  const catalog = mergeCatalog(input(configs, [ok('a', [service('x', { onlineUrl: 'https://evil.example/' })])]))
  const o = catalog.serviceById.get('a:x')!.offerings[0]!
  t.notOk(o.onlineUrl)
  t.notOk(o.goUrl)
})

// Property tests: generated regions of up to 6 cities with random services.
const arbService = fc.record({
  id: fc.stringMatching(/^[a-z]{1,6}$/),
  key: fc.option(fc.constantFrom('hund-anmelden', 'kindergeld'), { nil: undefined }),
  online: fc.boolean(),
  host: fc.constantFrom('portal', 'www', 'evil'),
})
const arbRegion = fc.uniqueArray(
  fc.record({ id: fc.stringMatching(/^[a-z]{2,8}$/), services: fc.uniqueArray(arbService, { selector: (s) => s.id, maxLength: 8 }) }),
  { selector: (m) => m.id, minLength: 1, maxLength: 6 },
).map((members) => {
  const cfgs = members.map((m) => member(m.id, 'stadt', { postalCodes: ['12345'] }))
  const states = members.map((m) => {
    const seen = new Set<string>()
    const services = m.services.map((s) => {
      const key = s.key && !seen.has(s.key) ? s.key : undefined
      if (key) seen.add(key)
      const host = s.host === 'evil' ? 'evil.example' : `${s.host}.${m.id}.example`
      return service(s.id, { ...(key ? { key } : {}), ...(s.online ? { onlineUrl: `https://${host}/x` } : {}) })
    })
    return ok(m.id, services)
  })
  return { cfgs, states }
})

const strip = (c: ReturnType<typeof mergeCatalog>) => JSON.stringify({ m: c.members, s: c.services, l: c.lifeSituations })

t.test('property: merging is independent of member order', async () => {
  fc.assert(fc.property(arbRegion, fc.integer(), ({ cfgs, states }, seed) => {
    const shuffle = <T>(xs: T[]) => xs.map((x, i) => [(i * 7919 + seed) % 101, x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x)
    return strip(mergeCatalog(input(cfgs, states))) === strip(mergeCatalog(input(shuffle(cfgs), shuffle(states))))
  }))
})

t.test('property: no offering is lost or duplicated', async () => {
  fc.assert(fc.property(arbRegion, ({ cfgs, states }) => {
    const catalog = mergeCatalog(input(cfgs, states))
    const inIds = states.flatMap((s) => s.manifest!.services.map((x) => `${s.id}/${x.id}`)).sort()
    const outIds = catalog.services.flatMap((s) => s.offerings.map((o) => `${o.member}/${o.serviceId}`)).sort()
    return JSON.stringify(inIds) === JSON.stringify(outIds) && catalog.services.every((s) => s.offeringCount === s.offerings.length)
  }))
})

t.test('property: every /go target host is allowed for its member', async () => {
  fc.assert(fc.property(arbRegion, ({ cfgs, states }) => {
    const catalog = mergeCatalog(input(cfgs, states))
    const allowed = new Map(cfgs.map((c) => [c.id, c.allowedHosts]))
    return catalog.services.every((s) => s.offerings.every((o) =>
      o.goUrl === undefined || (o.onlineUrl !== undefined && allowed.get(o.member)!.includes(new URL(o.onlineUrl).host))))
  }))
})

t.test('the Leistungsbeschreibung passes to the offering; Ansprechpunkte become their offices', async (t) => {
  const description: Partial<Service> = {
    office: 'rathaus',
    requirements: 'Hauptwohnsitz in A',
    procedure: ['Formular senden'],
    deadlines: 'zwei Wochen',
    processingTime: { min: 1, max: 2, unit: 'week' },
    legalBasis: [{ title: 'Hundesteuersatzung' }],
    forms: [{ title: 'Anmeldung', url: 'https://www.a.example/hund.pdf' }],
    furtherInformation: [{ title: 'LHundG NRW', url: 'https://recht.nrw.de/lhundg' }],
    notes: 'Steuermarke tragen',
    feeItems: [{ amount: 96, currency: 'EUR' }],
    contactPoints: ['buergerbuero', 'gone'],
    source: 'https://www.a.example/hund',
  }
  const state: MemberState = {
    id: 'a',
    status: 'ok',
    manifest: manifest('a', [service('hund', { key: 'hund-anmelden', ...description })], {
      offices: [{ id: 'rathaus', name: 'Rathaus' }, { id: 'buergerbuero', name: 'Bürgerbüro', phone: '+49 1 2' }],
    }),
    meta: {},
  }
  const offering = mergeCatalog(input(configs, [state])).serviceById.get('hund-anmelden')!.offerings[0]!
  const { office: _office, contactPoints: _ids, ...passed } = description
  t.match(offering, passed)
  t.same(offering.contactPoints, [{ id: 'buergerbuero', name: 'Bürgerbüro', phone: '+49 1 2' }], 'resolved to the office; an unknown id is left out')
  t.equal(offering.office?.id, 'rathaus')
})
