// Issue 19 item 6: contract fuzzing against a real gateway on 127.0.0.1.
// Requests are generated from /docs/json (each operation's path, query and
// header parameters: valid values from the schema incl. enums and patterns,
// documented examples, invalid values, undeclared parameters); every answer is
// checked against the same document: no 5xx, a documented status (or a global
// one, see GLOBAL_STATUSES), a documented content type, the body valid against
// the response schema (ajv, $refs into components), every error problem+json.
// Seeded and bounded: the same requests on every run.
import t from 'tap'
import fc from 'fast-check'
import { contractGateway } from '../helpers/contract-gateway.js'
import { caseFor, check, validValue, GLOBAL_STATUSES, operations, urlOf, validators, type Case, type Operation } from '../helpers/contract-fuzz.js'

const SEED = 190619
const DEBUG = process.argv.includes('--fuzz-debug')
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice(7)
const RUNS_PER_OPERATION = 80
const ADMIN_RUNS_PER_OPERATION = 20

type Json = Record<string, any>

// ~1700 requests: seconds here; the timeout leaves room for slow CI runners
t.setTimeout(240_000)

const { base } = await contractGateway(t)
const doc = await (await fetch(`${base}/docs/json`)).json() as Json
const validate = validators(doc)
const MEMBERS = new Set((doc.paths['/api/v1/search'].get.parameters as Json[]).find((p) => p.name === 'residentMember')!.schema.enum as string[])

const isAdmin = (o: Operation): boolean => o.path.startsWith('/api/v1/admin/')
// every GET, and every admin operation (without a valid token). Not the
// /cities/{member}/{path} proxy: it forwards to the members' real hosts, and
// tests talk to 127.0.0.1 only (test/proxy covers it with local upstreams).
const selected = operations(doc).filter((o) => (ONLY === undefined || o.op.operationId === ONLY) &&
  !o.path.startsWith('/cities/{member}/') && (isAdmin(o) || o.method === 'get'))

// no token, a wrong one, or something that is not a bearer token at all
const authorization = fc.constantFrom(undefined, 'Bearer wrong-token', 'Bearer ', 'Basic Zm9vOmJhcg==', 'Bearer tok-gladbeck')

let requests = 0
const statuses = new Map<number, number>()

async function send(o: Operation, c: Case, auth: string | undefined): Promise<string[]> {
  const headers: Record<string, string> = { ...c.headers }
  if (auth !== undefined) headers.authorization = auth
  const init: RequestInit = { method: o.method.toUpperCase(), headers, redirect: 'manual', signal: AbortSignal.timeout(15_000) }
  if (o.method === 'put' || o.method === 'post') {
    headers['content-type'] = 'application/json'
    init.body = '{}'
  }
  requests++
  if (DEBUG) console.error(o.method, urlOf('', c), auth)
  let res: Response
  let body: string
  try {
    res = await fetch(urlOf(base, c), init)
    body = await res.text()
  } catch (err) {
    return [`no answer (${String(err)}) <- ${o.method.toUpperCase()} ${urlOf('', c)}`]
  }
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
  const errors = check(doc, validate, o, { status: res.status, contentType: res.headers.get('content-type') ?? '', body })
  if (isAdmin(o) && res.status < 300) errors.push(`${res.status} on an admin operation without a valid token`)
  // a known member's admin route never opens without its token; an unknown id may be a 404 (member ids are public)
  const id = decodeURIComponent(/^\/api\/v1\/admin\/members\/([^/]+)/.exec(c.path)?.[1] ?? '')
  const unknownMember = id !== '' && !MEMBERS.has(id)
  if (isAdmin(o) && res.status !== 401 && res.status !== 403 && !(unknownMember && res.status === 404) &&
    !(c.invalid.length > 0 && GLOBAL_STATUSES.has(res.status))) {
    errors.push(`${res.status} on an admin operation without a valid token (expected 401/403)`)
  }
  return errors.map((e) => `${e} <- ${o.method.toUpperCase()} ${urlOf('', c)}${c.invalid.length ? ` [invalid: ${c.invalid.join(', ')}]` : ''}`)
}

t.test(`fuzzing ${selected.length} operations, ${RUNS_PER_OPERATION} cases each (admin ${ADMIN_RUNS_PER_OPERATION}), seed ${SEED}`, async (t) => {
  t.ok(ONLY !== undefined || selected.length >= 25, `${selected.length} operations`)
  for (const [i, o] of selected.entries()) {
    // admin: half of the ids name a real member, spread over all of them: failed attempts
    // are braked per member after 10 (auth/failed-auth-limiter.ts), which would turn the
    // fuzzer into a test of that brake's delays
    const overrides: Record<string, fc.Arbitrary<string>> = isAdmin(o) ? { 'path:id': fc.oneof(fc.constantFrom(...MEMBERS), validValue({ in: 'path', schema: { type: 'string', minLength: 1, maxLength: 64 } })) } : {}
    const arb = fc.tuple(caseFor(o, overrides), isAdmin(o) ? authorization : fc.constant(undefined))
    const failures: string[] = []
    await fc.assert(fc.asyncProperty(arb, async ([c, auth]) => {
      const errors = await send(o, c, auth)
      if (errors.length > 0) failures.push(errors[0]!)
      return errors.length === 0
    }), { seed: SEED + i, numRuns: isAdmin(o) ? ADMIN_RUNS_PER_OPERATION : RUNS_PER_OPERATION, endOnFailure: true }).catch(() => undefined)
    // the shrunk (smallest) failing request is the last one recorded
    t.same(failures.slice(-1), [], `${o.method.toUpperCase()} ${o.path} (${o.op.operationId})`)
  }
  t.comment(`operations: ${selected.length}, requests: ${requests}, statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`)
})
