// Every error of every layer is application/problem+json with the request id,
// the security headers, German title/detail, a DP_ERR_* code and a log line:
// Fastify's own errors (bad URL, over-long path parameter, QUERY without
// Content-Type, 413, 415) included, and a wrong method on a known path is 405
// with Allow. Raw URL errors over a real socket (inject may normalise URLs).
import t from 'tap'
import type * as Tap from 'tap'
import { request as httpRequest } from 'node:http'
import { Writable } from 'node:stream'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { InjectOptions } from 'light-my-request'
import { buildApp } from '../../src/app.js'
import { readSettings } from '../../src/config/env.js'
import { loadRegionData } from '../../src/config/load.js'
import { sha256Hex } from '../../src/auth/token.js'
import { PROBLEMS } from '../../src/http/problem.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'

interface Answer { status: number; headers: Record<string, string | string[] | number | undefined>; body: string }

async function gateway(t: Tap.Test): Promise<{ app: FastifyInstance; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-problem-'))
  const regionData = await loadRegionData(join(import.meta.dirname, '../../config/region.json'))
  const gladbeck = regionData.region.members.find((m) => m.id === 'gladbeck')!
  gladbeck.tokenSha256 = sha256Hex('tok-gladbeck')
  // no load shedding: on a loaded test machine a 503 would stand in for the error under test
  const settings = { ...readSettings({}), dataDir, rateLimit: false, adminBodyLimitBytes: 4096, pressure: NO_LOAD_SHEDDING }
  const app = await buildApp({ settings, regionData, logger: { level: 'info', stream } })
  t.teardown(async () => {
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  })
  return { app, lines }
}

/** the shared checks: problem+json, request id, security headers, German, DP code, logged */
function isProblem(t: Tap.Test, res: Answer, status: number, code: string, lines: Record<string, unknown>[], what: string): Record<string, unknown> {
  t.equal(res.status, status, `${what}: status`)
  t.match(res.headers['content-type'], /^application\/problem\+json/, `${what}: problem+json`)
  const id = res.headers['x-request-id']
  t.ok(typeof id === 'string' && id.length > 0, `${what}: x-request-id`)
  t.equal(res.headers['x-content-type-options'], 'nosniff', `${what}: security headers`)
  t.ok(res.headers['content-security-policy'], `${what}: CSP`)
  const body = JSON.parse(res.body) as Record<string, unknown>
  t.equal(body.code, code, `${what}: code`)
  t.equal(body.status, status, `${what}: status member`)
  t.equal(body.type, `urn:dachportal:problem:${code.slice('DP_ERR_'.length).toLowerCase().replaceAll('_', '-')}`, `${what}: type`)
  t.equal(body.title, PROBLEMS[code as keyof typeof PROBLEMS].title, `${what}: German title from the table`)
  t.notMatch(String(body.detail), /\b(not found|must|invalid|the|is)\b/i, `${what}: detail not English`)
  t.notMatch(res.body, /FST_ERR/, `${what}: no Fastify code`)
  t.ok(lines.some((l) => l.reqId === id && l.problem === code), `${what}: a log line with the request id and the code`)
  return body
}

function raw(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => { text += d })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }))
    })
    req.on('error', reject)
    if (body !== undefined) req.write(body)
    req.end()
  })
}

const injected = async (app: FastifyInstance, opts: InjectOptions): Promise<Answer> => {
  const res = await app.inject(opts)
  return { status: res.statusCode, headers: res.headers, body: res.body }
}

t.test('Fastify\'s raw URL errors over a real socket: 414 and bad percent-encoding', async (t) => {
  const { app, lines } = await gateway(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port

  const long = await raw(port, 'GET', `/api/v1/services/${'x'.repeat(120)}`)
  isProblem(t, long, 414, 'DP_ERR_URI_TOO_LONG', lines, '414')

  const bad = await raw(port, 'GET', '/api/v1/services/%zz')
  isProblem(t, bad, 400, 'DP_ERR_BAD_URL', lines, 'bad URL')

  const wrong = await raw(port, 'DELETE', '/api/v1/services/hund-anmelden')
  isProblem(t, wrong, 405, 'DP_ERR_METHOD_NOT_ALLOWED', lines, '405 over a socket')
  t.equal(wrong.headers.allow, 'GET, HEAD')
})

t.test('405 with Allow from the routes Fastify knows; 404 stays 404', async (t) => {
  const { app, lines } = await gateway(t)
  const del = await injected(app, { method: 'DELETE', url: '/api/v1/services' })
  const body = isProblem(t, del, 405, 'DP_ERR_METHOD_NOT_ALLOWED', lines, 'DELETE /api/v1/services')
  t.equal(del.headers.allow, 'GET, HEAD', 'HEAD where GET is')
  t.match(body.detail, /DELETE/)

  const post = await injected(app, { method: 'POST', url: '/api/v1/admin/members/gladbeck/manifest', headers: { 'content-type': 'application/json' }, payload: '{}' })
  isProblem(t, post, 405, 'DP_ERR_METHOD_NOT_ALLOWED', lines, 'POST on the admin manifest')
  t.equal(post.headers.allow, 'GET, HEAD, PUT', 'path parameters matched like routing does')

  const put = await injected(app, { method: 'PUT', url: '/api/v1/members/gladbeck', headers: { 'content-type': 'application/json' }, payload: '{}' })
  isProblem(t, put, 405, 'DP_ERR_METHOD_NOT_ALLOWED', lines, 'PUT on a member')
  t.equal(put.headers.allow, 'GET, HEAD')

  const unknown = await injected(app, { method: 'DELETE', url: '/api/v1/nirgendwo' })
  isProblem(t, unknown, 404, 'DP_ERR_NOT_FOUND', lines, 'DELETE on an unknown path')
  t.equal(unknown.headers.allow, undefined)
  const get = await injected(app, { method: 'GET', url: '/api/v1/nirgendwo' })
  isProblem(t, get, 404, 'DP_ERR_NOT_FOUND', lines, 'GET on an unknown path')

  const page = await app.inject({ method: 'GET', url: '/nirgendwo', headers: { accept: 'text/html' } })
  t.equal(page.statusCode, 404)
  t.match(page.headers['content-type'], /^text\/html/, 'browsers keep their HTML 404 page')
})

t.test('QUERY: 405 on a path without it, problem+json either way', async (t) => {
  const { app, lines } = await gateway(t)
  const bare = await injected(app, { method: 'QUERY' as InjectOptions['method'], url: '/api/v1/services' })
  isProblem(t, bare, 405, 'DP_ERR_METHOD_NOT_ALLOWED', lines, 'QUERY without Content-Type')
  t.equal(bare.headers.allow, 'GET, HEAD')
  const typed = await injected(app, { method: 'QUERY' as InjectOptions['method'], url: '/api/v1/services', headers: { 'content-type': 'application/json' }, payload: '{}' })
  isProblem(t, typed, 405, 'DP_ERR_METHOD_NOT_ALLOWED', lines, 'QUERY with Content-Type')
  const nowhere = await injected(app, { method: 'QUERY' as InjectOptions['method'], url: '/api/v1/nirgendwo' })
  isProblem(t, nowhere, 404, 'DP_ERR_NOT_FOUND', lines, 'QUERY on an unknown path')
})

t.test('413, 415, bad JSON and validation errors are problem+json in German', async (t) => {
  const { app, lines } = await gateway(t)
  const auth = { authorization: 'Bearer tok-gladbeck' }
  const big = await injected(app, {
    method: 'PUT', url: '/api/v1/admin/members/gladbeck/manifest',
    headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify({ pad: 'x'.repeat(10_000) }),
  })
  isProblem(t, big, 413, 'DP_ERR_BODY_TOO_LARGE', lines, '413')

  const text = await injected(app, {
    method: 'PUT', url: '/api/v1/admin/members/gladbeck/manifest', headers: { ...auth, 'content-type': 'text/plain' }, payload: 'hallo',
  })
  isProblem(t, text, 415, 'DP_ERR_MEDIA_TYPE', lines, '415 admin')

  // a public route: the portal's form endpoint takes urlencoded only
  const xml = await injected(app, { method: 'POST', url: '/barrierefreiheit', headers: { 'content-type': 'application/xml' }, payload: '<a/>' })
  isProblem(t, xml, 415, 'DP_ERR_MEDIA_TYPE', lines, '415 portal')

  const noAuth = await injected(app, { method: 'GET', url: '/api/v1/admin/members/gladbeck/manifest' })
  const body = isProblem(t, noAuth, 401, 'DP_ERR_AUTH_MISSING', lines, 'admin 401')
  t.equal(body.title, 'Nicht angemeldet', 'admin titles are German too')

  const invalid = await injected(app, { method: 'GET', url: '/api/v1/services?page=0' })
  const problem = isProblem(t, invalid, 400, 'DP_ERR_BAD_REQUEST', lines, 'validation')
  t.match(problem.detail, /ungültige Angabe/)
  t.match(problem.errors, [{ path: '/page', in: 'querystring' }], 'JSON paths kept in errors[]')
})
