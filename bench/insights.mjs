// Search throughput with pilot insights on vs off, in one run: two gateways
// on the real region (memory store), measured alternately (off, on, off, on)
// so drift on a shared machine hits both. ratio = on / off (target >= 0.95).
// Build first: npx tsc -p tsconfig.build.json. BENCH_DURATION shortens runs.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { loadRegionData } from '../dist/config/load.js'
import { durationFromEnv, load } from './lib/autocannon.mjs'
import { listenGateway, ratio } from './lib/gateway.mjs'
import { printTable } from './lib/table.mjs'
import { QUERIES } from './search.mjs'

const POSTAL_CODES = ['45964', '46236', '45879', '45657', '']
const INSIGHTS = { retentionDays: 400, minCount: 5, flushIntervalMs: 1000, feedbackMax: 10 }

export async function run({ durationSeconds = durationFromEnv() } = {}) {
  const data = await loadRegionData(fileURLToPath(new URL('../config/region.json', import.meta.url)))
  const dirs = [await mkdtemp(join(tmpdir(), 'dp-bench-')), await mkdtemp(join(tmpdir(), 'dp-bench-'))]
  const off = await listenGateway({ regionData: data, dataDir: dirs[0], settings: { insights: { ...INSIGHTS, enabled: false } } })
  const on = await listenGateway({ regionData: data, dataDir: dirs[1], settings: { insights: { ...INSIGHTS, enabled: true } } })
  // a zero-result query in the mix, so every kind of count is taken
  const paths = [...QUERIES, 'xyzzy plugh'].map((q, i) => `/api/v1/search?q=${encodeURIComponent(q)}${POSTAL_CODES[i % POSTAL_CODES.length] ? `&postalCode=${POSTAL_CODES[i % POSTAL_CODES.length]}` : ''}`)
  try {
    const half = Math.max(1, Math.round(durationSeconds / 2))
    const sum = { off: 0, on: 0 }
    const rows = []
    for (const round of [1, 2]) {
      for (const [name, gateway] of [['off', off], ['on', on]]) {
        const row = await load({ url: gateway.url, paths, durationSeconds: half, label: `GET /api/v1/search, insights ${name} (round ${round})` })
        sum[name] += row.rps
        rows.push(row)
      }
    }
    const counted = (await on.app.insights.flush(), await on.app.store.readCounts([new Date().toISOString().slice(0, 10)]))
    const searches = Object.entries(counted[0]?.counts ?? {}).filter(([k]) => k.startsWith('s|')).reduce((n, [, v]) => n + v, 0)
    rows.push({ label: 'insights on / off (sum of both rounds)', ratio: ratio(sum.on, sum.off), note: `${searches} searches counted` })
    return { name: 'insights (search throughput, insights on vs off, real region, memory store)', rows }
  } finally {
    await off.close()
    await on.close()
    for (const dir of dirs) await rm(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) printTable(await run())
