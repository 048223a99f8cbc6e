// Builds a temporary region (config + manifests) for tests, reusing the real
// taxonomy files, so each test states only the members it is about.
import { cp, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { MemberConfig, RegionConfig } from '../../src/config/region-schema.js'
import type { Manifest, Service } from '../../src/manifest/schema.js'

export const REPO = resolve(import.meta.dirname, '../..')

export interface TempRegion {
  dir: string
  regionPath: string
  dataDir: string
  cleanup: () => Promise<void>
}

/** manifests: member id -> manifest object, or a raw string (written as-is), or null (no file). */
export async function makeRegion(
  members: MemberConfig[],
  manifests: Record<string, Manifest | string | null>,
  extra: Partial<RegionConfig> = {},
): Promise<TempRegion> {
  const dir = await mkdtemp(join(tmpdir(), 'dp-region-'))
  await mkdir(join(dir, 'config'))
  await mkdir(join(dir, 'members'))
  for (const f of ['life-situations.json', 'services.json', 'synonyms.json']) {
    await cp(join(REPO, 'config', f), join(dir, 'config', f))
  }
  const region: RegionConfig = { id: 'test-region', name: 'Testregion', members, ...extra }
  await writeFile(join(dir, 'config', 'region.json'), JSON.stringify(region, null, 2))
  for (const [id, manifest] of Object.entries(manifests)) {
    if (manifest === null) continue
    await writeFile(join(dir, 'members', `${id}.json`), typeof manifest === 'string' ? manifest : JSON.stringify(manifest, null, 2))
  }
  return {
    dir,
    regionPath: join(dir, 'config', 'region.json'),
    dataDir: join(dir, 'data'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
}

export function member(id: string, level: MemberConfig['level'], overrides: Partial<MemberConfig> = {}): MemberConfig {
  return {
    id,
    name: id[0]!.toUpperCase() + id.slice(1),
    level,
    ars: '055620014014',
    parent: null,
    postalCodes: [],
    manifest: `../members/${id}.json`,
    allowedHosts: [`www.${id}.example`, `portal.${id}.example`],
    ...overrides,
  }
}

export function service(id: string, overrides: Partial<Service> = {}): Service {
  return {
    id,
    name: `Leistung ${id}`,
    summary: `Beschreibung von ${id}.`,
    audiences: ['residents'],
    lifeSituations: ['familie-kind'],
    trustLevel: 'low',
    ...overrides,
  }
}

export function manifest(memberId: string, services: Service[], overrides: Partial<Manifest> = {}): Manifest {
  return {
    schemaVersion: 1,
    member: memberId,
    updatedAt: '2026-11-01T00:00:00Z',
    sources: [{ what: 'test data', source: 'made up for a test' }],
    links: { website: `https://www.${memberId}.example/` },
    offices: [{ id: 'rathaus', name: `Rathaus ${memberId}` }],
    services,
    ...overrides,
  }
}

/**
 * A copy of the bundled config/ and members/ in a temp folder; `edit` may change
 * each member's region entry (feeds, hosts). Returns the copy's region.json path.
 */
export async function copyBundledRegion(
  prefix: string, edit: (member: Record<string, unknown>) => void = () => {},
): Promise<{ dir: string; regionPath: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  await cp(join(REPO, 'config'), join(dir, 'config'), { recursive: true })
  await cp(join(REPO, 'members'), join(dir, 'members'), { recursive: true })
  const regionPath = join(dir, 'config', 'region.json')
  const region = JSON.parse(await readFile(regionPath, 'utf8')) as { members: Record<string, unknown>[] }
  for (const m of region.members) edit(m)
  await writeFile(regionPath, JSON.stringify(region))
  return { dir, regionPath, cleanup: () => rm(dir, { recursive: true, force: true }) }
}
