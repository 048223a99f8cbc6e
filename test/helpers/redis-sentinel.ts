// A real Sentinel setup on loopback for one test: a redis-server master, one
// replica and three redis-sentinel processes watching them, with short
// failure-detection times so a failover takes seconds. Without redis-server
// or redis-sentinel the tests skip loudly, unless REQUIRE_REDIS=1 (CI).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import type { Test } from 'tap'
import { freePort, redisAvailable, requireTools, startRedis, waitForPong, type RedisServer } from './redis.js'

type Tap = Pick<Test, 'fail' | 'teardown' | 'comment'>

let available: boolean | undefined
export function sentinelAvailable(): boolean {
  available ??= redisAvailable() && spawnSync('redis-sentinel', ['--version'], { stdio: 'ignore' }).status === 0
  return available
}

/** Like requireRedis: false (and the test skipped, or failed under REQUIRE_REDIS=1) without the binaries. */
export function requireSentinel(t: Tap): boolean {
  return requireTools(t, sentinelAvailable(), {
    missing: 'redis-server or redis-sentinel', tests: 'Sentinel tests', install: 'apt-get install redis-server redis-sentinel',
  })
}

export interface SentinelOptions {
  /** master group name */
  name?: string
  /** how long a master may be silent before it is subjectively down */
  downAfterMs?: number
  failoverTimeoutMs?: number
}

export interface SentinelGroup {
  name: string
  master: RedisServer
  replica: RedisServer
  sentinelPorts: number[]
  /** what a gateway needs: REDIS_SENTINELS and REDIS_SENTINEL_NAME */
  env: { REDIS_SENTINELS: string; REDIS_SENTINEL_NAME: string }
  /** the master's port as the sentinels report it now */
  masterPort(): Promise<number>
}

export async function startSentinelGroup(t: Tap, options: SentinelOptions = {}): Promise<SentinelGroup> {
  const name = options.name ?? 'dpmain'
  const master = await startRedis(t)
  const replica = await startRedis(t, { args: ['--replicaof', '127.0.0.1', String(master.port)] })
  await until(async () => /master_link_status:up/.test(await info(replica.port, 'replication')), 'the replica to sync')

  const dir = await mkdtemp(join(tmpdir(), 'dp-sentinel-'))
  const children: ChildProcess[] = []
  t.teardown(async () => {
    await Promise.all(children.map((child) => stopChild(child)))
    await rm(dir, { recursive: true, force: true })
  })
  const sentinelPorts: number[] = []
  for (let i = 0; i < 3; i++) {
    const port = await freePort()
    const conf = join(dir, `sentinel-${i}.conf`)
    // sentinel rewrites its config file as it learns the topology
    await writeFile(conf, [
      `port ${port}`, 'bind 127.0.0.1', 'protected-mode no', `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${master.port} 2`,
      `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1000}`,
      `sentinel failover-timeout ${name} ${options.failoverTimeoutMs ?? 5000}`,
      `sentinel parallel-syncs ${name} 1`,
      '',
    ].join('\n'))
    const child = spawn('redis-sentinel', [conf], { stdio: ['ignore', 'ignore', 'inherit'] })
    children.push(child)
    await waitForPong(port, child)
    sentinelPorts.push(port)
  }
  // a failover needs the quorum: every sentinel must know the others and the replica
  for (const port of sentinelPorts) {
    await until(async () => {
      const state = await sentinelMaster(port, name)
      return Number(state['num-other-sentinels']) === 2 && Number(state['num-slaves']) === 1
    }, `sentinel ${port} to see the other sentinels and the replica`)
  }

  return {
    name,
    master,
    replica,
    sentinelPorts,
    env: { REDIS_SENTINELS: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(','), REDIS_SENTINEL_NAME: name },
    async masterPort() {
      const [, port] = (await command(sentinelPorts[0]!, ['SENTINEL', 'get-master-addr-by-name', name])) as [string, string]
      return Number(port)
    },
  }
}

/** one command on a fresh connection (the helper holds no clients open) */
export async function command(port: number, args: string[]): Promise<unknown> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  try {
    await client.connect()
    return await client.call(args[0]!, ...args.slice(1))
  } finally {
    client.disconnect()
  }
}

async function info(port: number, section: string): Promise<string> {
  return String(await command(port, ['INFO', section]))
}

async function sentinelMaster(port: number, name: string): Promise<Record<string, string>> {
  const flat = (await command(port, ['SENTINEL', 'MASTER', name])) as string[]
  const state: Record<string, string> = {}
  for (let i = 0; i + 1 < flat.length; i += 2) state[flat[i]!] = flat[i + 1]!
  return state
}

export async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}
