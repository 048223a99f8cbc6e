// The bundled region with the open catalog loaded: the synthetic uncurated
// Leistungen of test/fixtures/open-catalog-services.json added to the member
// manifests (each member's own name; merged by LeiKa key), in a temp folder.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../../src/app.js'
import { loadRegionData } from '../../src/config/load.js'
import { buildSearchIndex, type SearchIndex } from '../../src/search/search-index.js'
import { NO_LOAD_SHEDDING } from './app.js'
import { copyBundledRegion, REPO } from './region.js'

export interface OpenService {
  leikaKey: string
  leikaName?: string
  summary: string
  lifeSituations: string[]
  synonyms: string[]
  offeredBy: Record<string, string>
}

export const openServices = async (): Promise<OpenService[]> =>
  (JSON.parse(await readFile(join(REPO, 'test', 'fixtures', 'open-catalog-services.json'), 'utf8')) as { services: OpenService[] }).services

/** A copy of config/ and members/ with the open services added; returns the region.json path and a cleanup. */
export async function openRegion(): Promise<{ regionPath: string; dir: string; cleanup: () => Promise<void> }> {
  const { dir, regionPath, cleanup } = await copyBundledRegion('dp-open-region-')
  const added = new Map<string, unknown[]>()
  for (const s of await openServices()) {
    for (const [member, name] of Object.entries(s.offeredBy)) {
      const list = added.get(member) ?? []
      list.push({
        id: `open-${s.leikaKey.slice(-3)}`, name, summary: s.summary, audiences: ['residents'], lifeSituations: s.lifeSituations,
        synonyms: s.synonyms, leikaKey: s.leikaKey, ...(s.leikaName ? { leikaName: s.leikaName } : {}),
      })
      added.set(member, list)
    }
  }
  for (const [member, services] of added) {
    const path = join(dir, 'members', `${member}.json`)
    const manifest = JSON.parse(await readFile(path, 'utf8')) as { services: unknown[] }
    manifest.services.push(...services)
    await writeFile(path, JSON.stringify(manifest))
  }
  return { regionPath, dir, cleanup }
}

/** The search index of the open region, as the app builds its catalog. */
export async function openRegionIndex(t: { teardown(fn: () => unknown): void }): Promise<SearchIndex> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-open-index-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const open = await openRegion()
  t.teardown(open.cleanup)
  const data = await loadRegionData(open.regionPath)
  const app = await buildApp({ regionData: data, settings: { dataDir, pressure: NO_LOAD_SHEDDING } })
  t.teardown(() => app.close())
  return buildSearchIndex(app.live.current, { synonyms: data.synonyms })
}
