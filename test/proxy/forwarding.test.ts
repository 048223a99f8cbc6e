// What the client says about forwarding never reaches an upstream: raw
// sockets send every header a backend framework might believe (spellings
// included), and the upstream must see none of them; X-Forwarded-Host and
// Forwarded come from configuration whatever Host the client sent.
import t, { type Test } from 'tap'
import Fastify from 'fastify'
import type { AddressInfo } from 'node:net'
import { memberHostRouter, proxyPlugin } from '../../src/proxy/index.js'
import { REQUEST_HEADERS } from '../../src/proxy/headers.js'
import { proxiedMember, rawRequest, startEcho, type Upstream } from '../helpers/upstream.js'

const CLIENT_CLAIMS = [
  'X-Forwarded-For: 6.6.6.6', 'x_forwarded_for: 6.6.6.6', 'X-Forwarded-Host: evil.test', 'X-Forwarded-Proto: gopher',
  'X-Forwarded-Port: 1', 'X-Forwarded-Prefix: /admin', 'Forwarded: for=6.6.6.6;host=evil.test', 'X-Real-IP: 6.6.6.6',
  'True-Client-IP: 6.6.6.6', 'X-Client-IP: 6.6.6.6', 'CF-Connecting-IP: 6.6.6.6', 'X-Original-URI: /admin',
  'X-Original-URL: /admin', 'X-Rewrite-URL: /admin', 'X-HTTP-Method-Override: DELETE', 'X-HTTP-Method: DELETE',
  'X-Method-Override: DELETE', 'X-Host: evil.test', 'Via: 1.1 evil', 'Max-Forwards: 0', 'X-Request-Id: spoofed',
  'Proxy-Authorization: Basic eA==', 'X-Unknown-Thing: 1',
]

// What a browser or a form sends, and what must pass.
const PASSED: Record<string, string> = {
  accept: 'text/html', 'accept-language': 'de-DE', 'accept-encoding': 'gzip', 'if-none-match': '"v1"',
  'if-modified-since': 'Sun, 29 Nov 2026 10:00:00 GMT', range: 'bytes=0-10', 'user-agent': 'Test/1.0',
  'x-requested-with': 'XMLHttpRequest', 'cache-control': 'no-cache', authorization: 'Bearer member-token',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'congo=t61rcWkgMzE',
}

// The gateway's own headers and framing: all an upstream may see beyond the allow-list.
const GATEWAY_SET = new Set(['host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded', 'x-request-id', 'connection'])

async function setup(t: Test): Promise<{ port: number; a: Upstream; p: Upstream }> {
  const a = await startEcho('a')
  const p = await startEcho('p')
  t.teardown(a.close)
  t.teardown(p.close)
  const app = Fastify({ rewriteUrl: memberHostRouter('cities.test') })
  await app.register(proxyPlugin, {
    members: [proxiedMember('a', a.url, undefined, { sameOriginTrusted: false }), proxiedMember('p', p.url)],
    contactFor: (id) => ({ name: id }),
    origins: { baseDomain: 'cities.test', scheme: 'https', publicOrigin: 'https://portal.test' },
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return { port: (app.server.address() as AddressInfo).port, a, p }
}

function request(path: string, host: string, lines: string[]): string {
  return `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`
}

function checkSeen(t: Test, headers: Record<string, unknown>, where: string): void {
  for (const claim of CLIENT_CLAIMS) {
    const name = claim.slice(0, claim.indexOf(':')).toLowerCase()
    if (GATEWAY_SET.has(name)) t.not(headers[name], claim.slice(name.length + 2), `${where}: the client's ${name} is replaced`)
    else t.equal(headers[name], undefined, `${where}: ${name} not forwarded`)
  }
  for (const [name, value] of Object.entries(PASSED)) t.equal(headers[name], value, `${where}: ${name} passed`)
  const unexpected = Object.keys(headers).filter((name) => !REQUEST_HEADERS.has(name) && !GATEWAY_SET.has(name))
  t.same(unexpected, [], `${where}: nothing outside the allow-list`)
  t.equal(headers['x-forwarded-for'], '127.0.0.1', `${where}: X-Forwarded-For is the peer`)
}

t.test('on a member origin: X-Forwarded-Host is that origin, whatever the client claims', async (t) => {
  const { port, a } = await setup(t)
  const passed = Object.entries(PASSED).map(([k, v]) => `${k}: ${v}`)
  for (const host of ['a.cities.test', 'A.CITIES.TEST:8443', 'a.cities.test.']) {
    const res = await rawRequest(port, request('/x', host, [...CLIENT_CLAIMS, ...passed]))
    t.equal(res.status, 200, `${host}: proxied`)
    const headers = a.seen.at(-1)!.headers
    checkSeen(t, headers, host)
    t.equal(headers['x-forwarded-host'], 'a.cities.test', `${host}: X-Forwarded-Host from configuration`)
    t.equal(headers['x-forwarded-proto'], 'https')
    t.equal(headers.forwarded, 'for=127.0.0.1;host="a.cities.test";proto=https')
    t.equal(a.seen.at(-1)!.method, 'GET', 'no method override')
  }
})

t.test('path form: X-Forwarded-Host is PUBLIC_ORIGIN, never the client’s Host', async (t) => {
  const { port, p } = await setup(t)
  const passed = Object.entries(PASSED).map(([k, v]) => `${k}: ${v}`)
  for (const host of ['portal.test', 'evil.test', 'evil.test:443']) {
    const res = await rawRequest(port, request('/cities/p/x', host, [...CLIENT_CLAIMS, ...passed]))
    t.equal(res.status, 200, `${host}: proxied`)
    const headers = p.seen.at(-1)!.headers
    checkSeen(t, headers, host)
    t.equal(headers['x-forwarded-host'], 'portal.test', `Host ${host}: X-Forwarded-Host from PUBLIC_ORIGIN`)
    t.equal(headers['x-forwarded-proto'], 'https')
  }
})
