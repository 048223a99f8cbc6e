// The open catalog at scale (issue 27): a synthetic region standing in for a
// realistic one. The region's 12 cities export 400 Leistungen each (300 LeiKa
// keys shared by all of them, 100 city-specific), the Kreis 200 (100 shared,
// 100 own), the Land 150 (50 shared, 100 own) and the Bund 100 (own), as
// generated XZuFi files; each is imported by the real importer (stream,
// map, validate) and added to the member's bundled manifest (so the region
// keeps today's catalog services too), merged by the real merge (by LeiKa
// key) and indexed. In the same run, today's bundled region (its 78
// services) as the baseline.
// Reports region build (merge + index), RSS and in-process search latency;
// targets as NRW scale: index < 10 s, RSS < 1.5 GB, search p99 < 25 ms.
// Build first: npx tsc -p tsconfig.build.json.
import { createReadStream } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { loadRegionData } from '../dist/config/load.js'
import { mergeCatalog } from '../dist/catalog/merge.js'
import { buildSearchIndex } from '../dist/search/search-index.js'
import { search } from '../dist/search/search.js'
import { resolveResponsibility } from '../dist/catalog/responsibility.js'
import { validateManifest } from '../dist/manifest/validate.js'
import { mapAndValidate, mapContextFor, readXzufi } from '../dist/import/xzufi-import.js'
import { generateMemberXzufi, sharedLeistung } from './xzufi-generate.mjs'
import { QUERIES } from './search.mjs'
import { printTable, timings } from './lib/table.mjs'

const SHAPE = { stadt: { shared: 300, own: 100 }, kreis: { shared: 100, own: 100 }, land: { shared: 50, own: 100 }, bund: { shared: 0, own: 100 } }
// queries for the open services beside the usual ones
const OPEN_QUERIES = ['sondernutzung beantragen', 'baumpatenschaft', 'plakatierung', 'osterfeuer', 'grünabfall melden', 'sporthalle', 'taxikonzession', 'halteverbot beantragen', 'zisterne zuschuss', 'kleingarten']

/** merge + index of one region's member states, then search latency over it */
function measure(data, states) {
  const t0 = performance.now()
  const catalog = mergeCatalog({ version: 1, builtAt: new Date(0).toISOString(), region: data.region, lifeSituations: data.lifeSituations, serviceCatalog: data.serviceCatalog, members: states })
  const mergeMs = performance.now() - t0
  const t1 = performance.now()
  const index = buildSearchIndex(catalog, { synonyms: data.synonyms })
  const indexMs = performance.now() - t1
  const codes = ['45964', '46236', '45879', '45657', '45768']
  const params = [...QUERIES, ...OPEN_QUERIES].flatMap((q, i) => [{ q, page: 1, pageSize: 10 }, { q, page: 1, pageSize: 10, postalCode: codes[i % codes.length] }])
  timings((p) => search(index, p), params, 2) // warm-up
  const s = timings((p) => search(index, p), params, 10)
  // "who is responsible for me" for a shared LeiKa service, per postal code
  const shared = catalog.serviceById.get(`leika-${sharedLeistung(0).key}`) ?? catalog.services[0]
  const r = timings((code) => resolveResponsibility(catalog, { postalCode: code, service: shared.id }), codes, 200)
  return { catalog, mergeMs, indexMs, s, r }
}

/** the bundled manifest with an import's services, offices and online services added (ids prefixed: no clash) */
function combine(bundled, imported) {
  const x = (id) => `x-${id}`
  return {
    ...bundled,
    onlineServices: [...(bundled.onlineServices ?? []), ...(imported.onlineServices ?? []).map((o) => ({ ...o, id: x(o.id) }))],
    offices: [...bundled.offices, ...imported.offices.map((o) => ({ ...o, id: x(o.id) }))],
    services: [...bundled.services, ...imported.services.map((s) => ({
      ...s,
      id: x(s.id),
      ...(s.office ? { office: x(s.office) } : {}),
      ...(s.contactPoints ? { contactPoints: s.contactPoints.map(x) } : {}),
      ...(s.onlineService ? { onlineService: x(s.onlineService) } : {}),
    }))],
  }
}

/** the bundled manifests as the store would hold them (valid files, read as they are) */
async function bundledStates(data) {
  const base = dirname(data.regionPath)
  return Promise.all(data.region.members.map(async (m) => ({
    id: m.id, status: 'ok', meta: {}, manifest: JSON.parse(await readFile(resolve(base, m.manifest), 'utf8')),
  })))
}

export async function run() {
  const data = await loadRegionData(fileURLToPath(new URL('../config/region.json', import.meta.url)))
  const bundled = await bundledStates(data)
  measure(data, bundled) // warm-up: the first run pays for JIT compilation
  const baseline = measure(data, bundled)

  const dir = await mkdtemp(join(tmpdir(), 'dp-open-scale-'))
  try {
    const labels = data.lifeSituations.filter((l) => !l.fallback).map((l) => l.label)
    const states = []
    let importMs = 0
    let leistungen = 0
    for (const [memberIndex, m] of data.region.members.entries()) {
      const shape = SHAPE[m.level]
      const path = join(dir, `${m.id}.xml`)
      await generateMemberXzufi(path, { memberIndex, memberName: m.name, ars: m.ars, host: m.allowedHosts[0], ...shape, lifeSituationLabels: labels })
      leistungen += shape.shared + shape.own
      const t0 = performance.now()
      const read = await readXzufi(createReadStream(path))
      const result = mapAndValidate(read.records, mapContextFor(data, m, {}, read.version, new Date()), (doc) => validateManifest(doc, {
        memberId: m.id,
        allowedHosts: m.allowedHosts,
        lifeSituationIds: new Set(data.lifeSituations.map((l) => l.id)),
        serviceKeys: new Set(data.serviceCatalog.map((e) => e.key)),
        members: new Map(data.region.members.map((x) => [x.id, { ars: x.ars }])),
      }))
      importMs += performance.now() - t0
      if (!result.ok) throw new Error(`${m.id}: import invalid: ${JSON.stringify(result.errors.slice(0, 3))} (dropped ${result.report.dropped.length})`)
      const own = bundled.find((b) => b.id === m.id)
      states.push({ id: m.id, status: 'ok', meta: {}, manifest: own ? combine(own.manifest, result.value) : result.value })
    }
    globalThis.gc?.()
    const rssBefore = process.memoryUsage().rss
    const open = measure(data, states)
    globalThis.gc?.()
    const rss = process.memoryUsage().rss
    const offerings = open.catalog.services.reduce((n, s) => n + s.offerings.length, 0)
    const merged = open.catalog.services.filter((s) => s.id.startsWith('leika-'))
    const shared = merged.filter((s) => s.offeringCount > 1)
    const rounded = (x) => Math.round(x * 100) / 100
    const buildMs = open.mergeMs + open.indexMs
    const baseBuild = baseline.mergeMs + baseline.indexMs
    return {
      name: `Open catalog scale (${data.region.members.length} members, ${leistungen} Leistungen imported, ${offerings} offerings, ${open.catalog.services.length} services of which ${merged.length} by LeiKa key without a catalog entry (${shared.length} offered by several members); baseline: bundled region, ${baseline.catalog.services.length} services; ms)`,
      rows: [
        { label: 'XZuFi import, 15 exports (read, map, validate)', p50: rounded(importMs) },
        { label: 'region build, bundled (merge + index)', p50: rounded(baseBuild), note: `merge ${rounded(baseline.mergeMs)}, index ${rounded(baseline.indexMs)}` },
        { label: 'region build, open catalog (merge + index)', p50: rounded(buildMs), ratio: rounded(buildMs / baseBuild), note: `merge ${rounded(open.mergeMs)}, index ${rounded(open.indexMs)}; target index < 10000 ms` },
        { label: 'RSS after build', rssMb: Math.round(rss / 1048576), note: `before the open catalog's merge ${Math.round(rssBefore / 1048576)} MB (target < 1536)` },
        { label: `search, bundled (${(QUERIES.length + OPEN_QUERIES.length) * 2} queries)`, p50: rounded(baseline.s.p50), p99: rounded(baseline.s.p99) },
        { label: 'search, open catalog', p50: rounded(open.s.p50), p99: rounded(open.s.p99), ratio: rounded(open.s.p99 / baseline.s.p99), note: 'target p99 < 25 ms; ratio of p99' },
        { label: 'responsibility, bundled', p50: rounded(baseline.r.p50), p99: rounded(baseline.r.p99) },
        { label: 'responsibility, open catalog (shared LeiKa service)', p50: rounded(open.r.p50), p99: rounded(open.r.p99) },
      ],
      targets: [
        { name: 'open catalog: region index build', target: '< 10000 ms', value: `${Math.round(open.indexMs)} ms`, met: open.indexMs < 10000 },
        { name: 'open catalog: RSS', target: '< 1536 MB', value: `${Math.round(rss / 1048576)} MB`, met: rss < 1536 * 1048576 },
        { name: 'open catalog: search p99', target: '< 25 ms', value: `${rounded(open.s.p99)} ms`, met: open.s.p99 < 25 },
      ],
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) printTable(await run())
