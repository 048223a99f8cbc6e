// Each member on its own origin `<member>.<PROXY_BASE_DOMAIN>`, through the
// whole app (buildApp) over real sockets: a member host reaches that member's
// upstream and nothing else of the gateway; the path form is kept only for
// sameOriginTrusted members; cookies are host-only (`__Host-` over https) and
// Locations point at the member origin.
import t, { type Test } from 'tap'
import Fastify from 'fastify'
import type { AddressInfo } from 'node:net'
import { memberHostRouter, proxyPlugin, type ProxyOrigins } from '../../src/proxy/index.js'
import { startMemberPortal } from '../helpers/member-portal.js'
import { headerValues, proxiedMember, rawRequest, startEcho, type Respond } from '../helpers/upstream.js'

function get(path: string, host: string, extra: string[] = [], method = 'GET'): string {
  const body = method === 'POST' ? 'Content-Length: 3\r\n' : ''
  return `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n${body}${extra.map((l) => `${l}\r\n`).join('')}\r\n${method === 'POST' ? 'x=1' : ''}`
}

t.test('a member host reaches that member’s upstream and nothing else of the gateway', async (t) => {
  const { port, gladbeck, herten } = await startMemberPortal(t, { proxy: { baseDomain: 'cities.test', scheme: 'http', port: 8080 } })
  const host = `gladbeck.cities.test:${port}`
  for (const path of ['/', '/api/v1/region', '/docs/json', '/health', '/metrics', '/suche?q=x', '/cities/herten/x', '/cities/gladbeck/x', '/assets/portal.js']) {
    const res = await rawRequest(port, get(path, host))
    t.equal(res.status, 200, `${path}: proxied`)
    t.match(JSON.parse(res.body), { member: 'gladbeck', url: path }, `${path}: answered by gladbeck’s upstream, path as it is`)
  }
  t.equal(herten.seen.length, 0, 'another member is never reached from gladbeck’s host')
  const count = gladbeck.seen.length
  for (const other of ['nope.cities.test', 'x.gladbeck.cities.test', 'Gladbeck_.cities.test']) {
    const res = await rawRequest(port, get('/api/v1/region', other))
    t.equal(res.status, 404, `${other}: 404`)
    t.match(JSON.parse(res.body), { code: 'DP_ERR_NO_UPSTREAM' })
  }
  const absolute = await rawRequest(port, get(`http://127.0.0.1:${port}/api/v1/region`, host))
  // its authority wins over Host (RFC 9112 §3.2.2): the portal answers, the member is not reached
  t.equal(absolute.status, 200, 'an absolute-form target naming the portal is the portal’s, whatever Host says')
  t.notMatch(absolute.body, /"url"/, 'from the gateway, not an upstream')
  t.equal(gladbeck.seen.length, count, 'none of these reached the upstream')

  const portal = await rawRequest(port, get('/api/v1/region', `127.0.0.1:${port}`))
  t.equal(portal.status, 200, 'the portal’s own host still serves the API')
  t.notMatch(portal.body, /"url"/, 'from the gateway, not an upstream')
})

t.test('path form: redirect to the member origin, unless sameOriginTrusted', async (t) => {
  const { port, gladbeck, herten } = await startMemberPortal(t, { proxy: { baseDomain: 'cities.test', scheme: 'http', port: 8080 } })
  const portal = `127.0.0.1:${port}`
  const cases: [string, string][] = [
    ['/cities/gladbeck/antrag/schritt-2?id=7', 'http://gladbeck.cities.test:8080/antrag/schritt-2?id=7'],
    ['/cities/gladbeck', 'http://gladbeck.cities.test:8080/'],
    ['/cities/gladbeck?x=1', 'http://gladbeck.cities.test:8080/?x=1'],
    ['/cities/gladbeck//evil.example/x', ''],
  ]
  for (const [path, want] of cases) {
    const res = await rawRequest(port, get(path, portal, [], 'POST'))
    if (want === '') {
      t.equal(res.status, 400, `${path}: the path guard still answers first`)
      continue
    }
    t.equal(res.status, 307, `${path}: 307 keeps method and body`)
    t.same(headerValues(res.headerLines, 'location'), [want], `${path} -> ${want}`)
  }
  t.equal(gladbeck.seen.length, 0, 'the upstream is never reached through the portal origin')
  const trusted = await rawRequest(port, get('/cities/herten/x', portal))
  t.equal(trusted.status, 200, 'a sameOriginTrusted member keeps the path form')
  t.equal(herten.seen.length, 1)
})

t.test('without PROXY_BASE_DOMAIN an untrusted member is not proxied on the shared origin', async (t) => {
  const { port, gladbeck, herten } = await startMemberPortal(t, { proxy: { scheme: 'http' } })
  const res = await rawRequest(port, get('/cities/gladbeck/x', `127.0.0.1:${port}`))
  t.equal(res.status, 503)
  t.match(JSON.parse(res.body), { code: 'DP_ERR_PROXY_NO_ORIGIN', type: 'urn:dachportal:problem:proxy-no-origin' })
  const hostForm = await rawRequest(port, get('/api/v1/region', 'gladbeck.cities.test'))
  t.equal(hostForm.status, 200, 'no member hosts either: the Host is the portal’s')
  t.notMatch(hostForm.body, /"url"/)
  t.equal(gladbeck.seen.length, 0)
  t.equal((await rawRequest(port, get('/cities/herten/x', `127.0.0.1:${port}`))).status, 200, 'trusted members still work')
  t.equal(herten.seen.length, 1)
})

// Cookies and Locations on the member origin (proxy plugin alone).
const respond: Respond = (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x')
  if (url.pathname.endsWith('/set-cookies')) {
    res.setHeader('set-cookie', ['sid=abc; Path=/portal/sub; Domain=cities.test; HttpOnly; SameSite=Lax', 'plain=2', '__Host-x=3; Path=/; Secure'])
    res.end('ok')
    return true
  }
  if (url.pathname.endsWith('/redirect')) {
    res.statusCode = 302
    res.setHeader('location', url.searchParams.get('to') ?? '/')
    res.end()
    return true
  }
  return false
}

async function plugin(t: Test, origins: ProxyOrigins) {
  const a = await startEcho('a', respond)
  t.teardown(a.close)
  const app = Fastify({ rewriteUrl: memberHostRouter('cities.test') })
  await app.register(proxyPlugin, { members: [proxiedMember('a', `${a.url}/portal/`, undefined, { sameOriginTrusted: false })], contactFor: (id) => ({ name: id }), origins })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return { a, port: (app.server.address() as AddressInfo).port }
}

t.test('https member origin: cookies become __Host- (no Domain, Path=/, Secure); only those go up, prefix removed', async (t) => {
  const { a, port } = await plugin(t, { baseDomain: 'cities.test', scheme: 'https' })
  const res = await rawRequest(port, get('/set-cookies', 'a.cities.test'))
  t.same(headerValues(res.headerLines, 'set-cookie'), [
    '__Host-sid=abc; HttpOnly; SameSite=Lax; Path=/; Secure',
    '__Host-plain=2; Path=/; Secure',
    '__Host-__Host-x=3; Secure; Path=/',
  ])
  await rawRequest(port, get('/whoami', 'a.cities.test', ['Cookie: sid=TOSSED; __Host-sid=abc; a__sid=OLD; __Host-__Host-x=3; plz=45964']))
  t.equal(a.seen.at(-1)!.headers.cookie, 'sid=abc; __Host-x=3', 'a cookie without the prefix (planted through a parent domain) never goes up')
})

t.test('http member origin (development): host-only cookies, Locations on the member origin', async (t) => {
  const { a, port } = await plugin(t, { baseDomain: 'cities.test', scheme: 'http' })
  const res = await rawRequest(port, get('/set-cookies', 'a.cities.test'))
  t.same(headerValues(res.headerLines, 'set-cookie'), [
    'sid=abc; Path=/sub; HttpOnly; SameSite=Lax',
    'plain=2; Path=/',
    '__Host-x=3; Path=/; Secure',
  ], 'Domain dropped, paths relative to the upstream’s base path')
  await rawRequest(port, get('/whoami', 'a.cities.test', ['Cookie: sid=abc; plz=45964']))
  t.equal(a.seen.at(-1)!.headers.cookie, 'sid=abc; plz=45964', 'the origin’s cookies go up as they are')
  const cases: [string, string][] = [
    ['/portal/done?x=1', '/done?x=1'],
    [`${a.url}/portal/abs`, '/abs'],
    ['/portal', '/'],
    ['next', '/r/next'],
    ['/elsewhere', `${a.url}/elsewhere`],
    ['https://idp.example.org/login', 'https://idp.example.org/login'],
  ]
  for (const [to, want] of cases) {
    const r = await rawRequest(port, get(`/r/redirect?to=${encodeURIComponent(to)}`, 'a.cities.test'))
    t.same(headerValues(r.headerLines, 'location'), [want], `${to} -> ${want}`)
  }
})
