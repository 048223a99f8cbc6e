// Manifest schema v2: v1 documents still load (converted), and each v2 rule
// rejects with its JSON path and a German explanation.
import t from 'tap'
import { validateManifest, type ValidationContext } from '../../src/manifest/validate.js'
import { upgradeManifest } from '../../src/manifest/upgrade.js'
import type { ManifestV1 } from '../../src/manifest/schema.js'
import { manifest, service } from '../helpers/region.js'

const members = new Map([
  ['provider', { ars: '055620000000' }],
  ['alpha', { ars: '055620004004' }],
  ['beta', { ars: '055620008008' }],
  ['outside', { ars: '051110000000' }],
])
const providerServices = [{ id: 'gewerbe', serves: ['alpha', '05562000800'] }]
const context = (memberId: string, allowedHosts: string[]): ValidationContext => ({
  memberId,
  allowedHosts,
  lifeSituationIds: new Set(['familie-kind', 'tiere']),
  serviceKeys: new Set(['gewerbe-anmelden']),
  members,
  onlineServicesOf: (id) => (id === 'provider' ? providerServices : id === 'alpha' ? [] : undefined),
})

const providerDoc = () => ({
  ...manifest('provider', [service('gewerbe-anmelden', { key: 'gewerbe-anmelden', onlineService: 'gewerbe', channels: ['online', 'in-person'] })]),
  schemaVersion: 2,
  onlineServices: [{
    id: 'gewerbe',
    name: 'Gewerbeportal',
    url: 'https://portal.provider.example/gewerbe',
    maturity: { model: 'ozg-1.1', level: 3 },
    account: ['servicekonto-nrw', 'bundid'],
    serves: ['alpha', '05562000800'],
    implements: ['gewerbe-anmelden', '99050012104000'],
  }],
})
const consumerDoc = (id: string, ref: string) => ({
  ...manifest(id, [service('gewerbe-anmelden', { key: 'gewerbe-anmelden', onlineService: ref, channels: ['online'] })]),
  schemaVersion: 2,
})
const hosts = (id: string) => [`www.${id}.example`, `portal.${id}.example`]

t.test('v1 manifests load unchanged and are converted to v2', async (t) => {
  const v1Cases: [string, ManifestV1][] = [
    ['minimal', manifest('alpha', []) as ManifestV1],
    ['with services and an onlineUrl', manifest('alpha', [service('a', { onlineUrl: 'https://portal.alpha.example/a' })]) as ManifestV1],
    ['with $schema', { ...manifest('alpha', []), $schema: 'https://serviceportal.emscher-lippe.de/schemas/manifest-v1.json' } as ManifestV1],
  ]
  for (const [name, doc] of v1Cases) {
    const before = structuredClone(doc)
    const result = validateManifest(doc, context('alpha', hosts('alpha')))
    t.ok(result.ok, `${name}: valid`)
    t.same(doc, before, `${name}: the input is not modified`)
    if (!result.ok) continue
    t.equal(result.value.schemaVersion, 2, `${name}: converted to v2`)
    t.same({ ...result.value, schemaVersion: 1, $schema: doc.$schema }, { ...doc, $schema: doc.$schema }, `${name}: nothing else changes`)
    t.same(upgradeManifest(doc), result.value, `${name}: the same as the pure upgrade`)
  }
  const withSchema = upgradeManifest(v1Cases[2]![1])
  t.equal(withSchema.$schema, 'https://serviceportal.emscher-lippe.de/schemas/manifest.json')
  // v2-only fields are not accepted in a v1 document
  const mixed = { ...manifest('alpha', [service('a', { channels: ['online'] })]) }
  const result = validateManifest(mixed, context('alpha', hosts('alpha')))
  t.notOk(result.ok, 'channels in a v1 manifest are rejected')
  if (!result.ok) t.same(result.errors.map((e) => e.path), ['/services/0/channels'])
})

t.test('a valid v2 provider and two-sided references (member id and ARS prefix) pass', async (t) => {
  t.ok(validateManifest(providerDoc(), context('provider', hosts('provider'))).ok, 'provider')
  t.ok(validateManifest(consumerDoc('alpha', 'provider:gewerbe'), context('alpha', hosts('alpha'))).ok, 'alpha listed by id')
  t.ok(validateManifest(consumerDoc('beta', 'provider:gewerbe'), context('beta', hosts('beta'))).ok, 'beta listed by ARS prefix')
})

type Case = [name: string, memberId: string, doc: () => any, path: string, message: RegExp]
const cases: Case[] = [
  ['one-sided sharing (provider does not serve the member)', 'outside', () => consumerDoc('outside', 'provider:gewerbe'), '/services/0/onlineService', /Einseitiger Verweis.*"provider" nennt "outside" nicht in serves/],
  ['unknown provider', 'alpha', () => consumerDoc('alpha', 'nobody:gewerbe'), '/services/0/onlineService', /Unbekannter Anbieter "nobody"/],
  ['provider without that online service', 'alpha', () => consumerDoc('alpha', 'provider:bauantrag'), '/services/0/onlineService', /keinen Onlinedienst mit der id "bauantrag"/],
  ['provider without a valid manifest', 'alpha', () => consumerDoc('alpha', 'beta:x'), '/services/0/onlineService', /kein gültiges Manifest/],
  ['own reference to a missing online service', 'provider', () => { const d = providerDoc(); d.services[0]!.onlineService = 'fehlt'; return d }, '/services/0/onlineService', /keinen Onlinedienst mit der id "fehlt"/],
  ['host outside the provider\'s allowed hosts', 'provider', () => { const d = providerDoc(); d.onlineServices[0]!.url = 'https://gewerbe.elsewhere.example/'; return d }, '/onlineServices/0/url', /Host "gewerbe.elsewhere.example" gehört nicht zu den erlaubten Hosts des Anbieters/],
  ['http url', 'provider', () => { const d = providerDoc(); d.onlineServices[0]!.url = 'http://portal.provider.example/'; return d }, '/onlineServices/0/url', /ungültig/],
  ['maturity 5 in ozg-1.1 (0–4)', 'provider', () => { const d = providerDoc(); d.onlineServices[0]!.maturity = { model: 'ozg-1.1', level: 5 }; return d }, '/onlineServices/0/maturity/level', /Reifegrad 5 gibt es im Modell ozg-1.1 nicht: erlaubt sind die Stufen 0 bis 4/],
  ['maturity 8 in ozg-2.0 (0–7)', 'provider', () => { const d = providerDoc(); d.onlineServices[0]!.maturity = { model: 'ozg-2.0', level: 8 }; return d }, '/onlineServices/0/maturity/level', /Stufen 0 bis 7/],
  ['unknown maturity model', 'provider', () => { const d = providerDoc(); (d.onlineServices[0] as any).maturity = { model: 'ozg-3', level: 1 }; return d }, '/onlineServices/0/maturity/model', /must be one of: ozg-1.1, ozg-2.0/],
  ['unknown channel', 'alpha', () => { const d = consumerDoc('alpha', 'provider:gewerbe'); (d.services[0] as any).channels = ['online', 'brieftaube']; return d }, '/services/0/channels/1', /Unbekannter Kanal "brieftaube"/],
  ['unknown account', 'provider', () => { const d = providerDoc(); (d.onlineServices[0] as any).account = ['facebook']; return d }, '/onlineServices/0/account/0', /must be one of: none, bundid, servicekonto-nrw, unternehmenskonto/],
  ['serves names an unknown member', 'provider', () => { const d = providerDoc(); d.onlineServices[0]!.serves = ['gamma']; return d }, '/onlineServices/0/serves/0', /"gamma" ist kein Mitglied der Region/],
  ['serves a 1-digit ARS prefix (the schema\'s slug branch let it through; it matched nobody)', 'provider', () => { const d = providerDoc(); d.onlineServices[0]!.serves = ['5']; return d }, '/onlineServices/0/serves/0', /"5" ist kein ARS-Präfix: ein ARS-Präfix hat 2 bis 12 Ziffern/],
  ['serves a 13-digit ARS prefix', 'provider', () => { const d = providerDoc(); d.onlineServices[0]!.serves = ['0556200040040']; return d }, '/onlineServices/0/serves/0', /2 bis 12 Ziffern/],
  ['implements an unknown key', 'provider', () => { const d = providerDoc(); d.onlineServices[0]!.implements = ['gibt-es-nicht']; return d }, '/onlineServices/0/implements/0', /weder ein Schlüssel des Leistungskatalogs/],
  ['duplicate online service id', 'provider', () => { const d = providerDoc(); d.onlineServices.push({ ...d.onlineServices[0]! }); return d }, '/onlineServices/1/id', /mehrfach/],
  ['unsafe appointment url', 'provider', () => { const d = providerDoc(); (d.offices[0] as any).appointmentUrl = 'https://termine.evil.example/'; return d }, '/offices/0/appointmentUrl', /not one of the member's allowed hosts/],
]

t.test('each v2 rule rejects with its path and an explanation', async (t) => {
  for (const [name, memberId, doc, path, message] of cases) {
    const result = validateManifest(JSON.parse(JSON.stringify(doc())), context(memberId, hosts(memberId)))
    t.notOk(result.ok, `${name}: rejected`)
    if (result.ok) continue
    const hit = result.errors.find((e) => e.path === path)
    t.ok(hit, `${name}: names ${path} (got ${result.errors.map((e) => e.path).join(', ')})`)
    if (hit) t.match(hit.message, message, `${name}: explains`)
    t.equal(result.errors.filter((e) => e.path === path).length, 1, `${name}: one message per path`)
  }
})

t.test('offline (no view of other members) a reference to another member is not checked', async (t) => {
  const { onlineServicesOf: _ignored, ...offline } = context('outside', hosts('outside'))
  t.ok(validateManifest(consumerDoc('outside', 'provider:gewerbe'), offline).ok)
})
