// The Leistungsbeschreibung fields of schema v2: a complete description is
// valid; each rule the schema cannot say rejects with its JSON path.
import t from 'tap'
import { validateManifest, type ValidationContext } from '../../src/manifest/validate.js'
import { manifest, service } from '../helpers/region.js'
import type { Manifest, Service } from '../../src/manifest/schema.js'

const context: ValidationContext = {
  memberId: 'alpha',
  allowedHosts: ['www.alpha.example', 'portal.alpha.example'],
  lifeSituationIds: new Set(['familie-kind']),
  serviceKeys: new Set(),
}
const SOURCE = 'https://www.alpha.example/buergerservice/hund'
const SIGNATURE = 'eyJhbGciOiJQUzUxMiJ9.eyJkZXN0aW5hdGlvbklkIjoiMSJ9.c2lnbmF0dXJl'

const doc = (fields: Partial<Service>, overrides: Partial<Manifest> = {}) => ({
  ...manifest('alpha', [service('hund', { office: 'steuer', ...fields })], {
    sources: [{ what: 'Hundesteuer', source: 'Leistungsseite der Stadt', url: SOURCE }],
    offices: [
      { id: 'steuer', name: 'Steuerabteilung', phone: '+49 2043 99-0', email: 'steuer@alpha.example', openingHours: ['Mo–Fr 8:00–12:00'], source: SOURCE, fitConnect: { destinationId: '3fa85f64-5717-4562-b3fc-2c963f66afa6', destinationSignature: SIGNATURE } },
      { id: 'buergerbuero', name: 'Bürgerbüro' },
    ],
    ...overrides,
  }),
  schemaVersion: 2,
})

const complete: Partial<Service> = {
  requirements: 'Sie halten einen Hund in der Stadt.\n- Hauptwohnsitz in der Stadt',
  procedure: ['Formular ausfüllen', 'Formular an die Steuerabteilung senden'],
  deadlines: 'Innerhalb von zwei Wochen nach Aufnahme des Hundes.',
  processingTime: { text: 'etwa eine Woche', min: 1, max: 2, unit: 'week' },
  legalBasis: [{ title: 'Hundesteuersatzung der Stadt', url: 'https://www.alpha.example/satzungen/hundesteuer.pdf' }, { title: '§ 3 KAG NRW' }],
  forms: [{ title: 'Anmeldung eines Hundes', url: 'https://www.alpha.example/formulare/hund.pdf' }],
  furtherInformation: [{ title: 'Landeshundegesetz NRW', url: 'https://recht.nrw.de/lhundg' }],
  notes: 'Die Steuermarke ist am Halsband zu tragen.',
  fees: '96 € im Jahr für den ersten Hund',
  feeItems: [{ amount: 96, currency: 'EUR', text: 'erster Hund, je Jahr' }, { amount: 132.5, currency: 'EUR' }],
  contactPoints: ['buergerbuero'],
  fitConnect: { destinationId: '3fa85f64-5717-4562-b3fc-2c963f66afa6', destinationSignature: SIGNATURE },
  source: SOURCE,
}

const failures = (d: unknown) => {
  const result = validateManifest(d, context)
  return result.ok ? [] : result.errors
}

t.test('a complete Leistungsbeschreibung is valid', async (t) => {
  t.same(failures(doc(complete)), [])
})

t.test('each rule names its path', async (t) => {
  const cases: [string, Partial<Service>, Partial<Manifest>, string][] = [
    ['contact point not in offices', { contactPoints: ['nirgends'] }, {}, '/services/0/contactPoints/0'],
    ['contact point is the office', { contactPoints: ['steuer'] }, {}, '/services/0/contactPoints/0'],
    ['source not listed', { source: 'https://www.alpha.example/anderswo' }, {}, '/services/0/source'],
    ['form on a foreign host', { forms: [{ title: 'X', url: 'https://evil.example/x.pdf' }] }, {}, '/services/0/forms/0/url'],
    ['further information over http', { furtherInformation: [{ title: 'X', url: 'http://recht.nrw.de/x' }] }, {}, '/services/0/furtherInformation/0/url'],
    ['legal basis with credentials', { legalBasis: [{ title: 'X', url: 'https://u:p@recht.nrw.de/x' }] }, {}, '/services/0/legalBasis/0/url'],
    ['numbers without unit', { processingTime: { min: 1, max: 2 } }, {}, '/services/0/processingTime/unit'],
    ['unit without numbers', { processingTime: { text: 'kurz', unit: 'day' } }, {}, '/services/0/processingTime/unit'],
    ['min above max', { processingTime: { min: 5, max: 2, unit: 'day' } }, {}, '/services/0/processingTime/min'],
    ['unknown unit', { processingTime: { min: 1, unit: 'fortnight' as 'day' } }, {}, '/services/0/processingTime/unit'],
    ['empty processing time', { processingTime: {} }, {}, '/services/0/processingTime'],
    ['fee in another currency', { feeItems: [{ amount: 5, currency: 'USD' as 'EUR' }] }, {}, '/services/0/feeItems/0/currency'],
    ['fee with fractions of a cent', { feeItems: [{ amount: 5.001, currency: 'EUR' }] }, {}, '/services/0/feeItems/0/amount'],
    ['signature that is no JWS', { fitConnect: { destinationId: '3fa85f64-5717-4562-b3fc-2c963f66afa6', destinationSignature: 'not a jws' } }, {}, '/services/0/fitConnect/destinationSignature'],
    ['office source not listed', {}, { offices: [{ id: 'steuer', name: 'Steuer', source: 'https://www.alpha.example/x' }] }, '/offices/0/source'],
    ['too long a section', { requirements: 'x'.repeat(4001) }, {}, '/services/0/requirements'],
  ]
  for (const [name, fields, overrides, path] of cases) {
    const paths = failures(doc(fields, overrides)).map((e) => e.path)
    t.ok(paths.includes(path), `${name}: ${path} in ${JSON.stringify(paths)}`)
  }
})

t.test('v2 manifests without the new fields stay valid', async (t) => {
  t.same(failures({ ...manifest('alpha', [service('hund')]), schemaVersion: 2 }), [])
})
