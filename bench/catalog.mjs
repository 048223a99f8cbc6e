// Catalog navigation throughput and latency on the fully wired gateway
// (buildApp, real region, rate limits off): services by postal code, with a
// life-situation filter, one service, and Zuständigkeit. Each route is
// measured right after a bare Fastify route answering a static JSON body of
// the route's mean response size (same process, same run); ratio = rps /
// that baseline. Build first: npx tsc -p tsconfig.build.json.
// BENCH_DURATION shortens runs.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { loadRegionData } from '../dist/config/load.js'
import { durationFromEnv, load } from './lib/autocannon.mjs'
import { listenGateway, meanBodySize, ratio, staticBaseline } from './lib/gateway.mjs'
import { printTable } from './lib/table.mjs'

const HOME = '45964' // Gladbeck

/** Query mixes per route, drawn from the live catalog so every request answers 200. */
function routes(catalog) {
  const ids = catalog.services.map((s) => s.id)
  const situations = catalog.lifeSituations.map((l) => l.id)
  const postalCodes = [...catalog.membersByPostalCode.keys()]
  const codes = postalCodes.filter((_, i) => i % Math.max(1, Math.floor(postalCodes.length / 40)) === 0).slice(0, 40)
  return [
    { label: `GET /api/v1/services?postalCode=${HOME}`, paths: [`/api/v1/services?postalCode=${HOME}`] },
    {
      label: `GET /api/v1/services?postalCode=${HOME}&lifeSituation= (${situations.length} situations)`,
      paths: situations.map((l) => `/api/v1/services?postalCode=${HOME}&lifeSituation=${l}`),
    },
    {
      label: `GET /api/v1/services/:id (${ids.length} ids, half with postalCode)`,
      paths: ids.map((id, i) => `/api/v1/services/${encodeURIComponent(id)}${i % 2 ? `?postalCode=${HOME}` : ''}`),
    },
    { label: `GET /api/v1/responsibility?postalCode= (${codes.length} codes)`, paths: codes.map((p) => `/api/v1/responsibility?postalCode=${p}`) },
  ]
}

export async function run({ durationSeconds = durationFromEnv() } = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-bench-catalog-'))
  const data = await loadRegionData(fileURLToPath(new URL('../config/region.json', import.meta.url)))
  const gateway = await listenGateway({ regionData: data, dataDir })
  let baseline
  try {
    const targets = routes(gateway.app.live.current)
    for (const t of targets) t.bytes = await meanBodySize(gateway.app, t.paths)
    baseline = await staticBaseline(targets.map((t) => t.bytes))
    const warmUp = Math.min(2, durationSeconds)
    const rows = []
    for (const t of targets) {
      const base = { url: baseline.url, paths: [baseline.pathFor(t.bytes)], label: `  bare Fastify, static JSON (${t.bytes} B)` }
      const route = { url: gateway.url, paths: t.paths, label: `${t.label}, mean ${t.bytes} B` }
      for (const x of [base, route]) await load({ ...x, durationSeconds: warmUp })
      const b = await load({ ...base, durationSeconds })
      const r = await load({ ...route, durationSeconds })
      r.ratio = ratio(r.rps, b.rps)
      b.ratio = 1
      rows.push(r, b)
    }
    return { name: 'catalog (real region, buildApp, rate limits off; ratio = rps / bare static of the same size, row below)', rows }
  } finally {
    await baseline?.close()
    await gateway.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) printTable(await run())
