// Graceful shutdown with a real process (node dist/main.js; `npm test` builds
// first) and a real slow in-flight request: a PUT whose body arrives in two
// parts, the second only after SIGTERM and after the listener has closed.
import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePort } from '../helpers/redis.js'
import { TEST_GATEWAY_ENV, writeRegion } from '../helpers/gateway-process.js'

const ROOT = resolve(import.meta.dirname, '../..')
const MAIN = join(ROOT, 'dist/main.js')

interface Gateway {
  child: ChildProcess
  port: number
  /** resolves with the first stdout log line that matches */
  waitForLog(match: (entry: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>
  exited: Promise<number | null>
}

async function start(t: Tap.Test, env: Record<string, string>): Promise<Gateway> {
  const port = await freePort()
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-shutdown-'))
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info', ...TEST_GATEWAY_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
    await rm(dataDir, { recursive: true, force: true })
  })
  const entries: Record<string, unknown>[] = []
  const waiters: { match: (e: Record<string, unknown>) => boolean; done: (e: Record<string, unknown>) => void }[] = []
  let buffer = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    let nl: number
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const entry = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>
      buffer = buffer.slice(nl + 1)
      entries.push(entry)
      for (const w of waiters.filter((w) => w.match(entry))) w.done(entry)
    }
  })
  const waitForLog = (match: (e: Record<string, unknown>) => boolean) => new Promise<Record<string, unknown>>((done, fail) => {
    const seen = entries.find(match)
    if (seen) return done(seen)
    waiters.push({ match, done })
    void exited.then((code) => fail(new Error(`gateway exited (${code}) before the expected log line`)))
  })
  await waitForLog((e) => e.msg === 'dachportal ready')
  return { child, port, waitForLog, exited }
}

function openSlowPut(port: number, requestId: string, token?: string): { socket: Socket; response: Promise<string> } {
  const socket = connect(port, '127.0.0.1')
  const body = JSON.stringify({ schemaVersion: 1, member: 'gladbeck' })
  socket.write(
    `PUT /api/v1/admin/members/gladbeck/manifest HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: ${requestId}\r\n` +
    (token ? `Authorization: Bearer ${token}\r\n` : '') +
    `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
  )
  const response = new Promise<string>((done) => {
    let data = ''
    socket.on('data', (chunk) => (data += chunk.toString()))
    socket.on('close', () => done(data))
    socket.on('error', () => done(data))
  })
  ;(socket as Socket & { rest: string }).rest = body.slice(10)
  return { socket, response }
}

async function refused(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = connect(port, '127.0.0.1')
    s.once('connect', () => {
      s.destroy()
      done(false)
    })
    s.once('error', () => done(true))
  })
}

import type * as Tap from 'tap'

t.test('SIGTERM: unready first, listener closes, in-flight request finishes, exit 0', { skip: !existsSync(MAIN) && 'dist/main.js missing: run npx tsc -p tsconfig.build.json' }, async (t) => {
  // an authorised upload, so the handler really waits for the body (a 401 would answer early)
  const region = await writeRegion(t)
  const gw = await start(t, { SHUTDOWN_DRAIN_MS: '300', SHUTDOWN_TIMEOUT_MS: '30000', REGION_CONFIG: region.regionPath })
  const before = await fetch(`http://127.0.0.1:${gw.port}/ready`)
  t.equal(before.status, 200)

  const slow = openSlowPut(gw.port, 'slow-upload-1', region.tokens.gladbeck)
  await gw.waitForLog((e) => e.reqId === 'slow-upload-1' && e.msg === 'incoming request')

  gw.child.kill('SIGTERM')
  await gw.waitForLog((e) => e.msg === 'shutting down: draining')
  const draining = await fetch(`http://127.0.0.1:${gw.port}/ready`)
  t.equal(draining.status, 503, '/ready turns unready before the listener closes')
  t.match(await draining.json(), { status: 'unready', reasons: ['shutting down'] })

  await gw.waitForLog((e) => e.msg === 'closing listener; waiting for in-flight requests')
  while (!(await refused(gw.port))) await new Promise((done) => setTimeout(done, 10))
  t.pass('new connections are refused')
  t.equal(gw.child.exitCode, null, 'still running while the upload is in flight')

  slow.socket.write((slow.socket as Socket & { rest: string }).rest)
  const response = await slow.response
  t.match(response, /^HTTP\/1\.1 422 /, 'the in-flight upload was handled after its body arrived (an incomplete manifest: 422)')
  t.match(response, /application\/problem\+json/)
  t.match(response, /\r\nconnection: close\r\n/i, 'answers while draining close their connection')
  t.equal(await gw.exited, 0, 'exit code 0')
  await gw.waitForLog((e) => e.msg === 'shut down cleanly').catch(() => undefined)
})

t.test('SHUTDOWN_TIMEOUT_MS bounds a request that never finishes: exit 1', { skip: !existsSync(MAIN) && 'dist/main.js missing' }, async (t) => {
  const gw = await start(t, { SHUTDOWN_DRAIN_MS: '0', SHUTDOWN_TIMEOUT_MS: '300' })
  const slow = openSlowPut(gw.port, 'stuck-upload-1')
  t.teardown(() => slow.socket.destroy())
  await gw.waitForLog((e) => e.reqId === 'stuck-upload-1' && e.msg === 'incoming request')
  gw.child.kill('SIGTERM')
  t.equal(await gw.exited, 1)
})
