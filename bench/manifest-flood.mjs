// Manifest error floods (issue 12 finding 3): the longest event-loop stall
// (perf_hooks.monitorEventLoopDelay, max) while the gateway answers an
// authenticated PUT of `{"services":[{},…]}`, with the answer size. "before"
// rows run ajv (allErrors) alone on the same document, as the old
// validateManifest did before the structural pre-check (a lower bound of the
// old path: it also ran the rules and stored and served every error).
// The last row is the worst document within the size limits (500 services,
// every field of the wrong type): ajv does run there. Build first:
// npx tsc -p tsconfig.build.json.
import { mkdtemp, rm, readFile, writeFile, cp, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createHash } from 'node:crypto'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Ajv } from 'ajv'
import addFormatsImport from 'ajv-formats'
import { buildApp } from '../dist/app.js'
import { Manifest } from '../dist/manifest/schema.js'
import { printTable } from './lib/table.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const KB = 1024
const TOKEN = 'bench-token-marl'

function flood(bytes) {
  const n = Math.floor((bytes - 16) / 3)
  return `{"services":[${Array.from({ length: n }, () => '{}').join(',')}]}`
}

function worstWithinLimits() {
  const nums = (n) => Array.from({ length: n }, (_, i) => i)
  const service = () => ({ id: 1, key: 2, name: 3, summary: 4, synonyms: nums(30), documents: nums(30), lifeSituations: nums(10), audiences: nums(2), onlineUrl: 5, infoUrl: 6, office: 7, fees: 8, trustLevel: 9, updatedAt: 10 })
  return JSON.stringify({ schemaVersion: 1, member: 'marl', updatedAt: 'x', sources: [], links: {}, offices: [], services: Array.from({ length: 500 }, service) })
}

/** max event-loop delay (ms) while `work` runs, sampled every 10 ms */
async function maxStall(work) {
  const h = monitorEventLoopDelay({ resolution: 10 })
  await new Promise((r) => setTimeout(r, 50))
  h.enable()
  await new Promise((r) => setTimeout(r, 30))
  const result = await work()
  await new Promise((r) => setTimeout(r, 30))
  h.disable()
  return { stallMs: h.max / 1e6, result }
}

async function region() {
  const dir = await mkdtemp(join(tmpdir(), 'dp-bench-flood-'))
  await cp(join(ROOT, 'config'), join(dir, 'config'), { recursive: true })
  await cp(join(ROOT, 'members'), join(dir, 'members'), { recursive: true })
  const path = join(dir, 'config', 'region.json')
  const config = JSON.parse(await readFile(path, 'utf8'))
  const marl = config.members.find((m) => m.id === 'marl')
  marl.tokenSha256 = createHash('sha256').update(TOKEN).digest('hex')
  await writeFile(path, JSON.stringify(config))
  await mkdir(join(dir, 'data'), { recursive: true })
  return { dir, path }
}

export async function run() {
  const addFormats = addFormatsImport.default ?? addFormatsImport
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true })
  addFormats(ajv, ['uri', 'email', 'date-time'])
  const oldCheck = ajv.compile(Manifest)
  const { dir, path } = await region()
  const app = await buildApp({
    settings: {
      regionConfig: path, dataDir: join(dir, 'data'), adminBodyLimitBytes: 4 * 1024 * KB,
      pressure: { maxEventLoopDelayMs: 0, maxHeapUsedBytes: 0, maxRssBytes: 0, retryAfterSeconds: 1 },
    },
  })
  await app.ready()
  const rows = []
  try {
    const docs = [['450 KB flood', flood(450 * KB)], ['2 MB flood', flood(2 * 1000 * 1000)], ['worst within limits (500 services)', worstWithinLimits()]]
    // the gateway first: the old path's garbage (millions of error objects) would be collected during later rows
    for (const [label, body] of docs) {
      const after = await maxStall(async () => {
        const res = await app.inject({
          method: 'PUT', url: '/api/v1/admin/members/marl/manifest', payload: body,
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        })
        return { status: res.statusCode, bytes: res.rawPayload.length }
      })
      rows.push({ label: `after: PUT ${label}`, p99: after.stallMs, note: `max stall ms (incl. JSON.parse); ${after.result.status}, ${after.result.bytes} bytes` })
      const parse = await maxStall(async () => JSON.parse(body) && 0)
      rows.push({ label: `  JSON.parse alone, ${label}`, p99: parse.stallMs, note: 'max stall ms (bounded by the body limit)' })
    }
    for (const [label, body] of docs.filter(([l]) => l.includes('flood'))) {
      const before = await maxStall(async () => {
        oldCheck(JSON.parse(body))
        return oldCheck.errors?.length ?? 0
      })
      rows.push({ label: `before: ajv allErrors alone, ${label}`, p99: before.stallMs, note: `max stall ms; ${before.result} ajv errors` })
    }
    return { name: 'manifest flood (max event-loop delay in ms in the p99 column; PUT through buildApp)', rows }
  } finally {
    await app.close()
    await rm(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) printTable(await run())
