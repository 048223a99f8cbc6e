// Search throughput and latency for the real region on the fully wired
// gateway (buildApp: ops hooks, metrics, helmet; rate limits off), against a
// bare Fastify route returning a static JSON body of similar size, in the
// same run. Build first: npx tsc -p tsconfig.build.json. BENCH_DURATION
// shortens runs.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { loadRegionData } from '../dist/config/load.js'
import { buildSearchIndex } from '../dist/search/search-index.js'
import { durationFromEnv, load } from './lib/autocannon.mjs'
import { listenGateway, meanBodySize, ratio, staticBaseline } from './lib/gateway.mjs'
import { printTable, quantile } from './lib/table.mjs'

// What residents type, including typos, compounds and colloquial words.
export const QUERIES = [
  'perso', 'personalausweis beantragen', 'reisepass', 'ummelden', 'umzug', 'hund anmelden', 'hundesteuer',
  'kita platz', 'führungszeugnis', 'fuehrungszeugnis', 'sperrmuell', 'auto zulassen', 'wunschkennzeichen',
  'personalausweiss', 'parkausweis', 'geburtsurkunde', 'gewerbe anmelden', 'briefwahl', 'wohngeld', 'knöllchen',
  'baugenehmigung', 'elterngeld', 'steuer hund', 'ausweis verloren',
]
const POSTAL_CODES = ['45964', '46236', '45879', '45657', '']
const PREFIXES = ['p', 'pe', 'per', 'pers', 'perso', 'hu', 'hun', 'hund', 'hund a', 'hund an', 'fueh', 'führ', 'kita', 'sperrm', 'wunsch', 'gewer', 'ummel', 'persn']
// The gateway's response cache is an LRU of 1000 entries keyed on the raw
// query. Cycling through more distinct keys than that (the same queries with
// 0..N leading spaces, which normalisation drops; checked below) makes every
// request a miss: the full search or suggest plus serialisation.
const CACHE_ENTRIES = 1000

function cacheBusting(items, toPath) {
  const variants = Math.ceil((CACHE_ENTRIES * 1.2) / items.length)
  const paths = []
  for (let n = 0; n < variants; n++) for (const item of items) paths.push(toPath(item, ' '.repeat(n)))
  return paths
}

export async function run({ durationSeconds = durationFromEnv() } = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-bench-'))
  const data = await loadRegionData(fileURLToPath(new URL('../config/region.json', import.meta.url)))
  const gateway = await listenGateway({ regionData: data, dataDir })
  const catalog = gateway.app.live.current

  const builds = []
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now()
    buildSearchIndex(catalog, { synonyms: data.synonyms })
    builds.push(performance.now() - t0)
  }
  const buildMs = quantile(builds, 0.5)

  const searchTerms = QUERIES.map((q, i) => [q, POSTAL_CODES[i % POSTAL_CODES.length]])
  const searchPath = ([q, pc]) => `/api/v1/search?q=${encodeURIComponent(q)}${pc ? `&postalCode=${pc}` : ''}`
  const searchPaths = searchTerms.map(searchPath)
  const coldSearchPaths = cacheBusting(searchTerms, ([q, pc], spaces) => searchPath([spaces + q, pc]))
  const suggestPath = (p) => `/api/v1/suggest?q=${encodeURIComponent(p)}`
  const suggestPaths = PREFIXES.map(suggestPath)
  const coldSuggestPaths = cacheBusting(PREFIXES, (p, spaces) => suggestPath(spaces + p))
  for (let i = 0; i < searchPaths.length; i++) await sameAnswers(gateway.app, searchPaths[i], coldSearchPaths.at(-searchPaths.length + i))
  for (let i = 0; i < suggestPaths.length; i++) await sameAnswers(gateway.app, suggestPaths[i], coldSuggestPaths.at(-suggestPaths.length + i))

  // Static baseline: the mean size of the search responses, as one fixed body.
  const meanSize = await meanBodySize(gateway.app, searchPaths)
  const baseline = await staticBaseline([meanSize])

  try {
    const url = gateway.url
    const staticRow = await load({ url: baseline.url, paths: [baseline.pathFor(meanSize)], durationSeconds, label: `bare Fastify, static JSON (${meanSize} B)` })
    const searchRow = await load({ url, paths: searchPaths, durationSeconds, label: `GET /api/v1/search (${QUERIES.length} queries, mean ${meanSize} B)` })
    const coldRow = await load({ url, paths: coldSearchPaths, durationSeconds, label: `GET /api/v1/search, cache misses (${coldSearchPaths.length} keys)` })
    const suggestRow = await load({ url, paths: suggestPaths, durationSeconds, label: 'GET /api/v1/suggest' })
    const suggestColdRow = await load({ url, paths: coldSuggestPaths, durationSeconds, label: `GET /api/v1/suggest, cache misses (${coldSuggestPaths.length} keys)` })
    for (const row of [searchRow, coldRow, suggestRow, suggestColdRow]) row.ratio = ratio(row.rps, staticRow.rps)
    staticRow.ratio = 1
    return {
      name: 'search (real region, buildApp, rate limits off; ratio = rps / bare static)',
      rows: [
        staticRow, searchRow, coldRow, suggestRow, suggestColdRow,
        { label: `index build, region (${catalog.services.length} services, median of 15)`, p50: Math.round(buildMs * 10) / 10, note: 'ms' },
      ],
    }
  } finally {
    await baseline.close()
    await gateway.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

/** The padded query must find the same services, or the cold rows measure something else. */
async function sameAnswers(app, path, padded) {
  const [ra, rb] = [await app.inject({ method: 'GET', url: path }), await app.inject({ method: 'GET', url: padded })]
  if (ra.statusCode !== 200 || rb.statusCode !== 200) throw new Error(`search bench: ${path} ${ra.statusCode}, ${padded} ${rb.statusCode}`)
  const [a, b] = [JSON.parse(ra.body), JSON.parse(rb.body)]
  const ids = (r) => JSON.stringify([r.total, r.hits?.map((h) => h.service.id), r.suggestions])
  if (ids(a) !== ids(b)) throw new Error(`search bench: padded query ${padded} answers differently from ${path}`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printTable(await run())
  console.log('targets: search ratio >= 0.6, search p99 < 10 ms, suggest p99 < 5 ms, build < 200 ms')
}
