// Every traversal and encoding trick -> 400 problem, and the upstream never sees it.
import t from 'tap'
import Fastify from 'fastify'
import type { AddressInfo } from 'node:net'
import { proxyPlugin } from '../../src/proxy/index.js'
import { checkProxyPath } from '../../src/proxy/path-guard.js'
import { proxiedMember, rawGet, rawRequest, startEcho } from '../helpers/upstream.js'

const tricks = [
  '/cities/a/..', '/cities/a/../b/x', '/cities/a/x/../../b/y', '/cities/a/.', '/cities/a/./x',
  '/cities/a/%2e%2e/b', '/cities/a/%2E%2E/b', '/cities/a/.%2e/b', '/cities/a/%2e./b', '/cities/a/%2e',
  '/cities/a/%252e%252e/b', '/cities/a/%252E%252E%252Fb', '/cities/a/%25%32%65',
  '/cities/a/x%2fy', '/cities/a/x%2F..%2Fb', '/cities/a/x%5c..%5cb', '/cities/a/x%5Cy',
  '/cities/a/x\\..\\b', '/cities/a/\\b',
  '/cities/a//b', '/cities/a/x//y', '/cities/a///',
  '/cities/a/%c0%ae%c0%ae/b', '/cities/a/%C0%AE%C0%AE/b', '/cities/a/%e0%80%ae%e0%80%ae/b', '/cities/a/%c0%af',
  '/cities/a/%c1%9c', '/cities/a/%f0%80%80%ae', '/cities/a/%ef%bc%8e%ef%bc%8e/b', '/cities/a/x%ef%bc%8fy',
  '/cities/a/x%00y', '/cities/a/x%00', '/cities/a/%0d%0aSet-Cookie:x=1', '/cities/a/x%7f',
  '/cities/a/..;/b', '/cities/a/..%3b/b', '/cities/a/.;x/b', '/cities/a/%zz', '/cities/a/%2',
  '/cities/a/%ff', '/cities/%61/x', '/cities/a/%2525', '/cities/a/x%252fy',
]
// Not routed to any member at all (the router does not decode %2f): 404, no upstream either.
const unrouted = ['/cities/a%2f..%2fb/x', '/cities/a%2fx', '/cities/A/x', '/cities/../cities/a/x']

const fine = ['/cities/a', '/cities/a/', '/cities/a/x/y', '/cities/a/x/?q=../..%2f', '/cities/a/x.y..z',
  '/cities/a/%C3%BCbersicht', '/cities/a/100%25.pdf', '/cities/a/%40user', '/cities/a/x;jsessionid=1', '/cities/a/x/']

t.test('checkProxyPath unit', async (t) => {
  for (const url of tricks) t.not(checkProxyPath(url, '/cities/a'), null, `rejects ${url}`)
  for (const url of fine) t.equal(checkProxyPath(url, '/cities/a'), null, `accepts ${url}`)
})

t.test('over the wire: every trick is 400 problem+json and never reaches the upstream', async (t) => {
  const up = await startEcho('a')
  t.teardown(up.close)
  const app = Fastify()
  await app.register(proxyPlugin, { members: [proxiedMember('a', up.url)], contactFor: (id) => ({ name: id }) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const port = (app.server.address() as AddressInfo).port
  for (const path of tricks) {
    const res = await rawRequest(port, rawGet(path))
    // Node's own parser may already refuse raw backslashes/controls with a bare 400.
    t.equal(res.status, 400, `400 for ${path}`)
    if (res.headerLines.some((l) => /^content-type: application\/problem\+json/i.test(l))) {
      t.equal(JSON.parse(res.body).code, 'DP_ERR_PROXY_PATH', `problem code for ${path}`)
    }
  }
  for (const path of unrouted) {
    const res = await rawRequest(port, rawGet(path))
    t.ok(res.status === 404 || res.status === 400, `404/400 for ${path}`)
  }
  t.equal(up.seen.length, 0, 'upstream never hit')
  const bare = await rawRequest(port, rawGet('/cities/a'))
  t.equal(bare.status, 308, 'the bare prefix is a redirect into the member, not proxied')
  const proxied = fine.filter((path) => path !== '/cities/a')
  for (const path of proxied) {
    const res = await rawRequest(port, rawGet(path))
    t.equal(res.status, 200, `200 for ${path}`, { body: res.body })
  }
  t.equal(up.seen.length, proxied.length)
  t.same(up.seen.map((s) => s.url).slice(0, 2), ['/', '/x/y'])
  t.equal(up.seen[3]?.url, '/x.y..z')
  t.equal(up.seen[4]?.url, '/%C3%BCbersicht', 'forwarded as sent, not re-encoded')
})
