// Starts a real redis-server on a free loopback port for one test. Without
// redis-server on PATH the Redis tests skip loudly, unless REQUIRE_REDIS=1
// (set by .ci/run): then they fail, so CI can never silently skip them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'

type Tap = Pick<Test, 'fail' | 'teardown' | 'comment'>

export interface RedisServerOptions {
  /** AOF with fsync on every write: proves durability across a hard kill */
  aof?: boolean
  /** more redis-server arguments, e.g. ['--replicaof', '127.0.0.1', '6379'] or cluster mode */
  args?: string[]
}

export interface RedisServer {
  port: number
  url: string
  dir: string
  /** stop the server (SIGKILL = crash, SIGTERM = clean shutdown) */
  stop(signal?: NodeJS.Signals): Promise<void>
  /** start it again on the same port and directory (extra redis-server arguments for this run only) */
  start(extraArgs?: string[]): Promise<void>
}

let available: boolean | undefined
export function redisAvailable(): boolean {
  available ??= spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
  return available
}

/**
 * Call at the top of a Redis test: false (and the test skipped or failed) when
 * redis-server is missing.
 */
export function requireRedis(t: Tap): boolean {
  return requireTools(t, redisAvailable(), { missing: 'redis-server', tests: 'Redis tests', install: 'apt-get install redis-server' })
}

/** The one skip-loudly rule for every Redis setup (single node, Sentinel, Cluster). */
export function requireTools(t: Tap, available: boolean, what: { missing: string; tests: string; install: string }): boolean {
  if (available) return true
  const message = `${what.missing} not found on PATH: ${what.tests} NOT RUN`
  if (process.env.REQUIRE_REDIS === '1') {
    t.fail(`${message} (REQUIRE_REDIS=1)`)
  } else {
    process.stderr.write(`\n!!!!! ${message} — ${what.install}, or set REQUIRE_REDIS=1 to fail !!!!!\n\n`)
    t.comment(`SKIPPED: ${message}`)
  }
  return false
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export async function startRedis(t: Tap, options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'dp-redis-'))
  const port = await freePort()
  let child: ChildProcess | undefined
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--protected-mode', 'no']
  args.push(...(options.aof ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']))
  args.push(...(options.args ?? []))

  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    async start(extraArgs = []) {
      child = spawn('redis-server', [...args, ...extraArgs], { stdio: ['ignore', 'ignore', 'inherit'] })
      await waitForPong(port, child)
    },
    async stop(signal = 'SIGTERM') {
      const running = child
      child = undefined
      if (!running || running.exitCode !== null || running.signalCode !== null) return
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve())
        running.kill(signal)
      })
    },
  }
  t.teardown(async () => {
    await server.stop('SIGKILL')
    await rm(dir, { recursive: true, force: true })
  })
  await server.start()
  return server
}

export async function waitForPong(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis process exited with ${child.exitCode}`)
    if (await ping(port)) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`redis process on port ${port} did not answer PING`)
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' })
    let data = ''
    socket.setTimeout(500)
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      data += chunk.toString()
      if (data.includes('\r\n')) {
        socket.destroy()
        resolve(data.startsWith('+PONG'))
      }
    })
    socket.on('error', () => resolve(false))
    socket.on('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
}
