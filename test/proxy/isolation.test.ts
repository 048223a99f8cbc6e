// Tenant isolation over real sockets: routing, cookies, Authorization,
// forwarding headers, and Set-Cookie/Location rewriting on the raw headers.
import t, { type Test } from 'tap'
import Fastify from 'fastify'
import net, { type AddressInfo } from 'node:net'
import { request } from 'undici'
import { proxyPlugin } from '../../src/proxy/index.js'
import { proxiedMember, rawGet, rawRequest, startEcho, type Respond, type Upstream } from '../helpers/upstream.js'

// Response headers the gateway must not pass on: origin-wide ones, and one
// the upstream lists in Connection (hop-by-hop).
const STRIPPED: Record<string, string> = {
  'alt-svc': 'h3=":443"',
  'clear-site-data': '"cookies"',
  'service-worker-allowed': '/',
  'strict-transport-security': 'max-age=0',
  connection: 'x-upstream-secret',
  'x-upstream-secret': '1',
  nel: '{"report_to":"x","max_age":31536000}',
  'report-to': '{"group":"x","endpoints":[{"url":"https://collector.example/"}]}',
  'reporting-endpoints': 'x="https://collector.example/"',
  'accept-ch': 'Sec-CH-UA-Model',
  'critical-ch': 'Sec-CH-UA-Model',
  'origin-agent-cluster': '?0',
}

const respond: Respond = (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x')
  if (url.pathname.endsWith('/set-cookies')) {
    res.setHeader('set-cookie', [
      'sid=abc; Path=/; Domain=127.0.0.1; HttpOnly; SameSite=Lax',
      'pref=1; path=/sub; Secure',
      'plain=2',
      '__Host-x=3; Path=/; Secure',
      'broken',
      'bad name=1',
      'up=4; Path=/../../other',
    ])
    for (const [name, value] of Object.entries(STRIPPED)) res.setHeader(name, value)
    res.end('ok')
    return true
  }
  if (url.pathname.endsWith('/login')) {
    res.statusCode = 401
    res.setHeader('www-authenticate', url.searchParams.getAll('challenge'))
    res.end()
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

async function setup(t: Test) {
  const ups: Record<string, Upstream> = {}
  for (const id of ['a', 'b', 'c']) {
    ups[id] = await startEcho(id, respond)
    t.teardown(ups[id].close)
  }
  const members = [
    proxiedMember('a', ups.a!.url),
    proxiedMember('b', `${ups.b!.url}/`),
    proxiedMember('c', `${ups.c!.url}/portal/`),
    proxiedMember('d', undefined),
  ]
  const app = Fastify()
  await app.register(proxyPlugin, { members, contactFor: (id) => ({ name: `Stadt ${id}` }) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const port = (app.server.address() as AddressInfo).port
  return { ups, app, port, base: `http://127.0.0.1:${port}` }
}


t.test('200 concurrent mixed requests: right upstream, own cookies and Authorization only', async (t) => {
  const { ups, base } = await setup(t)
  const ids = ['a', 'b', 'c']
  const cookie = 'a__sid=A1; b__sid=B1; c__sid=C1; gateway_session=G; sid=raw; a__=empty'
  const results = await Promise.all(
    Array.from({ length: 200 }, async (_, i) => {
      const id = ids[i % 3]!
      const method = ['GET', 'POST', 'PUT', 'DELETE'][i % 4]!
      const res = await request(`${base}/cities/${id}/item/${i}?n=${i}`, {
        method: method as 'GET',
        headers: { cookie, authorization: `Bearer ${id}-token-${i}`, 'content-type': 'text/plain' },
        body: method === 'GET' || method === 'DELETE' ? undefined : `body-${i}`,
      })
      return { id, i, status: res.statusCode, json: (await res.body.json()) as { member: string; url: string } }
    }),
  )
  for (const r of results) {
    if (r.status !== 200 || r.json.member !== r.id) t.fail(`request ${r.i} answered by ${r.json.member}`)
  }
  t.equal(results.filter((r) => r.status === 200).length, 200)
  for (const id of ids) {
    const seen = ups[id]!.seen
    t.equal(seen.length, id === 'a' ? 67 : id === 'b' ? 67 : 66, `${id} saw its share`)
    t.ok(seen.every((s) => s.headers.cookie === `sid=${id.toUpperCase()}1`), `${id} got only its own cookie, un-namespaced`)
    t.ok(seen.every((s) => String(s.headers.authorization).startsWith(`Bearer ${id}-token-`)), `${id} got only its own Authorization`)
  }
  t.ok(ups.c!.seen.every((s) => s.url.startsWith('/portal/item/')), 'base path of c is prefixed')
})

t.test('forwarding headers: client claims removed, gateway values set, hop-by-hop dropped', async (t) => {
  const { ups, port } = await setup(t)
  const res = await rawRequest(port, rawGet('/cities/a/x?secret=1', [
    'X-Forwarded-For: 6.6.6.6', 'X-Forwarded-Host: evil.test', 'X-Forwarded-Proto: https', 'Forwarded: for=6.6.6.6',
    'X-Real-IP: 6.6.6.6', 'X-Request-Id: spoofed', 'Keep-Alive: timeout=5', 'TE: trailers',
    'Proxy-Authorization: Basic eA==', 'X-Drop-Me: 1', 'Connection: X-Drop-Me', 'Cookie: gateway_session=G',
    'X-Original-URL: /admin', 'X-Rewrite-URL: /admin', 'Authorization: NTLM TlRMTVNTUAABAAAA',
  ].map((h) => `${h}\r\n`).join('').replace('Connection: close\r\n', '')))
  t.equal(res.status, 200)
  const h = ups.a!.seen[0]!.headers
  t.equal(h['x-forwarded-for'], '127.0.0.1')
  t.equal(h['x-forwarded-proto'], 'http')
  t.equal(h['x-forwarded-host'], undefined, 'no PUBLIC_ORIGIN configured: no X-Forwarded-Host (never the client’s Host)')
  t.equal(h.forwarded, 'for=127.0.0.1;proto=http', 'Forwarded is the gateway’s, not the client’s')
  t.match(h['x-request-id'], /^req-/)
  for (const name of ['x-real-ip', 'keep-alive', 'te', 'proxy-authorization', 'x-drop-me', 'cookie', 'x-original-url', 'x-rewrite-url', 'authorization']) {
    t.equal(h[name], undefined, `${name} not forwarded`)
  }
  t.equal(h.host, `127.0.0.1:${ups.a!.port}`, 'Host is the upstream')
})

t.test('Set-Cookie rewriting on the raw headers', async (t) => {
  const { port } = await setup(t)
  const a = await rawRequest(port, rawGet('/cities/a/set-cookies'))
  const cookies = a.headerLines.filter((l) => /^set-cookie:/i.test(l)).map((l) => l.slice(l.indexOf(':') + 2))
  t.same(cookies, [
    'a__sid=abc; Path=/cities/a/; HttpOnly; SameSite=Lax',
    'a__pref=1; Path=/cities/a/sub; Secure',
    'a__plain=2; Path=/cities/a/',
    'a____Host-x=3; Path=/cities/a/; Secure',
    'a__up=4; Path=/cities/a/',
  ], 'separate headers, Domain removed, Path under prefix, names namespaced, malformed dropped')
  for (const name of Object.keys(STRIPPED).filter((n) => n !== 'connection')) {
    t.notOk(a.headerLines.some((l) => l.toLowerCase().startsWith(`${name}:`)), `${name} stripped`)
  }
  const c = await rawRequest(port, rawGet('/cities/c/set-cookies'))
  const cc = c.headerLines.filter((l) => /^set-cookie:/i.test(l)).map((l) => l.slice(l.indexOf(':') + 2))
  t.equal(cc[0], 'c__sid=abc; Path=/cities/c/; HttpOnly; SameSite=Lax', 'Path=/ outside base path -> member root')
})

t.test('Location rewriting on the raw headers', async (t) => {
  const { ups, port } = await setup(t)
  const cases: [string, string, string][] = [
    ['a', '/done?x=1', '/cities/a/done?x=1'],
    ['a', `${ups.a!.url}/abs/path`, '/cities/a/abs/path'],
    ['a', 'rel/next', '/cities/a/r/rel/next'],
    ['a', '../../../../up', '/cities/a/up'],
    ['a', '/cities/b/steal', '/cities/a/cities/b/steal'],
    ['a', 'https://idp.example.org/login', 'https://idp.example.org/login'],
    ['a', '//evil.example/x', 'http://evil.example/x'],
    ['a', '/\\evil.example/x', 'http://evil.example/x'],
    ['a', `${ups.b!.url}/x`, `${ups.b!.url}/x`],
    ['c', '/portal/next', '/cities/c/next'],
    ['c', '/portal', '/cities/c/'],
    ['c', '/elsewhere', `${ups.c!.url}/elsewhere`],
    ['c', 'next', '/cities/c/r/next'],
  ]
  for (const [id, to, want] of cases) {
    const res = await rawRequest(port, rawGet(`/cities/${id}/r/redirect?to=${encodeURIComponent(to)}`))
    const loc = res.headerLines.find((l) => /^location:/i.test(l))?.slice(10)
    t.equal(loc, want, `${id}: ${to}`)
  }
})

t.test('repeated Location or Content-Location from an upstream: 502, nothing of that answer passed on', async (t) => {
  // A raw upstream: Node's own HTTP server could not send the duplicates.
  const upstream = net.createServer((socket) => {
    socket.once('data', (chunk: Buffer) => {
      const name = chunk.toString('latin1').split(' ')[1]?.endsWith('/content') ? 'Content-Location' : 'Location'
      socket.end(`HTTP/1.1 302 Found\r\n${name}: /ok\r\n${name}: https://evil.example/steal\r\n`
        + 'Set-Cookie: sid=1; Path=/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
    })
    socket.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  t.teardown(() => upstream.close())
  const app = Fastify()
  await app.register(proxyPlugin, {
    members: [proxiedMember('r', `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`)],
    contactFor: (id) => ({ name: `Stadt ${id}` }),
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const port = (app.server.address() as AddressInfo).port
  for (const path of ['/cities/r/location', '/cities/r/content']) {
    const res = await rawRequest(port, rawGet(path))
    t.equal(res.status, 502, `${path}: 502`)
    t.notOk(res.headerLines.some((l) => /^(content-)?location:|^set-cookie:/i.test(l)), `${path}: no Location, Content-Location or Set-Cookie of that answer`)
    t.match(JSON.parse(res.body), { code: 'DP_ERR_UPSTREAM_FAILED', member: 'r' })
  }
})

t.test('Basic/Digest challenges get a member-scoped realm, so credentials are never shared between members', async (t) => {
  const { port } = await setup(t)
  const challenges = async (id: string, ...sent: string[]) => {
    const query = sent.map((c) => `challenge=${encodeURIComponent(c)}`).join('&')
    const res = await rawRequest(port, rawGet(`/cities/${id}/login?${query}`))
    t.equal(res.status, 401)
    return res.headerLines.filter((l) => /^www-authenticate:/i.test(l)).map((l) => l.slice(l.indexOf(':') + 2))
  }
  t.same(await challenges('a', 'Basic realm="Bürgerkonto"'), ['Basic realm="a: Bürgerkonto"'])
  t.same(await challenges('b', 'Basic realm="a: Bürgerkonto"'), ['Basic realm="b: a: Bürgerkonto"'], 'b cannot claim a’s realm')
  t.same(await challenges('b', 'Basic'), ['Basic realm="b: "'], 'no realm: the member’s own is added')
  t.same(await challenges('c', 'Bearer error="invalid_token"', 'Digest realm="c: x", nonce="n", algorithm=MD5'),
    ['Bearer error="invalid_token"', 'Digest realm="c: x", nonce="n", algorithm=MD5'], 'each header kept; Digest in the member’s own realm unchanged')
  t.same(await challenges('c', 'Digest realm="x", nonce="n"', 'NTLM', 'Negotiate'), [], 'Digest in a shared realm and connection-bound schemes are dropped')
  t.same(await challenges('a', 'Basic realm="kaputt'), [], 'unparseable: dropped')
})

t.test('a bare member prefix is redirected into it, so nothing is served with the scope /cities/', async (t) => {
  const { ups, port, app } = await setup(t)
  for (const [url, location] of [['/cities/a', '/cities/a/'], ['/cities/a?x=1&y=%2F', '/cities/a/?x=1&y=%2F']] as const) {
    for (const method of ['GET', 'POST'] as const) {
      const res = await app.inject({ method, url, headers: { 'service-worker': 'script' } })
      t.equal(res.statusCode, 308, `${method} ${url}`)
      t.equal(res.headers.location, location)
    }
  }
  t.equal(ups.a!.seen.length, 0, 'the upstream was never asked')
  const inside = await rawRequest(port, rawGet('/cities/a/?x=1'))
  t.equal(inside.status, 200, 'the prefix with its slash is proxied')
  t.equal(ups.a!.seen.at(-1)!.url, '/?x=1')
})

t.test('invalid header values -> 400 problem, upstream not hit', async (t) => {
  const { ups, app, port } = await setup(t)
  const viaInject = await app.inject({ url: '/cities/a/x', headers: { 'x-evil': 'a\u0001b' } })
  t.equal(viaInject.statusCode, 400)
  t.equal(viaInject.json().code, 'DP_ERR_PROXY_HEADER')
  const crlf = await rawRequest(port, rawGet('/cities/a/x', 'X-Evil: a\rSet-Cookie: x=1\r\n'))
  t.equal(crlf.status, 400, 'bare CR rejected')
  const nul = await rawRequest(port, rawGet('/cities/a/x', 'X-Evil: a\x00b\r\n'))
  t.equal(nul.status, 400, 'NUL rejected')
  t.equal(ups.a!.seen.length, 0)
})

t.test('unknown member, member without upstream, disallowed method', async (t) => {
  const { app } = await setup(t)
  for (const url of ['/cities/d/x', '/cities/zz/x', '/cities/d', '/cities/']) {
    const res = await app.inject({ url })
    t.equal(res.statusCode, 404, url)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.equal(res.json().code, 'DP_ERR_NO_UPSTREAM')
  }
  const trace = await app.inject({ method: 'TRACE', url: '/cities/a/x' })
  t.equal(trace.statusCode, 405)
  t.match(trace.headers.allow, /GET/)
})
