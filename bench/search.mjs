// Search throughput and latency for the real region on the fully wired
// gateway (buildApp: ops hooks, metrics, helmet; rate limits off), against a
// bare Fastify route returning a static JSON body of similar size, in the
// same run. The cached search is also measured with `Accept-Encoding: br,
// gzip` against the uncompressed cached route (issue 18 target: >= 0.8x,
// reported in `targets`). Build first: npx tsc -p tsconfig.build.json. BENCH_DURATION
// shortens runs.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { loadRegionData } from '../dist/config/load.js'
import { buildSearchIndex } from '../dist/search/search-index.js'
import { durationFromEnv, load, measureInterleaved } from './lib/autocannon.mjs'
import { listenGateway, meanBodySize, ratio, staticBaseline } from './lib/gateway.mjs'
import { printTable, printTargets, quantile } from './lib/table.mjs'

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
// what browsers send
const ACCEPT_ENCODING = 'br, gzip'

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
    const compressed = await compressedSizes(gateway.app, searchPaths, ACCEPT_ENCODING)
    const url = gateway.url
    const staticRow = await load({ url: baseline.url, paths: [baseline.pathFor(meanSize)], durationSeconds, label: `bare Fastify, static JSON (${meanSize} B)` })
    // the cache is warm from sameAnswers/meanBodySize/compressedSizes: both rows measure hits
    const [searchRow, compressedRow] = await measureInterleaved([
      { url, paths: searchPaths, label: `GET /api/v1/search (${QUERIES.length} queries, mean ${meanSize} B)` },
      { url, paths: searchPaths, headers: { 'accept-encoding': ACCEPT_ENCODING }, label: `GET /api/v1/search, Accept-Encoding: ${ACCEPT_ENCODING} (${compressed.encoded}/${searchPaths.length} br, mean ${compressed.meanSize} B)` },
    ], durationSeconds)
    const compressedRatio = ratio(compressedRow.rps, searchRow.rps)
    compressedRow.note = [compressedRow.note, `${compressedRatio}x of uncompressed cached; target >= 0.8x`].filter(Boolean).join('; ')
    const coldRow = await load({ url, paths: coldSearchPaths, durationSeconds, label: `GET /api/v1/search, cache misses (${coldSearchPaths.length} keys)` })
    const suggestRow = await load({ url, paths: suggestPaths, durationSeconds, label: 'GET /api/v1/suggest' })
    const suggestColdRow = await load({ url, paths: coldSuggestPaths, durationSeconds, label: `GET /api/v1/suggest, cache misses (${coldSuggestPaths.length} keys)` })
    for (const row of [searchRow, compressedRow, coldRow, suggestRow, suggestColdRow]) row.ratio = ratio(row.rps, staticRow.rps)
    staticRow.ratio = 1
    return {
      name: 'search (real region, buildApp, rate limits off; ratio = rps / bare static)',
      rows: [
        staticRow, searchRow, compressedRow, coldRow, suggestRow, suggestColdRow,
        { label: `index build, region (${catalog.services.length} services, median of 15)`, p50: Math.round(buildMs * 10) / 10, note: 'ms' },
      ],
      targets: [{ name: 'compressed search', target: '≥ 0.8x uncompressed cached', value: `${compressedRatio}x`, met: compressedRatio >= 0.8 }],
    }
  } finally {
    await baseline.close()
    await gateway.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

/** Mean size of the answers as a browser gets them, and how many came compressed (br). */
async function compressedSizes(app, paths, acceptEncoding) {
  let total = 0
  let encoded = 0
  for (const url of paths) {
    const res = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': acceptEncoding } })
    if (res.statusCode !== 200) throw new Error(`search bench: ${url} answered ${res.statusCode}`)
    if (res.headers['content-encoding'] === 'br') encoded++
    total += res.rawPayload.length
  }
  if (encoded === 0) throw new Error('search bench: no search answer came compressed; the compressed row would measure identity')
  return { meanSize: Math.round(total / paths.length), encoded }
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
  const result = await run()
  printTable(result)
  printTargets(result.targets.map((t) => ({ ...t, bench: 'search' })))
  console.log('also aimed at: search ratio >= 0.6, search p99 < 10 ms, suggest p99 < 5 ms, build < 200 ms')
}
