// README's Leistungsbeschreibung section for member city IT teams: its
// example is a valid manifest under the gateway's own rules, sets every field
// it documents, and the text names every field of the schema and each rule of
// rules-description.ts, so the section cannot silently fall behind.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { validateManifest } from '../../src/manifest/validate.js'
import { REPO } from '../helpers/region.js'

const SERVICE_FIELDS = ['requirements', 'procedure', 'deadlines', 'processingTime', 'legalBasis', 'forms', 'furtherInformation', 'notes', 'fees', 'feeItems', 'contactPoints', 'fitConnect', 'source']
const OFFICE_FIELDS = ['phone', 'email', 'openingHours', 'appointmentUrl', 'source']

const readme = await readFile(join(REPO, 'README.md'), 'utf8')
const start = readme.indexOf('**The Leistungsbeschreibung**')
const section = readme.slice(start, readme.indexOf('\n2. Check it offline', start))
const block = /```json\n([\s\S]*?)\n\s*```/.exec(section)?.[1]

t.ok(start > 0 && block, 'the section and its JSON example are found')
const example = JSON.parse(block ?? '{}') as { sources: unknown[]; offices: Record<string, unknown>[]; services: Record<string, unknown>[] }

t.test('the example is a valid schema version 2 manifest', async (t) => {
  const manifest = {
    schemaVersion: 2, member: 'musterstadt', updatedAt: '2026-12-01T00:00:00Z', links: { website: 'https://www.musterstadt.example/' }, ...example,
  }
  const result = validateManifest(manifest, {
    memberId: 'musterstadt',
    allowedHosts: ['www.musterstadt.example'],
    lifeSituationIds: new Set(['tiere']),
    serviceKeys: new Set(['hund-anmelden']),
  })
  t.same(result.ok ? [] : result.errors, [], 'no errors')
})

t.test('the example sets every field, the text names each one', async (t) => {
  for (const field of SERVICE_FIELDS) {
    t.ok(example.services[0]?.[field] !== undefined, `example service sets ${field}`)
    t.match(section, `\`${field}`, `the text names ${field}`)
  }
  for (const field of OFFICE_FIELDS) {
    t.ok(example.offices.some((o) => o[field] !== undefined), `an example office sets ${field}`)
    t.match(section, `\`${field}\``, `the text names office ${field}`)
  }
})

t.test('the text states each rule of rules-description.ts', async (t) => {
  t.match(section, /`source`[^.]*must be the `url` of an entry in `sources`/, 'sources')
  t.match(section, /`contactPoints` entry must name an office/, 'contact points exist')
  t.match(section, /`forms\[\]\.url` must be https on one of your `allowedHosts`/, 'forms on allowed hosts')
  t.match(section, /`min` or `max` needs its `unit`, a `unit` needs `min` or `max`[^.]*`min` must not exceed `max`/, 'processing time')
})
