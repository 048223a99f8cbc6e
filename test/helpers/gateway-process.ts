// Real gateway processes (node dist/main.js) for multi-instance tests, and a
// temporary region (config + member manifests copied from the repo, with
// test tokens). Build first: npx tsc -p tsconfig.build.json.
import { spawn, type ChildProcess } from 'node:child_process'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Test } from 'tap'
import type { MemberConfig, RegionConfig } from '../../src/config/region-schema.js'
import { sha256Hex } from '../../src/auth/token.js'
import { freePort } from './redis.js'

const ROOT = resolve(import.meta.dirname, '../..')
export const MAIN = process.env.DP_MAIN ?? join(ROOT, 'dist/main.js')

export function gatewayBuilt(): boolean {
  return existsSync(MAIN)
}

export interface TestRegion {
  dir: string
  regionPath: string
  /** member id -> bearer token */
  tokens: Record<string, string>
}

/** Copies config/ and members/ into a temp dir; `edit` may change member entries. */
export async function writeRegion(t: Test, edit: (members: MemberConfig[]) => void = () => {}): Promise<TestRegion> {
  const dir = await mkdtemp(join(tmpdir(), 'dp-region-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await cp(join(ROOT, 'config'), join(dir, 'config'), { recursive: true })
  await cp(join(ROOT, 'members'), join(dir, 'members'), { recursive: true })
  const regionPath = join(dir, 'config/region.json')
  const region = JSON.parse(await readFile(regionPath, 'utf8')) as RegionConfig
  const tokens: Record<string, string> = {}
  for (const member of region.members) {
    tokens[member.id] = `test-token-${member.id}`
    member.tokenSha256 = sha256Hex(tokens[member.id]!)
  }
  edit(region.members)
  await writeFile(regionPath, JSON.stringify(region, null, 2))
  return { dir, regionPath, tokens }
}

/**
 * Every spawned test gateway: no rate limits, and no load shedding, since on a
 * loaded CI machine the start-up work alone can exceed the event-loop limit and
 * the first requests would be shed (ops/ops.test.ts tests shedding itself).
 * No shutdown drain either: the default 5 s wait for a load balancer made
 * every SIGTERM stop cost 5 s (ops/shutdown.test.ts sets its own drain).
 */
export const TEST_GATEWAY_ENV = { RATE_LIMIT: 'off', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', SHUTDOWN_DRAIN_MS: '0' } as const

export interface GatewayProcess {
  url: string
  child: ChildProcess
  /** ms from spawn to the first 200 on /ready */
  startMs: number
  stop(signal?: NodeJS.Signals): Promise<void>
}

export async function startGateway(t: Pick<Test, 'teardown'>, env: Record<string, string>): Promise<GatewayProcess> {
  const port = await freePort()
  const started = performance.now()
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...TEST_GATEWAY_ENV, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  const gateway: GatewayProcess = {
    url: `http://127.0.0.1:${port}`,
    child,
    startMs: 0,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return
      await new Promise<void>((done) => {
        child.once('exit', () => done())
        child.kill(signal)
      })
    },
  }
  t.teardown(() => gateway.stop('SIGKILL'))
  // generous: on a loaded CI machine a start can take tens of seconds
  const deadline = Date.now() + 90_000
  let last = 'no answer'
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}: ${stderr}`)
    if (Date.now() > deadline) throw new Error(`gateway did not become ready (/ready: ${last}): ${stderr}`)
    const ready = await fetch(`${gateway.url}/ready`).then(async (r) => {
      last = `${r.status} ${await r.text()}`
      return r.status === 200
    }, () => false)
    if (ready) break
    await new Promise((done) => setTimeout(done, 20))
  }
  gateway.startMs = performance.now() - started
  return gateway
}
