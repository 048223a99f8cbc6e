// NRW-scale synthetic catalog: 427 members (396 cities, 31 Kreise) under
// Land and Bund, about 300k offerings with names drawn from the real
// region's services. Reports index build time, RSS and in-process search
// and suggest latency. Baseline in the same run: the same measurements on
// the real region's catalog (15 members), as merged by buildApp; ratio =
// NRW / region. Build first: npx tsc -p tsconfig.build.json.
import { fileURLToPath, pathToFileURL } from 'node:url'
import { loadRegionData } from '../dist/config/load.js'
import { buildSearchIndex } from '../dist/search/search-index.js'
import { search } from '../dist/search/search.js'
import { suggest } from '../dist/search/suggest.js'
import { QUERIES } from './search.mjs'
import { printTable, timings } from './lib/table.mjs'
import { regionCatalog } from './lib/gateway.mjs'

const KREISE = 31
const CITIES = 396
const LOCAL_PER_MEMBER = 60
const OFFICES_PER_KEY = [1, 20] // offerings per member per keyed service (district offices)

function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function syntheticCatalog(entries, lifeSituations) {
  const random = rng(427)
  const members = [
    { id: 'bund', name: 'Bund', level: 'bund', ars: '000000000000', parent: null, postalCodes: [], status: 'ok', serviceCount: 0 },
    { id: 'nrw', name: 'Land NRW', level: 'land', ars: '050000000000', parent: 'bund', postalCodes: [], status: 'ok', serviceCount: 0 },
  ]
  for (let k = 0; k < KREISE; k++) members.push({ id: `kreis-${k}`, name: `Kreis ${k}`, level: 'kreis', ars: `05${String(k).padStart(3, '0')}0000000`, parent: 'nrw', postalCodes: [], status: 'ok', serviceCount: 0 })
  for (let c = 0; c < CITIES; c++) {
    members.push({ id: `stadt-${c}`, name: `Stadt ${c}`, level: 'stadt', ars: `05${String(c % KREISE).padStart(3, '0')}0${String(c).padStart(6, '0')}`, parent: `kreis-${c % KREISE}`, postalCodes: [String(40000 + c * 10)], status: 'ok', serviceCount: 0 })
  }
  const local = members.filter((m) => m.level === 'stadt' || m.level === 'kreis')
  const services = []
  for (const e of entries) {
    const offerings = []
    for (const m of local) {
      if (random() > 0.9) continue
      const n = OFFICES_PER_KEY[0] + Math.floor(random() * OFFICES_PER_KEY[1])
      for (let i = 0; i < n; i++) offerings.push(offering(m, e.key + (i ? `-${i}` : ''), i ? `${e.name} (Bezirk ${i})` : e.name, e, i))
    }
    services.push(regional(e.key, e.name, e, offerings))
  }
  for (const m of local) {
    for (let i = 0; i < LOCAL_PER_MEMBER; i++) {
      const e = entries[Math.floor(random() * entries.length)]
      const name = `${e.name} – ${['Sonderfall', 'Beratung', 'Nachweis', 'Antrag vor Ort', 'Terminvergabe'][i % 5]} ${m.name}`
      services.push(regional(`${m.id}:lokal-${i}`, name, e, [offering(m, `lokal-${i}`, name, e, 0)]))
    }
  }
  members.forEach((m) => { m.serviceCount = 1 })
  const membersByPostalCode = new Map(members.flatMap((m) => m.postalCodes.map((p) => [p, [m.id]])))
  return {
    version: 1, builtAt: new Date(0).toISOString(), region: { id: 'nrw', name: 'NRW (synthetisch)' },
    members, memberById: new Map(members.map((m) => [m.id, m])),
    services, serviceById: new Map(services.map((s) => [s.id, s])),
    lifeSituations: lifeSituations.map((l) => ({ ...l, serviceCount: 0 })),
    lifeSituationById: new Map(lifeSituations.map((l) => [l.id, { ...l, serviceCount: 0 }])),
    membersByPostalCode,
  }
}

function offering(m, serviceId, name, e, i) {
  return {
    member: m.id, memberName: m.name, level: m.level, serviceId, name,
    summary: `${e.name} in ${m.name}: Antrag, Unterlagen und Gebühren.`,
    audiences: ['residents'], lifeSituations: e.lifeSituations, synonyms: e.synonyms.slice(0, 2),
    onlineUrl: `https://${m.id}.example.de/${serviceId}`, goUrl: `/go/${m.id}/${serviceId}`, trustLevel: 'low',
    documents: ['Personalausweis', i % 2 ? 'Nachweis' : 'Antragsformular'],
    office: { id: `buergerbuero-${i}`, name: `Bürgerbüro ${m.name}${i ? ` Bezirk ${i}` : ''}` },
  }
}

function regional(id, name, e, offerings) {
  return {
    id, name, summary: `${name}.`, synonyms: e.synonyms, lifeSituations: e.lifeSituations,
    levels: [...new Set(offerings.map((o) => o.level))], audiences: ['residents'], offerings, offeringCount: offerings.length,
    ...(id.includes(':') ? {} : { key: id }),
  }
}

/** Build time and in-process search/suggest latency over one catalog. */
function measureIndex(catalog, synonyms, postalCodeFor) {
  const t0 = performance.now()
  const index = buildSearchIndex(catalog, { synonyms })
  const buildMs = performance.now() - t0
  const params = QUERIES.flatMap((q, i) => [{ q, page: 1, pageSize: 10 }, { q, page: 1, pageSize: 10, postalCode: postalCodeFor(i) }])
  timings((p) => search(index, p), params, 2) // warm-up
  const s = timings((p) => search(index, p), params, 10)
  const prefixes = QUERIES.flatMap((q) => [q.slice(0, 3), q.slice(0, 5)])
  timings((p) => suggest(index.suggest, p), prefixes, 2)
  const g = timings((p) => suggest(index.suggest, p), prefixes, 20)
  return { buildMs, s, g }
}


export async function run() {
  const data = await loadRegionData(fileURLToPath(new URL('../config/region.json', import.meta.url)))
  const region = measureIndex(await regionCatalog(data), data.synonyms, (i) => ['45964', '46236', '45879', '45657'][i % 4])
  const catalog = syntheticCatalog(data.serviceCatalog, data.lifeSituations)
  const offerings = catalog.services.reduce((n, s) => n + s.offerings.length, 0)
  globalThis.gc?.()
  const rssBefore = process.memoryUsage().rss
  const nrw = measureIndex(catalog, data.synonyms, (i) => String(40000 + (i * 37 % CITIES) * 10))
  globalThis.gc?.()
  const rss = process.memoryUsage().rss
  const r = (x) => Math.round(x * 100) / 100
  return {
    name: `NRW scale (${catalog.members.length} members, ${offerings} offerings, ${catalog.services.length} services; ms; ratio = NRW / region)`,
    rows: [
      { label: 'index build, region (baseline)', p50: r(region.buildMs) },
      { label: 'index build, NRW', p50: r(nrw.buildMs), ratio: r(nrw.buildMs / region.buildMs), note: 'target < 10000 ms' },
      { label: 'RSS after build', rssMb: Math.round(rss / 1048576), note: `before NRW index ${Math.round(rssBefore / 1048576)} MB (target < 1536)` },
      { label: 'search, region (baseline, 48 queries)', p50: r(region.s.p50), p99: r(region.s.p99) },
      { label: 'search, NRW (in-process, 48 queries)', p50: r(nrw.s.p50), p99: r(nrw.s.p99), ratio: r(nrw.s.p99 / region.s.p99), note: 'target p99 < 25 ms; ratio of p99' },
      { label: 'suggest, region (baseline)', p50: r(region.g.p50), p99: r(region.g.p99) },
      { label: 'suggest, NRW (in-process)', p50: r(nrw.g.p50), p99: r(nrw.g.p99), ratio: r(nrw.g.p99 / Math.max(region.g.p99, 0.01)), note: 'ratio of p99' },
    ],
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) printTable(await run())
