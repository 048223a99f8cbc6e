// The OpenAPI document as a frontend team uses it: saved to a file and fed to
// code generators offline. Self-contained (every $ref local and resolvable),
// every operation named (unique camelCase operationId) and secured or public
// on purpose, every answer and every problem a named component schema.
import t from 'tap'
import { realApp } from '../helpers/app.js'

type Json = Record<string, any>
const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options']

function operations(doc: Json): { path: string; method: string; op: Json }[] {
  return Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json).filter(([m]) => METHODS.includes(m)).map(([method, op]) => ({ path, method, op: op as Json })))
}

function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out)
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v)
      else refsIn(v, out)
    }
  }
  return out
}

function resolvePointer(doc: Json, ref: string): unknown {
  return ref.slice(2).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc)
}

// one gateway for all checks (each build loads the whole region)
const app = await realApp(t)
const doc = (await app.inject('/docs/json')).json() as Json

t.test('the document is self-contained: every $ref points into the document and resolves', async (t) => {
  const refs = [...new Set(refsIn(doc))]
  t.ok(refs.length > 20, `${refs.length} distinct $refs`)
  for (const ref of refs) {
    t.ok(ref.startsWith('#/'), `${ref} is local`)
    t.ok(resolvePointer(doc, ref) !== undefined, `${ref} resolves`)
  }
  t.ok(doc.components.schemas.Manifest?.properties?.services, 'the manifest schema is a component')
  t.notOk(JSON.stringify(doc.components.schemas.Manifest).includes('"$id"'), 'no $id moves the base of the embedded schema')
})

t.test('every operation has a unique camelCase operationId and declares its security', async (t) => {
  const ops = operations(doc)
  t.ok(ops.length >= 40, `${ops.length} operations`)
  const ids = ops.map(({ op }) => op.operationId as string)
  for (const { path, method, op } of ops) {
    t.match(op.operationId, /^[a-z][a-zA-Z0-9]*$/, `${method} ${path}: camelCase operationId`)
    t.ok(Array.isArray(op.security), `${method} ${path}: security declared`)
    const schemes = (op.security as Json[]).flatMap((s) => Object.keys(s))
    if (path.startsWith('/api/v1/admin/members/')) t.same(schemes, ['memberToken'], `${method} ${path}: member token`)
    else if (path === '/api/v1/admin/insights' || path === '/api/v1/admin/catalog/uncurated') t.same(schemes, ['regionAdminToken'], `${method} ${path}: region admin token`)
    else if (path === '/metrics') t.same(schemes, ['metricsToken'], 'metrics: optional token')
    else t.same(op.security, [], `${method} ${path}: public`)
    for (const scheme of schemes) t.ok(doc.components.securitySchemes[scheme], `${scheme} is defined`)
  }
  t.equal(new Set(ids).size, ids.length, 'operationIds are unique')
  t.equal(doc.paths['/api/v1/search'].get.operationId, 'search', 'stable names (generated clients call them)')
  t.equal(doc.paths['/api/v1/responsibility'].get.operationId, 'getResponsibility')
  t.equal(doc.paths['/go/{member}/{service}'].get.operationId, 'goToOnlineService')
  t.equal(doc.paths['/api/v1/admin/members/{id}/manifest'].put.operationId, 'putMemberManifest')
})

t.test('every JSON answer and every problem is a named component schema', async (t) => {
  let answers = 0
  for (const { path, method, op } of operations(doc)) {
    for (const [status, response] of Object.entries(op.responses as Json)) {
      for (const [type, media] of Object.entries((response as Json).content ?? {})) {
        const ref = ((media as Json).schema as Json | undefined)?.$ref as string | undefined
        if (type === 'application/problem+json') {
          t.equal(ref, '#/components/schemas/Problem', `${method} ${path} ${status}: the problem document`)
        } else if (type === 'application/json' && status.startsWith('2')) {
          t.match(ref, /^#\/components\/schemas\/[A-Z][A-Za-z0-9]+$/, `${method} ${path} ${status}: a named schema`)
          answers++
        }
      }
    }
  }
  t.ok(answers >= 20, `${answers} named answers`)
  for (const name of ['SearchAnswer', 'SuggestAnswer', 'Responsibility', 'ServicePage', 'MemberPage', 'OnlineServicePage', 'Region', 'RoutingAnswer', 'Problem']) {
    t.ok(doc.components.schemas[name], `${name} is a component`)
  }
})

t.test('servers, licence and the language rule of summaries are stated', async (t) => {
  t.same(doc.servers.map((s: Json) => s.url), ['/'], 'relative without PUBLIC_ORIGIN')
  t.ok(doc.info.license?.name, 'a licence statement')
  t.ok(doc.info.license.identifier ?? doc.info.license.url, 'with an SPDX identifier or url')
  // German summaries: no English verb phrases left over
  for (const { path, method, op } of operations(doc)) {
    t.notMatch(op.summary, /^(The|One|Who|Register|Fetch|Pilot insights|Regional|Online services|Liveness|Readiness|Prometheus metrics)\b/, `${method} ${path}: German summary`)
  }
})

t.test('the insights reports document their CSV form (Accept: text/csv), not only JSON', async (t) => {
  for (const path of ['/api/v1/admin/members/{id}/insights', '/api/v1/admin/insights']) {
    const ok = doc.paths[path]?.get?.responses?.['200']
    t.ok(ok?.content?.['application/json'], `${path}: JSON`)
    t.match(ok?.content?.['text/csv'], { schema: { type: 'string' } }, `${path}: CSV`)
  }
})
