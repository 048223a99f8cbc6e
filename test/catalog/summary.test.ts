// The regional catalog's summaries are shown to every resident of the region,
// so they must not name a member: a city's text ("im Bürgerbüro der Stadt
// Bottrop") would mislead everyone else. Reads the real config and manifests.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { mergeCatalog } from '../../src/catalog/merge.js'
import type { MemberState } from '../../src/catalog/types.js'
import { loadRegionData } from '../../src/config/load.js'
import type { Manifest } from '../../src/manifest/schema.js'
import { REPO } from '../helpers/region.js'

const regionPath = join(REPO, 'config', 'region.json')
const data = await loadRegionData(regionPath)
const memberNames = data.region.members.map((m) => m.name)

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

// Unicode-aware word boundaries: JS \b treats umlauts as non-word characters.
const namePatterns = memberNames.map((name) => ({
  name,
  re: new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name)}(?![\\p{L}\\p{N}])`, 'u'),
}))

/** Member names the text mentions as whole words. */
function namedMembers(text: string): string[] {
  return namePatterns.filter((p) => p.re.test(text)).map((p) => p.name)
}

t.test('the name matcher finds member names as whole words only', async (t) => {
  t.ok(memberNames.length >= 15, 'real region with all members')
  t.same(namedMembers('im Bürgerbüro der Stadt Bottrop, wo'), ['Bottrop'])
  t.same(namedMembers('Stadt Haltern am See.'), ['Haltern am See'])
  t.same(namedMembers('Die Zulassungsstelle des Kreises Recklinghausen'), ['Recklinghausen'])
  t.same(namedMembers('der Kreis Recklinghausen').sort(), ['Kreis Recklinghausen', 'Recklinghausen'])
  t.same(namedMembers('Steuerverwaltungen von Bund und Ländern'), ['Bund'])
  t.same(namedMembers('beim Bundesamt für Justiz; Marler Straße'), [], 'parts of longer words do not count')
})

t.test('every catalog entry has a summary that names no member', async (t) => {
  t.equal(data.serviceCatalog.length, 76)
  const missing = data.serviceCatalog.filter((e) => !e.summary?.trim()).map((e) => e.key)
  t.same(missing, [], 'entries without summary')
  const naming = data.serviceCatalog
    .map((e) => ({ key: e.key, names: namedMembers(e.summary ?? '') }))
    .filter((x) => x.names.length > 0)
  t.same(naming, [], 'entries whose summary names a member')
})

async function realMemberStates(): Promise<MemberState[]> {
  const dir = dirname(regionPath)
  return Promise.all(data.region.members.map(async (m) => {
    const manifest = JSON.parse(await readFile(resolve(dir, m.manifest!), 'utf8')) as Manifest
    return { id: m.id, status: 'ok' as const, manifest, meta: {} }
  }))
}

t.test('the merged regional services show the neutral catalog summary', async (t) => {
  const catalog = mergeCatalog({
    version: 1,
    builtAt: '2026-01-01T00:00:00Z',
    region: data.region,
    lifeSituations: data.lifeSituations,
    serviceCatalog: data.serviceCatalog,
    members: await realMemberStates(),
  })
  const wrong: string[] = []
  let memberTextsNamingCities = 0
  for (const entry of data.serviceCatalog) {
    const service = catalog.serviceById.get(entry.key)
    if (!service) continue // no member offers it (yet)
    if (service.summary !== entry.summary || namedMembers(service.summary).length > 0) wrong.push(entry.key)
    if (service.offerings.some((o) => namedMembers(o.summary).length > 0)) memberTextsNamingCities++
  }
  t.same(wrong, [], 'regional services not showing the catalog summary')
  // The members' own texts do name their city: without the catalog summary they would leak.
  t.ok(memberTextsNamingCities > 0, 'member summaries name members (the case this guards against)')
  t.ok(catalog.serviceById.get('personalausweis')?.offerings.some((o) => o.summary.includes('Bottrop')))
})
