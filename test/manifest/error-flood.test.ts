// Issue 12 finding 3: a manifest with a flood of errors. `{"services":[{},…]}`
// once produced 900 006 errors, a 54.8 MB 422 and a 54.8 MB public member
// document. Through the public API (authenticated PUT, and the refresh path
// from a real loopback HTTP server): small answers, a bounded member status,
// the previous manifest stays live. That ajv never runs on such a flood is
// shown structurally: the 422 holds the one structural issue ("has 150000"),
// not ajv's per-field errors.
import t, { type Test } from 'tap'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { writeRegion } from '../helpers/gateway-process.js'
import { REPO } from '../helpers/region.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'

const MEMBER = 'marl'
const KB = 1024

/** `{"services":[{},{},…]}` of about `bytes` bytes */
function flood(bytes: number): string {
  const n = Math.floor((bytes - 16) / 3)
  return `{"services":[${Array.from({ length: n }, () => '{}').join(',')}]}`
}

const FLOODS = { '450 KB': flood(450 * KB), '2 MB': flood(2 * 1000 * 1000) }

async function until(probe: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300 && !(await probe()); i++) await new Promise((done) => setTimeout(done, 50))
}

interface Problem { status: number; code: string; errors: Array<{ path: string; message: string }> }

async function app(t: Test, edit: Parameters<typeof writeRegion>[1] = () => {}) {
  const region = await writeRegion(t, edit)
  const gateway = await buildApp({
    // large enough that the 2 MB flood reaches validation instead of the 413
    // load shedding off: on a busy test machine it would answer 503 to the status reads
    settings: {
      regionConfig: region.regionPath, dataDir: join(region.dir, 'data'), adminBodyLimitBytes: 4 * 1024 * KB,
      pressure: NO_LOAD_SHEDDING,
    },
  })
  t.teardown(() => gateway.close())
  return { gateway, token: region.tokens[MEMBER]! }
}

async function memberDoc(gateway: FastifyInstance) {
  const res = await gateway.inject(`/api/v1/members/${MEMBER}`)
  return { bytes: res.rawPayload.length, body: res.json() as { status: string; serviceCount: number; meta: { lastError?: string; errors?: unknown[] } } }
}

t.test('PUT of a flood: a small 422 with one structural issue; the previous manifest stays live', async (t) => {
  const { gateway, token } = await app(t)
  const before = await memberDoc(gateway)
  t.equal(before.body.status, 'ok')
  t.ok(before.body.serviceCount > 0)
  for (const [name, body] of Object.entries(FLOODS)) {
    const res = await gateway.inject({
      method: 'PUT', url: `/api/v1/admin/members/${MEMBER}/manifest`, payload: body,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    })
    t.equal(res.statusCode, 422, `${name}: 422`)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.ok(res.rawPayload.length < 100 * KB, `${name}: answer of ${res.rawPayload.length} bytes`)
    const problem = res.json() as Problem
    const count = JSON.parse(body).services.length as number
    t.same(problem.errors, [{ path: '/services', message: `must have at most 500 entries (has ${count})` }],
      `${name}: refused by the structural check alone (ajv would name every missing field)`)
    const after = await memberDoc(gateway)
    t.equal(after.body.status, 'ok', `${name}: the member stays ok`)
    t.equal(after.body.serviceCount, before.body.serviceCount, `${name}: the previous manifest stays live`)
  }
})

t.test('PUT of many errors within the size limits: 50 errors with paths, then "and N more"', async (t) => {
  const { gateway, token } = await app(t)
  const manifest = JSON.parse(await readFile(join(REPO, 'members', `${MEMBER}.json`), 'utf8'))
  manifest.services = Array.from({ length: 500 }, () => ({}))
  const res = await gateway.inject({
    method: 'PUT', url: `/api/v1/admin/members/${MEMBER}/manifest`, payload: manifest,
    headers: { authorization: `Bearer ${token}` },
  })
  t.equal(res.statusCode, 422)
  t.ok(res.rawPayload.length < 100 * KB)
  const problem = res.json() as Problem
  t.equal(problem.errors.length, 51, '50 errors and one summary')
  t.ok(problem.errors.slice(0, 50).every((e) => /^\/services\/\d+\/[a-zA-Z]+$/.test(e.path)), 'every listed error names its JSON path')
  const last = problem.errors[50]!
  t.equal(last.path, '')
  const more = Number(/^and (\d+) more error\(s\) not listed$/.exec(last.message)?.[1])
  t.ok(more >= 500 * 5 - 50, `and ${more} more`)
  t.match((res.json() as { detail: string }).detail, new RegExp(`${more + 50} Fehler`), 'the detail counts them all')
})

t.test('remote refresh of a flood: small member status, previous manifest stays live', async (t) => {
  const good = await readFile(join(REPO, 'members', `${MEMBER}.json`), 'utf8')
  const served = { body: good }
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end(served.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/manifest.json`
  const { gateway, token } = await app(t, (members) => {
    const m = members.find((x) => x.id === MEMBER)!
    m.manifest = url
    m.allowPrivateNetwork = true
  })
  const refresh = () => gateway.inject({
    method: 'POST', url: `/api/v1/admin/members/${MEMBER}/refresh`, headers: { authorization: `Bearer ${token}` },
  })
  // the startup refresh runs in the background: wait for it (no timing assertion, just a bounded wait)
  await until(async () => (await memberDoc(gateway)).body.status === 'ok')
  const before = await memberDoc(gateway)
  t.equal(before.body.status, 'ok')
  t.ok(before.body.serviceCount > 0)

  for (const [name, body] of Object.entries(FLOODS)) {
    served.body = body
    const res = await refresh()
    t.equal(res.statusCode, 200)
    t.ok(res.rawPayload.length < 4 * KB, `${name}: refresh answer of ${res.rawPayload.length} bytes`)
    t.equal(res.json().outcome, 'failed', `${name}: refused`)
    // the catalog follows the store asynchronously
    await until(async () => (await memberDoc(gateway)).body.status === 'stale')
    const after = await memberDoc(gateway)
    t.ok(after.bytes < 20 * KB, `${name}: public member document of ${after.bytes} bytes`)
    t.equal(after.body.status, 'stale', `${name}: stale, not replaced`)
    t.equal(after.body.serviceCount, before.body.serviceCount, `${name}: the previous manifest stays live`)
    t.ok((after.body.meta.errors?.length ?? 0) <= 51, `${name}: stored errors bounded`)
    t.match(after.body.meta.lastError, /must have at most 500 entries/)
  }
})
