// Catalog navigation throughput and latency on the fully wired gateway
// (buildApp, real region, rate limits off): services by postal code, with a
// life-situation filter, one service, and Zuständigkeit. Each route is
// measured right after a bare Fastify route answering a static JSON body of
// the route's mean response size (same process, same run); ratio = rps /
// that baseline. The lean list (issue 18: view=compact, a page of 20 for a
// resident) is compared with a bare route sending exactly its bytes, and
// reported as a target. Build first: npx tsc -p tsconfig.build.json.
// BENCH_DURATION shortens runs.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import Fastify from 'fastify'
import { loadRegionData } from '../dist/config/load.js'
import { durationFromEnv, load } from './lib/autocannon.mjs'
import { listenGateway, meanBodySize, ratio, staticBaseline } from './lib/gateway.mjs'
import { printTable } from './lib/table.mjs'

const HOME = '45964' // Gladbeck
const LEAN = `/api/v1/services?postalCode=${HOME}&view=compact`
const SINGLE_TARGET = 0.6
const LEAN_TARGET = { ratio: 0.6, bytes: 15 * 1024 }

/** A bare Fastify route sending exactly `body` (the same bytes as the route it is compared with). */
async function sameBytes(body) {
  const app = Fastify({ logger: false })
  app.get('/same', async (_req, reply) => reply.type('application/json; charset=utf-8').send(body))
  await app.listen({ host: '127.0.0.1', port: 0 })
  return { url: `http://127.0.0.1:${app.server.address().port}`, close: () => app.close() }
}

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
  let same
  try {
    const targets = routes(gateway.app.live.current)
    for (const t of targets) t.bytes = await meanBodySize(gateway.app, t.paths)
    baseline = await staticBaseline(targets.map((t) => t.bytes))
    const warmUp = Math.min(2, durationSeconds)
    const rows = []
    /** Warms both up, then loads the baseline and the route; the route row carries the ratio. */
    const pair = async (base, route) => {
      for (const x of [base, route]) await load({ ...x, durationSeconds: warmUp })
      const b = await load({ ...base, durationSeconds })
      const r = await load({ ...route, durationSeconds })
      r.ratio = ratio(r.rps, b.rps)
      b.ratio = 1
      rows.push(r, b)
      return r
    }
    const byRoute = []
    for (const t of targets) {
      byRoute.push(await pair(
        { url: baseline.url, paths: [baseline.pathFor(t.bytes)], label: `  bare Fastify, static JSON (${t.bytes} B)` },
        { url: gateway.url, paths: t.paths, label: `${t.label}, mean ${t.bytes} B` },
      ))
    }
    const single = byRoute[targets.findIndex((t) => t.label.startsWith('GET /api/v1/services/:id'))]
    // the lean list against a bare route sending the very same bytes
    const lean = await gateway.app.inject({ method: 'GET', url: LEAN })
    if (lean.statusCode !== 200) throw new Error(`GET ${LEAN} answered ${lean.statusCode}`)
    const bytes = lean.rawPayload.length
    same = await sameBytes(lean.rawPayload)
    const r = await pair(
      { url: same.url, paths: ['/same'], label: `  bare Fastify, the same ${bytes} B` },
      { url: gateway.url, paths: [LEAN], label: `GET ${LEAN} (lean list, ${lean.json().items.length} items), ${bytes} B` },
    )
    const leanTargets = [{
      name: 'lean list',
      target: '≥ 0.6x static, page of 20 < 15 KB',
      value: `${r.ratio}x, ${bytes} B`,
      met: r.ratio >= LEAN_TARGET.ratio && bytes < LEAN_TARGET.bytes,
    }, {
      // issue 26: one service, serialised once per catalog version like the lists
      name: 'service by id',
      target: '≥ 0.6x static of the same size',
      value: `${single.ratio}x`,
      met: single.ratio >= SINGLE_TARGET,
    }]
    return { name: 'catalog (real region, buildApp, rate limits off; ratio = rps / bare static of the same size, row below)', rows, targets: leanTargets }
  } finally {
    await same?.close()
    await baseline?.close()
    await gateway.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await run()
  printTable(result)
  for (const x of result.targets) console.log(`target ${x.name}: ${x.target} -> ${x.value} (${x.met ? 'met' : 'not met'})`)
}
