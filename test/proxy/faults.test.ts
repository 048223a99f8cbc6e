// Upstream faults -> 502/504 problem+json with the member's contact data;
// the breaker opens, answers 503 at once, half-opens and closes again.
import t, { type Test } from 'tap'
import Fastify from 'fastify'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { request } from 'undici'
import { proxyPlugin, type ProxyPluginOptions } from '../../src/proxy/index.js'
import { proxiedMember, refusingUrl, startEcho, startFault } from '../helpers/upstream.js'

const contactFor = (id: string) => ({
  name: `Stadt ${id}`,
  phone: '+49 2043 99-0',
  email: `info@${id}.example.org`,
  portalUrl: `https://${id}.example.org/`,
})

async function app(t: Test, members: ProxyPluginOptions['members'], extra: Partial<ProxyPluginOptions> = {}) {
  const server = Fastify()
  await server.register(proxyPlugin, { members, contactFor, ...extra })
  await server.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => server.close())
  return { server, base: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}` }
}

const fast = { headersTimeoutMs: 200, bodyTimeoutMs: 200, connectTimeoutMs: 200 }

t.test('refusing, resetting, hanging and garbage upstreams', async (t) => {
  const reset = await startFault('reset')
  const hang = await startFault('hang')
  const garbage = await startFault('garbage')
  t.teardown(reset.close)
  t.teardown(hang.close)
  t.teardown(garbage.close)
  const { server } = await app(t, [
    proxiedMember('refuse', await refusingUrl(), fast),
    proxiedMember('reset', reset.url, fast),
    proxiedMember('hang', hang.url, fast),
    proxiedMember('garbage', garbage.url, fast),
  ])
  const expected: Record<string, number> = { refuse: 502, reset: 502, hang: 504, garbage: 502 }
  for (const [id, status] of Object.entries(expected)) {
    const res = await server.inject({ url: `/cities/${id}/form?name=Erika` })
    t.equal(res.statusCode, status, `${id} -> ${status}`)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    const body = res.json()
    t.equal(body.status, status)
    t.match(body.title, /Online-Dienst/)
    t.match(body.detail, new RegExp(`Stadt ${id}`))
    t.same(body.contact, contactFor(id), 'contact data so the resident has another way')
    t.equal(body.instance, `/cities/${id}/form`, 'no query string echoed')
    t.equal(server.proxyHealth.get(id)?.state, 'closed', 'one failure does not open')
    t.type(server.proxyHealth.get(id)?.lastError, 'string')
  }
  t.equal(server.proxyHealth.get('hang')?.lastError, 'UND_ERR_HEADERS_TIMEOUT')
  t.ok(hang.seen.length >= 1 && garbage.seen.length >= 1 && reset.seen.length >= 1)
})

t.test('breaker: open -> fast 503 with contact -> half-open probe -> closed', async (t) => {
  const state = { broken: true }
  const up = await startEcho('flaky', (_req, res) => {
    if (!state.broken) return false
    res.socket?.destroy()
    return true
  })
  t.teardown(up.close)
  const clock = { now: 1_000_000 }
  const { server } = await app(t, [proxiedMember('flaky', up.url, fast)], {
    breaker: { failureThreshold: 2, coolDownMs: 10_000 },
    clock: () => clock.now,
  })
  const get = () => server.inject({ url: '/cities/flaky/x' })
  t.equal((await get()).statusCode, 502)
  t.equal((await get()).statusCode, 502)
  t.equal(server.proxyHealth.get('flaky')?.state, 'open')
  const hits = up.seen.length
  const open = await get()
  t.equal(open.statusCode, 503)
  t.equal(open.headers['retry-after'], '10')
  t.same(open.json().contact, contactFor('flaky'))
  t.equal(open.json().member, 'flaky')
  t.equal(up.seen.length, hits, 'open breaker does not touch the upstream')

  clock.now += 10_000
  state.broken = false
  const probe = await get()
  t.equal(probe.statusCode, 200, 'probe went through')
  t.equal(server.proxyHealth.get('flaky')?.state, 'closed')
  t.equal((await get()).statusCode, 200)

  // a failed probe re-opens
  state.broken = true
  await get()
  await get()
  clock.now += 10_000
  t.equal((await get()).statusCode, 502, 'probe failed')
  t.equal(server.proxyHealth.get('flaky')?.state, 'open')
  t.equal((await get()).statusCode, 503)
  t.same(Object.keys(server.proxyHealth.all()), ['flaky'])
})

t.test('one hanging member does not slow another', async (t) => {
  const hang = await startFault('hang')
  const ok = await startEcho('ok')
  t.teardown(hang.close)
  t.teardown(ok.close)
  const { base } = await app(t, [
    proxiedMember('hang', hang.url, { headersTimeoutMs: 5_000, connections: 2 }),
    proxiedMember('ok', ok.url),
  ])
  const hanging = Array.from({ length: 10 }, () => request(`${base}/cities/hang/x`).then((r) => r.body.text()).catch(() => ''))
  const quick = await Promise.all(Array.from({ length: 20 }, () => request(`${base}/cities/ok/x`)))
  t.ok(quick.every((r) => r.statusCode === 200), 'ok member answers while hang member hangs')
  await Promise.all(quick.map((r) => r.body.dump()))
  await hang.close()
  await Promise.all(hanging)
})

t.test('body limit per member: 413 for Content-Length and chunked bodies', async (t) => {
  const up = await startEcho('small')
  t.teardown(up.close)
  const { base } = await app(t, [proxiedMember('small', up.url, { bodyLimitBytes: 1024 })])
  const big = 'x'.repeat(4096)
  const withLength = await request(`${base}/cities/small/upload`, { method: 'POST', body: big, headers: { 'content-type': 'text/plain' } })
  t.equal(withLength.statusCode, 413)
  t.equal(((await withLength.body.json()) as { code: string }).code, 'DP_ERR_PROXY_BODY_LIMIT')
  t.equal(up.seen.length, 0, 'refused before the upstream')
  async function* chunks() {
    for (let i = 0; i < 8; i++) yield Buffer.from(big.slice(0, 512))
  }
  const chunked = await request(`${base}/cities/small/upload`, { method: 'POST', body: Readable.from(chunks()), headers: { 'content-type': 'text/plain' } })
  t.equal(chunked.statusCode, 413)
  await chunked.body.dump()
  const small = await request(`${base}/cities/small/upload`, { method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' } })
  t.equal(small.statusCode, 200)
  t.equal(((await small.body.json()) as { bodyLength: number }).bodyLength, 5)
})

t.test('reload swaps upstreams without dropping in-flight requests', async (t) => {
  // the slow answer waits for the test: no timer decides whether the request is in flight
  let arrived = () => {}
  const reached = new Promise<void>((resolve) => { arrived = resolve })
  let release = () => {}
  const released = new Promise<void>((resolve) => { release = resolve })
  const slow = await startEcho('old', (_req, res, seen) => {
    if (!seen.url.startsWith('/slow')) return false
    arrived()
    void released.then(() => res.end('old-slow'))
    return true
  })
  const next = await startEcho('new')
  t.teardown(slow.close)
  t.teardown(next.close)
  const { server, base } = await app(t, [proxiedMember('r', slow.url), proxiedMember('s', undefined)])
  const inflight = request(`${base}/cities/r/slow`)
  await reached // the old upstream holds the request: it is in flight on the old pool
  const result = server.reloadProxy([proxiedMember('r', next.url), proxiedMember('n', next.url)])
  t.same(result, { active: ['r'], needsRestart: ['n'] })
  const after = await request(`${base}/cities/r/x`)
  t.equal(((await after.body.json()) as { member: string }).member, 'new', 'new requests go to the new upstream')
  release()
  const old = await inflight
  t.equal(old.statusCode, 200)
  t.equal(await old.body.text(), 'old-slow', 'in-flight request finished on the old pool')
  t.throws(() => server.reloadProxy([{ ...proxiedMember('r', 'ftp://x'), allowPrivateNetwork: false }]), /https/)
  t.equal(((await (await request(`${base}/cities/r/x`)).body.json()) as { member: string }).member, 'new', 'bad config changed nothing')
  server.reloadProxy([proxiedMember('r', undefined)])
  const gone = await request(`${base}/cities/r/x`)
  t.equal(gone.statusCode, 404)
  await gone.body.dump()
})

t.test('options are validated up front', async (t) => {
  const bad = async (members: ProxyPluginOptions['members']) => {
    const s = Fastify()
    t.teardown(() => s.close())
    await s.register(proxyPlugin, { members, contactFor })
    await s.ready()
  }
  await t.rejects(bad([{ ...proxiedMember('p', 'http://127.0.0.1:1/'), allowPrivateNetwork: false }]), /https/)
  await t.rejects(bad([{ ...proxiedMember('p', 'https://10.0.0.1/'), allowPrivateNetwork: false }]), /private/)
  await t.rejects(bad([proxiedMember('p', 'http://user:pw@127.0.0.1:1/')]), /credentials/)
})
