// Remote manifest refresh across real processes: one fetch for many
// instances, and a dead leader is replaced once its lock expires.
import t, * as Tap from 'tap'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { redisAvailable, requireRedis, startRedis } from '../helpers/redis.js'
import { gatewayBuilt, MAIN, startGateway, writeRegion, type GatewayProcess } from '../helpers/gateway-process.js'

type Test = Tap.Test

async function manifestServer(t: Test, body: string) {
  const state = { hits: 0, hang: 0 }
  const pending: ServerResponse[] = []
  const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    state.hits++
    if (state.hang > 0) {
      state.hang--
      pending.push(res) // the leader's request: never answered
      return
    }
    res.writeHead(200, { 'content-type': 'application/json', etag: '"1"' }).end(body)
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  t.teardown(() => new Promise<void>((done) => {
    server.closeAllConnections()
    server.close(() => done())
  }))
  return { state, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/marl.json` }
}

async function marlStatus(gateway: GatewayProcess): Promise<string | undefined> {
  const res = await fetch(`${gateway.url}/api/v1/members/marl`).catch(() => undefined)
  if (!res || res.status !== 200) return undefined
  return ((await res.json()) as { status: string }).status
}

const LOCK = 'dachportal:lock:refresh:marl'

/** dachportal_refresh_total for marl and one outcome, from /metrics */
async function refreshCount(gateway: GatewayProcess, outcome: string): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith('dachportal_refresh_total{') && l.includes('member="marl"') && l.includes(`outcome="${outcome}"`))
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0
}

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((done) => setTimeout(done, 25))
  }
}

async function setup(t: Test) {
  const redis = await startRedis(t)
  const upstream = await manifestServer(t, await readFile(new URL('../../members/marl.json', import.meta.url), 'utf8'))
  const edited = await writeRegion(t, (members) => {
    const marl = members.find((m) => m.id === 'marl')!
    marl.manifest = upstream.url
    marl.allowPrivateNetwork = true
    marl.refreshIntervalSeconds = 3600
  })
  const env = { REDIS_URL: redis.url, REGION_CONFIG: edited.regionPath, DATA_DIR: join(edited.dir, 'data'), REFRESH_LOCK_TTL_MS: '4000' }
  return { upstream, env, redisUrl: redis.url }
}

if (!redisAvailable()) {
  t.test('refresh leader', async (t) => void requireRedis(t))
} else if (!gatewayBuilt()) {
  t.test('refresh leader', async (t) => void t.fail(`${MAIN} missing: run npx tsc -p tsconfig.build.json first`))
} else {
  t.test('two instances racing a refresh: exactly one fetches', async (t) => {
    const { upstream, env } = await setup(t)
    const [a, b] = await Promise.all([startGateway(t, env), startGateway(t, env)])
    await until('marl loaded on both', async () => (await marlStatus(a!)) === 'ok' && (await marlStatus(b!)) === 'ok')
    await new Promise((done) => setTimeout(done, 500))
    t.equal(upstream.state.hits, 1, 'one upstream request for two instances')
  })

  t.test('the leader dies mid-refresh: another instance takes over after the lock expires', async (t) => {
    const { upstream, env, redisUrl } = await setup(t)
    upstream.state.hang = 1
    const leader = await startGateway(t, env)
    await until('leader fetching', async () => upstream.state.hits === 1)
    await leader.stop('SIGKILL') // dies holding the lock, before recording anything
    const raw = new Redis(redisUrl)
    t.teardown(() => raw.quit())
    // The dead leader's lock would expire on its own; holding it here (as a
    // lock nobody will release) keeps the test independent of how fast the
    // follower starts.
    await raw.set(LOCK, 'dead-leader', 'PX', 600_000)
    const follower = await startGateway(t, env)
    await until('follower found the lock busy', async () => (await refreshCount(follower, 'busy')) >= 1)
    t.equal(await marlStatus(follower), 'failed', 'nothing loaded while the dead leader holds the lock')
    t.equal(upstream.state.hits, 1, 'the follower waits for the lock')
    await raw.pexpire(LOCK, 1) // the lock expires
    await until('follower took over', async () => (await marlStatus(follower)) === 'ok')
    t.equal(upstream.state.hits, 2, 'the hung request and the follower’s')
  })
}
