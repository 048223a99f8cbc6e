// Issue 24 item 1, the API side: every JSON answer that carries offerings
// (services, life situations, search, responsibility) carries the whole
// Leistungsbeschreibung and the offices' contact data. fast-json-stringify
// drops what a response schema does not list, so each field is checked as it
// arrives through the real app, from a manifest that sets every one of them.
import t, { type Test } from 'tap'
import { realApp } from '../helpers/app.js'
import { makeRegion, member, service } from '../helpers/region.js'
import type { Manifest, Office, Service } from '../../src/manifest/schema.js'

const SOURCE = 'https://www.alpha.example/hund'
const OFFICE_SOURCE = 'https://www.alpha.example/rathaus'
const FIT_CONNECT = {
  destinationId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  destinationSignature: 'eyJhbGciOiJQUzUxMiJ9.eyJkZXN0aW5hdGlvbklkIjoiMyJ9.c2lnbmF0dXJl',
}

const office = (id: string, name: string): Office => ({
  id,
  name,
  address: { street: 'Willy-Brandt-Platz 2', postalCode: '45964', city: 'Alpha' },
  openingHours: ['Mo–Fr 8:00–12:00', 'Do 14:00–18:00'],
  phone: '+49 2043 99-0',
  email: `${id}@alpha.example`,
  url: `https://www.alpha.example/${id}`,
  appointmentUrl: `https://portal.alpha.example/termin/${id}`,
  accessibility: 'Eingang barrierefrei, Aufzug vorhanden',
  source: OFFICE_SOURCE,
  fitConnect: FIT_CONNECT,
})

/** Every field of the Leistungsbeschreibung set, with the responsible office and one Ansprechpunkt. */
const description = {
  requirements: 'Hauptwohnsitz in Alpha\n- Hund älter als drei Monate',
  procedure: ['Formular ausfüllen', 'Formular senden', 'Steuermarke erhalten'],
  deadlines: 'Innerhalb von zwei Wochen nach Anschaffung',
  processingTime: { text: 'etwa eine Woche', min: 1, max: 2, unit: 'week' },
  legalBasis: [{ title: '§ 1 Hundesteuersatzung', url: 'https://recht.nrw.de/hundesteuer' }, { title: 'LHundG NRW' }],
  forms: [{ title: 'Anmeldung zur Hundesteuer', url: 'https://www.alpha.example/hund.pdf' }],
  furtherInformation: [{ title: 'Landeshundegesetz', url: 'https://recht.nrw.de/lhundg' }],
  notes: 'Die Steuermarke ist sichtbar zu tragen.',
  fees: '96 € im Jahr',
  feeItems: [{ amount: 96, currency: 'EUR', text: 'erster Hund, je Jahr' }, { amount: 120.5, currency: 'EUR' }],
  fitConnect: FIT_CONNECT,
  source: SOURCE,
} satisfies Partial<Service>

function alphaManifest(): Manifest {
  return {
    schemaVersion: 2,
    member: 'alpha',
    updatedAt: '2026-11-01T00:00:00Z',
    sources: [
      { what: 'Hundesteuer', source: 'Website der Stadt', url: SOURCE },
      { what: 'Rathaus und Bürgerbüro', source: 'Website der Stadt', url: OFFICE_SOURCE },
    ],
    links: { website: 'https://www.alpha.example/' },
    offices: [office('rathaus', 'Rathaus Alpha'), office('buergerbuero', 'Bürgerbüro Alpha')],
    services: [service('hund', {
      key: 'hund-anmelden', name: 'Hund anmelden', lifeSituations: ['tiere'], office: 'rathaus', contactPoints: ['buergerbuero'], ...description,
    })],
  }
}

const region = await makeRegion(
  [member('alpha', 'stadt', { postalCodes: ['45964'] }), member('beta', 'stadt', { ars: '055620008008', postalCodes: ['45711'] })],
  { alpha: alphaManifest(), beta: { ...alphaManifest(), member: 'beta', sources: [{ what: 'Testdaten', source: 'für einen Test' }], offices: [{ id: 'rathaus', name: 'Rathaus Beta' }], services: [service('hund', { key: 'hund-anmelden', lifeSituations: ['tiere'] })], links: {} } },
)
t.teardown(region.cleanup)
const app = await realApp(t, { regionConfig: region.regionPath, rateLimit: false })

const alphaOffice = { ...office('rathaus', 'Rathaus Alpha') }
const alphaContact = { ...office('buergerbuero', 'Bürgerbüro Alpha') }
const alpha = (offerings: { member: string }[]) => offerings.find((o) => o.member === 'alpha')

/** every field, exactly as the manifest states it (t.same on each, so a dropped one is named) */
function assertOffering(t: Test, offering: Record<string, unknown> | undefined, where: string): void {
  t.ok(offering, `${where}: alpha's offering`)
  for (const [field, value] of Object.entries(description)) t.same(offering?.[field], value, `${where}: ${field}`)
  t.same(offering?.office, alphaOffice, `${where}: the office with phone, email, openingHours, appointmentUrl, source`)
  t.same(offering?.contactPoints, [alphaContact], `${where}: contactPoints as resolved offices`)
}

t.test('GET /api/v1/services/:id', async (t) => {
  const res = await app.inject('/api/v1/services/hund-anmelden?postalCode=45964')
  t.equal(res.statusCode, 200)
  const body = res.json()
  assertOffering(t, alpha(body.offerings), 'offerings')
  assertOffering(t, body.forYou, 'forYou')
  const beta = body.offerings.find((o: { member: string }) => o.member === 'beta')
  for (const field of [...Object.keys(description), 'contactPoints']) t.notOk(field in beta, `beta states no ${field}: none is invented`)
})

t.test('GET /api/v1/responsibility with service: forYou and alternatives', async (t) => {
  const mine = (await app.inject('/api/v1/responsibility?postalCode=45964&service=hund-anmelden')).json()
  assertOffering(t, mine.service.forYou, 'forYou')
  const other = (await app.inject('/api/v1/responsibility?postalCode=45711&service=hund-anmelden')).json()
  t.equal(other.service.forYou.member, 'beta')
  assertOffering(t, alpha(other.service.alternatives), 'alternatives')
})

t.test('lists, life situations and search (view=full) carry the same offering', async (t) => {
  const list = (await app.inject('/api/v1/services?member=alpha')).json()
  assertOffering(t, alpha(list.items[0].offerings), 'services list')
  const situation = (await app.inject('/api/v1/life-situations/tiere')).json()
  assertOffering(t, alpha(situation.services.items[0].offerings), 'life situation')
  const search = (await app.inject('/api/v1/search?q=hund&postalCode=45964')).json()
  const hit = search.hits.find((h: { service: { id: string } }) => h.service.id === 'hund-anmelden')
  assertOffering(t, alpha(hit.service.offerings), 'search offerings')
  assertOffering(t, hit.service.forYou, 'search forYou')
  assertOffering(t, hit.forYou, 'search forYou (deprecated copy)')
})
