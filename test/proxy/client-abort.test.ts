// Issue 12 finding 2: clients must not be able to open a member's circuit
// breaker. A real gateway (buildApp, listening on 127.0.0.1) in front of a
// real loopback upstream; the attack is sent with raw sockets exactly as it
// was found: `Content-Length: 1000`, 5 bytes, then close (or stall).
import t, { type Test } from 'tap'
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { writeRegion } from '../helpers/gateway-process.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'

const MEMBER = 'gladbeck'

type UpstreamMode = 'ok' | 'broken' | 'impatient'

interface TestUpstream {
  url: string
  /** resolves when the next request's head reached the upstream */
  nextRequest(): Promise<void>
  /**
   * ok: read the whole body, answer 200; broken: reset once the request is
   * read; impatient: reset a request whose body stops arriving (as a server's
   * client-body timeout does)
   */
  mode: UpstreamMode
  close(): Promise<void>
}

async function startUpstream(): Promise<TestUpstream> {
  const waiting: Array<() => void> = []
  const state = { mode: 'ok' as UpstreamMode }
  const sockets = new Set<net.Socket>()
  const server = http.createServer((req, res) => {
    waiting.shift()?.()
    req.on('error', () => res.destroy())
    if (state.mode === 'impatient') {
      const timer = setTimeout(() => res.socket?.resetAndDestroy(), 200)
      req.on('end', () => clearTimeout(timer))
    }
    req.resume()
    req.on('end', () => {
      if (state.mode === 'broken') res.socket?.resetAndDestroy()
      else res.end('ok')
    })
  })
  server.on('connection', (s: net.Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    nextRequest: () => new Promise<void>((resolve) => waiting.push(resolve)),
    get mode() { return state.mode },
    set mode(value: UpstreamMode) { state.mode = value },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    }),
  }
}

async function gateway(t: Test, upstream: string): Promise<{ app: FastifyInstance; port: number }> {
  const region = await writeRegion(t, (members) => {
    const m = members.find((x) => x.id === MEMBER)!
    m.upstream = upstream
    m.allowPrivateNetwork = true
    // the path form proxies only members that share the portal's origin
    m.sameOriginTrusted = true
    // the breaker keeps its defaults: 5 failures in a row open it
  })
  const app = await buildApp({
    settings: {
      regionConfig: region.regionPath, dataDir: join(region.dir, 'data'),
      // load shedding off: on a busy test machine it would answer 503 instead of the breaker's state
      pressure: NO_LOAD_SHEDDING,
    },
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return { app, port: (app.server.address() as AddressInfo).port }
}

const POST_HEAD = `POST /cities/${MEMBER}/antrag HTTP/1.1\r\nHost: gateway.test\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nhello`

/** The attack: 5 of 1000 announced bytes, then the client closes once the upstream is busy with it. */
async function abortedUpload(port: number, up: TestUpstream): Promise<void> {
  const reached = up.nextRequest()
  const socket = net.connect(port, '127.0.0.1')
  socket.on('error', () => undefined)
  // an answer before the upstream saw anything means the gateway refused it (an open breaker)
  const answered = new Promise<void>((resolve) => socket.once('data', () => resolve()))
  socket.write(POST_HEAD)
  await Promise.race([reached, answered])
  await new Promise<void>((resolve) => {
    socket.on('close', () => resolve())
    socket.destroy()
  })
}

/** 5 of 1000 bytes, then silence until the gateway answers (the upstream gave up waiting). Returns the status. */
async function stalledUpload(port: number): Promise<number> {
  const socket = net.connect(port, '127.0.0.1')
  socket.on('error', () => undefined)
  socket.write(POST_HEAD)
  const head = await new Promise<string>((resolve) => {
    let text = ''
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1')
      if (text.includes('\r\n\r\n')) resolve(text)
    })
    socket.on('close', () => resolve(text))
  })
  socket.destroy()
  return Number(head.split(' ')[1])
}

async function breakerState(app: FastifyInstance): Promise<string | undefined> {
  const res = await app.inject(`/api/v1/members/${MEMBER}`)
  return (res.json() as { proxy?: { state: string } }).proxy?.state
}

async function metricsText(app: FastifyInstance): Promise<string> {
  return (await app.inject('/metrics')).body
}

t.test('aborted uploads do not open the breaker, and are not logged or counted as upstream failures', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const { app, port } = await gateway(t, up.url)
  for (let i = 0; i < 8; i++) await abortedUpload(port, up)

  t.equal(await breakerState(app), 'closed', '/api/v1/members shows the breaker closed')
  t.equal(app.proxyHealth.get(MEMBER)?.lastError, undefined, 'no upstream error recorded for the member')
  const res = await fetch(`http://127.0.0.1:${port}/cities/${MEMBER}/antrag`)
  t.equal(res.status, 200, 'residents are still served')
  t.equal(await res.text(), 'ok')
  const metrics = await metricsText(app)
  t.notMatch(metrics, new RegExp(`dachportal_upstream_errors_total\\{member="${MEMBER}"`), 'no upstream error counted')
  t.match(metrics, new RegExp(`dachportal_proxy_client_failures_total\\{member="${MEMBER}",side="client-abort"\\} 8`))
})

t.test('stalled uploads that make the upstream give up do not open the breaker', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const { app, port } = await gateway(t, up.url)
  up.mode = 'impatient'
  const statuses = await Promise.all(Array.from({ length: 6 }, () => stalledUpload(port)))
  t.same(statuses, [502, 502, 502, 502, 502, 502], 'each stalled client learns the upstream gave up')
  t.equal(await breakerState(app), 'closed')
  up.mode = 'ok'
  t.equal((await fetch(`http://127.0.0.1:${port}/cities/${MEMBER}/antrag`)).status, 200)
  t.match(await metricsText(app), new RegExp(`dachportal_proxy_client_failures_total\\{member="${MEMBER}",side="client-incomplete"\\} 6`))
})

t.test('a real upstream failure still opens the breaker, also for complete uploads', async (t) => {
  const up = await startUpstream()
  t.teardown(up.close)
  const { app, port } = await gateway(t, up.url)
  up.mode = 'broken'
  const base = `http://127.0.0.1:${port}/cities/${MEMBER}/antrag`
  for (let i = 0; i < 3; i++) t.equal((await fetch(base)).status, 502, 'GET: upstream reset')
  for (let i = 0; i < 2; i++) {
    t.equal((await fetch(base, { method: 'POST', body: 'x'.repeat(1000) })).status, 502, 'complete POST: upstream reset')
  }
  t.equal(await breakerState(app), 'open', 'five upstream resets in a row open it')
  t.equal((await fetch(base)).status, 503)
  t.match(await metricsText(app), new RegExp(`dachportal_upstream_errors_total\\{member="${MEMBER}",kind="reset"\\} 5`))
})
