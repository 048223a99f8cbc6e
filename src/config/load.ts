// Reads the region config and its sibling taxonomy files, checks them, and
// turns env vars into one typed Config. A broken region config is fatal
// (it is the trust boundary); a broken manifest is not (see manifest/load).
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { Static } from '@sinclair/typebox'
import type { CatalogEntry, LifeSituation, LifeSituationsFile, RegionConfig, ServiceCatalogFile, SynonymsFile } from './region-schema.js'
import { loadValidators, type SchemaCheck } from '../validation/standalone.js'
import { CONFIG_SCHEMAS, CONFIG_VALIDATORS_FILE } from './schema-validators.js'
import { LEVEL_RANK } from '../manifest/schema.js'
import { checkHttpsUrl, isRemoteManifest } from '../net/https-url.js'

// generated at build time when available (validation/standalone.ts); made once, at the first load
let validators: ReturnType<typeof loadValidators<typeof CONFIG_SCHEMAS>> | undefined

type Synonyms = Static<typeof SynonymsFile>['synonyms']

export interface RegionData {
  /** absolute path of region.json; manifest paths resolve against its folder */
  regionPath: string
  region: RegionConfig
  lifeSituations: LifeSituation[]
  serviceCatalog: CatalogEntry[]
  synonyms: Synonyms
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

async function readJson<T>(path: string, check: SchemaCheck): Promise<T> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`)
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new ConfigError(`${path} is not valid JSON: ${(err as Error).message}`)
  }
  if (!check(doc)) {
    const lines = (check.errors ?? []).map((e) => `  ${e.instancePath || '/'} ${e.message ?? ''}`)
    throw new ConfigError(`${path} is invalid:\n${lines.join('\n')}`)
  }
  return doc as T
}

/** Loads region.json plus life-situations.json, services.json, synonyms.json beside it. */
export async function loadRegionData(regionPath: string): Promise<RegionData> {
  const abs = resolve(regionPath)
  const dir = dirname(abs)
  const { checks } = await (validators ??= loadValidators(CONFIG_SCHEMAS, CONFIG_VALIDATORS_FILE))
  const [region, ls, catalog, synonyms] = await Promise.all([
    readJson<RegionConfig>(abs, checks.region),
    readJson<Static<typeof LifeSituationsFile>>(resolve(dir, 'life-situations.json'), checks.lifeSituations),
    readJson<Static<typeof ServiceCatalogFile>>(resolve(dir, 'services.json'), checks.services),
    readJson<Static<typeof SynonymsFile>>(resolve(dir, 'synonyms.json'), checks.synonyms),
  ])
  const data = { regionPath: abs, region, lifeSituations: ls.lifeSituations, serviceCatalog: catalog.services, synonyms: synonyms.synonyms }
  const problems = checkRegion(data)
  if (problems.length > 0) throw new ConfigError(`${abs} is inconsistent:\n  ${problems.join('\n  ')}`)
  return data
}

/** Only the scheme is judged here; the rest of the URL rule is applied where the URL is used (proxy, refresher). */
const httpsRefused = (raw: string, allowHttp: boolean) => {
  const checked = checkHttpsUrl(raw, allowHttp)
  return !checked.ok && checked.problem === 'not-https'
}

/** Cross-entry rules the schemas cannot say. Pure; returns readable problems. */
function checkRegion(data: Omit<RegionData, 'regionPath'>): string[] {
  const problems: string[] = []
  const ids = new Map(data.region.members.map((m) => [m.id, m]))
  if (ids.size !== data.region.members.length) problems.push('member ids must be unique')
  for (const m of data.region.members) {
    if (m.parent !== null) {
      const parent = ids.get(m.parent)
      if (!parent) problems.push(`${m.id}: parent "${m.parent}" is not a member`)
      else if (LEVEL_RANK[parent.level] <= LEVEL_RANK[m.level]) problems.push(`${m.id}: parent "${m.parent}" must be a higher level`)
    }
    if (m.level !== 'stadt' && m.postalCodes.length > 0) problems.push(`${m.id}: only cities hold postal codes`)
    const allowHttp = m.allowPrivateNetwork === true
    if (m.upstream !== undefined && httpsRefused(m.upstream, allowHttp)) {
      problems.push(`${m.id}: upstream must be https (http only with allowPrivateNetwork for tests)`)
    }
    if (m.manifest === undefined && m.xzufi === undefined) problems.push(`${m.id}: needs a manifest (file or https URL) or an xzufi feed URL`)
    if (m.manifest !== undefined && isRemoteManifest(m.manifest) && httpsRefused(m.manifest, allowHttp)) problems.push(`${m.id}: manifest URL must be https`)
    if (m.xzufi !== undefined) {
      if (httpsRefused(m.xzufi, allowHttp)) problems.push(`${m.id}: xzufi URL must be https`)
      // one source is fetched per member; the file beside a feed only supplies what XZuFi lacks
      if (m.manifest !== undefined && isRemoteManifest(m.manifest)) problems.push(`${m.id}: beside xzufi, manifest must be a file (links, sources), not a URL`)
    }
  }
  const lsIds = new Set(data.lifeSituations.map((l) => l.id))
  if (lsIds.size !== data.lifeSituations.length) problems.push('life situation ids must be unique')
  if (data.lifeSituations.filter((l) => l.fallback === true).length > 1) problems.push('at most one life situation is the fallback ("fallback": true)')
  const keys = new Set<string>()
  for (const entry of data.serviceCatalog) {
    if (keys.has(entry.key)) problems.push(`services.json: duplicate key "${entry.key}"`)
    // the merge names a service by its LeiKa key `leika-<key>` when no entry curates it
    if (/^leika-/.test(entry.key)) problems.push(`services.json: key "${entry.key}": leika-… is the id of services merged by LeiKa key, not a catalog key`)
    keys.add(entry.key)
    for (const ls of entry.lifeSituations) if (!lsIds.has(ls)) problems.push(`services.json: ${entry.key}: unknown life situation "${ls}"`)
    if ((entry.leikaKey === undefined) !== (entry.leikaSource === undefined)) problems.push(`services.json: ${entry.key}: leikaKey needs leikaSource`)
    // one entry per LeiKa key: the merge puts every service with that key into it
    if (entry.leikaKey !== undefined && data.serviceCatalog.some((e) => e !== entry && e.leikaKey === entry.leikaKey)) problems.push(`services.json: ${entry.key}: LeiKa key ${entry.leikaKey} is another entry's too`)
  }
  return problems
}
