// A tiny hand-made region for search tests, merged with the real
// mergeCatalog: two cities in one Kreis, plus the Bund.
import { mergeCatalog } from '../../src/catalog/merge.js'
import type { Catalog, MemberState } from '../../src/catalog/types.js'
import type { CatalogEntry, LifeSituation, RegionConfig } from '../../src/config/region-schema.js'
import type { Manifest, Service } from '../../src/manifest/schema.js'
import type { SynonymEntry } from '../../src/search/synonyms.js'

const region: RegionConfig = {
  id: 'testregion',
  name: 'Testregion',
  members: [
    member('kreis-a', 'Kreis A', 'kreis', '055990000000', 'bund', []),
    member('stadt-a', 'Stadt A', 'stadt', '055990001001', 'kreis-a', ['11111', '11112']),
    member('stadt-b', 'Stadt B', 'stadt', '055990002002', 'kreis-a', ['22222']),
    member('bund', 'Bund', 'bund', '000000000000', null, []),
  ],
}

function member(id: string, name: string, level: 'stadt' | 'kreis' | 'bund', ars: string, parent: string | null, postalCodes: string[]) {
  return { id, name, level, ars, parent, postalCodes, manifest: `${id}.json`, allowedHosts: [`${id}.example.de`] }
}

const lifeSituations: LifeSituation[] = [
  { id: 'ausweise', label: 'Ausweise und Dokumente', description: 'Ausweise', ozgTopic: 'Ein- und Auswanderung' },
  { id: 'tiere', label: 'Tiere', description: 'Haustiere', ozgTopic: 'Umwelt' },
  { id: 'mobilitaet', label: 'Mobilität und Verkehr', description: 'Auto', ozgTopic: 'Mobilität & Reisen' },
  { id: 'recht', label: 'Recht und Ordnung', description: 'Recht', ozgTopic: 'Recht & Ordnung' },
  { id: 'abfall', label: 'Umwelt und Abfall', description: 'Abfall', ozgTopic: 'Umwelt' },
]

const serviceCatalog: CatalogEntry[] = [
  { key: 'hund-anmelden', name: 'Hund anmelden (Hundesteuer)', synonyms: ['Hundemarke'], lifeSituations: ['tiere'] },
  { key: 'personalausweis', name: 'Personalausweis beantragen', synonyms: ['Ausweis'], lifeSituations: ['ausweise'] },
  { key: 'fahrzeug-zulassen', name: 'Fahrzeug zulassen', synonyms: ['Kfz-Zulassung'], lifeSituations: ['mobilitaet'] },
  { key: 'bewohnerparkausweis', name: 'Bewohnerparkausweis beantragen', synonyms: [], lifeSituations: ['mobilitaet'] },
  { key: 'fuehrungszeugnis', name: 'Führungszeugnis beantragen', synonyms: [], lifeSituations: ['recht'] },
  { key: 'sperrmuell', name: 'Sperrmüll anmelden', synonyms: [], lifeSituations: ['abfall'] },
  // Two services with the same text: only the id can order them.
  { key: 'zwilling-b', name: 'Zwillingsdienst', synonyms: [], lifeSituations: ['recht'] },
  { key: 'zwilling-a', name: 'Zwillingsdienst', synonyms: [], lifeSituations: ['recht'] },
]

export const synonyms: SynonymEntry[] = [
  { term: 'perso', means: ['Personalausweis'] },
  { term: 'auto anmelden', means: ['Fahrzeug zulassen'] },
  { term: 'knöllchen', means: ['Verwarngeld'] },
]

function service(key: string, name: string, extra: Partial<Service> = {}): Service {
  const entry = serviceCatalog.find((e) => e.key === key)
  return {
    id: key,
    key,
    name,
    summary: `${name}: so geht es.`,
    audiences: ['residents'],
    lifeSituations: entry?.lifeSituations ?? ['recht'],
    ...extra,
  }
}

function manifest(id: string, services: Service[]): Manifest {
  return {
    schemaVersion: 1,
    member: id,
    updatedAt: '2026-01-01T00:00:00Z',
    sources: [{ what: 'test data', source: 'hand-made fixture' }],
    links: { website: `https://${id}.example.de/` },
    offices: [{ id: 'rathaus', name: `Bürgerbüro ${id}` }],
    services: services.map((s) => ({ onlineUrl: `https://${id}.example.de/${s.id}`, office: 'rathaus', ...s })),
  }
}

const manifests: Manifest[] = [
  manifest('stadt-a', [
    service('hund-anmelden', 'Hund anmelden', { documents: ['Nachweis der Haftpflichtversicherung'] }),
    service('personalausweis', 'Personalausweis beantragen', { documents: ['biometrisches Passfoto'] }),
    // channel facet: online only (no office), in person only (no online link)
    service('bewohnerparkausweis', 'Bewohnerparkausweis', { office: undefined }),
    service('sperrmuell', 'Sperrmüll anmelden', { onlineUrl: undefined }),
    { ...service('hundeschule', 'Hundeschule im Stadtpark', { lifeSituations: ['tiere'] }), key: undefined } as Service,
  ]),
  manifest('stadt-b', [
    service('hund-anmelden', 'Hundeanmeldung'),
    service('personalausweis', 'Personalausweis'),
    service('zwilling-a', 'Zwillingsdienst'),
    service('zwilling-b', 'Zwillingsdienst'),
  ]),
  manifest('kreis-a', [service('fahrzeug-zulassen', 'Fahrzeug zulassen')]),
  manifest('bund', [service('fuehrungszeugnis', 'Führungszeugnis beantragen'), service('personalausweis', 'Personalausweis (Bund)')]),
]

export function fixtureCatalog(version = 1, drop: string[] = []): Catalog {
  const members: MemberState[] = manifests
    .filter((m) => !drop.includes(m.member))
    .map((m) => ({ id: m.member, status: 'ok', manifest: stripUndefined(m), meta: {} }))
  return mergeCatalog({ version, builtAt: '2026-01-01T00:00:00Z', region, lifeSituations, serviceCatalog, members })
}

function stripUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}
