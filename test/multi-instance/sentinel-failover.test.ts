// Redis Sentinel for real: a master, a replica, three redis-sentinel
// processes and two gateway processes configured with REDIS_SENTINELS. The
// master is killed under read and write load; the sentinels promote the
// replica. Reads never fail (they are served from memory), every write
// answers 200 or 503, no 200'd write is lost, and both gateways serve what was
// registered before and after. The rate limiter's counters live in the same
// Sentinel-managed Redis (one connection factory), so budgets are shared.
import t, * as Tap from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { requireSentinel, sentinelAvailable, startSentinelGroup, command, until } from '../helpers/redis-sentinel.js'
import { gatewayBuilt, MAIN, startGateway, writeRegion, type GatewayProcess, type TestRegion } from '../helpers/gateway-process.js'

type Test = Tap.Test
// real processes and a real failover: slow on a loaded machine, never hung
t.setTimeout(300_000)
// members the write load rotates over (each write carries its sequence
// number); gladbeck keeps the manifest registered before the failover
const MEMBERS = ['dorsten', 'marl', 'herten', 'datteln', 'waltrop']
const PROBE = 'failover-probe'

async function manifestWithProbe(region: TestRegion, member: string, name: string): Promise<unknown> {
  const doc = JSON.parse(await readFile(join(region.dir, `members/${member}.json`), 'utf8'))
  doc.updatedAt = new Date().toISOString()
  doc.services.push({
    id: PROBE, name, summary: 'Testleistung für den Sentinel-Failover.',
    audiences: ['residents'], lifeSituations: [doc.services[0].lifeSituations[0]],
  })
  return doc
}

function put(gateway: GatewayProcess, region: TestRegion, member: string, body: unknown): Promise<Response> {
  return fetch(`${gateway.url}/api/v1/admin/members/${member}/manifest`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${region.tokens[member]}` },
    body: JSON.stringify(body),
  })
}

async function probeName(gateway: GatewayProcess, member: string): Promise<string | undefined> {
  const res = await fetch(`${gateway.url}/api/v1/services/${encodeURIComponent(`${member}:${PROBE}`)}`)
  if (res.status !== 200) return undefined
  return ((await res.json()) as { offerings: { name: string }[] }).offerings[0]?.name
}

if (!sentinelAvailable()) {
  t.test('Sentinel failover', async (t) => void requireSentinel(t))
} else if (!gatewayBuilt()) {
  t.test('Sentinel failover', async (t) => void t.fail(`${MAIN} missing: run npx tsc -p tsconfig.build.json first`))
} else {
  t.test('two gateways through a Sentinel failover: reads never fail, writes 200 or 503, nothing acknowledged lost', async (t: Test) => {
    const group = await startSentinelGroup(t, { downAfterMs: 1000, failoverTimeoutMs: 5000 })
    const region = await writeRegion(t)
    const env = {
      ...group.env, REGION_CONFIG: region.regionPath, DATA_DIR: join(region.dir, 'data'),
      // rate limits on: the proxy budget is small so sharing shows; the others out of the way
      RATE_LIMIT: 'on', RATE_LIMIT_PROXY: '3', RATE_LIMIT_API: '1000000', RATE_LIMIT_ADMIN: '1000000', RATE_LIMIT_SUGGEST: '1000000',
      // no load shedding: on a busy CI machine an event-loop 503 would hide what the failover does
      PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
    }
    const [a, b] = await Promise.all([startGateway(t, env), startGateway(t, env)])
    const gateways = [a!, b!]

    // registered before the failover, served by both
    t.equal((await put(a!, region, 'gladbeck', await manifestWithProbe(region, 'gladbeck', 'Vorher'))).status, 200)
    for (const gateway of gateways) await until(async () => (await probeName(gateway, 'gladbeck')) === 'Vorher', 'propagation before the failover')

    // rate-limit counters go to the Sentinel master too: 3 proxy requests per
    // client in all, so 3 + 3 alternating requests meet at least one 429
    // (counted per instance, each would allow its 3)
    const proxyStatuses: number[] = []
    for (let i = 0; i < 6; i++) proxyStatuses.push((await fetch(`${gateways[i % 2]!.url}/cities/nope/x`)).status)
    t.ok(proxyStatuses.includes(429), `the proxy budget is shared across instances (${proxyStatuses.join(' ')})`)
    const master = await group.masterPort()
    const [key] = (await command(master, ['KEYS', 'dachportal:ratelimit:*proxy:127.0.0.1'])) as string[]
    const counter = key ? await command(master, ['GET', key]) : null
    t.ok(Number(counter) >= 4, `the counter lives on the Sentinel master (${key}: ${String(counter)})`)

    // load: readers on both gateways, one writer rotating over members and gateways
    let running = true
    let killedAt = Infinity
    let reads = 0
    const readFailures: string[] = []
    const readers = gateways.map(async (gateway) => {
      while (running) {
        const res = await fetch(`${gateway.url}/api/v1/services/${encodeURIComponent(`gladbeck:${PROBE}`)}`).catch((e: Error) => e)
        reads++
        if (res instanceof Error) readFailures.push(res.message)
        else if (res.status !== 200) readFailures.push(`${res.status} ${(await res.text()).slice(0, 300)} at ${Math.round(performance.now() - killedAt)} ms`)
        else await res.arrayBuffer()
      }
    })
    interface Write { seq: number; member: string; status: number | string; at: number }
    const writes: Write[] = []
    let okAfterKill = 0
    const writer = (async () => {
      for (let seq = 1; running; seq++) {
        const member = MEMBERS[seq % MEMBERS.length]!
        const res = await put(gateways[seq % 2]!, region, member, await manifestWithProbe(region, member, `Probe ${seq}`)).catch((e: Error) => e)
        const status = res instanceof Error ? res.message : res.status
        if (!(res instanceof Error)) await res.arrayBuffer()
        writes.push({ seq, member, status, at: performance.now() })
        if (status === 200 && performance.now() > killedAt) okAfterKill++
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    })()

    await until(async () => writes.filter((w) => w.status === 200).length >= 10, 'writes before the failover')
    const oldMaster = group.master.port
    killedAt = performance.now()
    await group.master.stop('SIGKILL')
    await until(async () => (await group.masterPort()) === group.replica.port, 'the sentinels to promote the replica')
    const promotedMs = performance.now() - killedAt
    // writes go through again on both gateways
    await until(async () => okAfterKill >= 2 * MEMBERS.length, 'writes after the failover', 60_000)
    running = false
    await Promise.all([...readers, writer])

    const afterKill = writes.filter((w) => w.at > killedAt)
    const firstOk = afterKill.find((w) => w.status === 200)
    const answered503 = afterKill.filter((w) => w.status === 503).length
    const other = writes.filter((w) => w.status !== 200 && w.status !== 503)
    t.not(oldMaster, group.replica.port)
    t.same(readFailures, [], `no read failed (${reads} reads)`)
    t.same(other, [], 'every write answered 200 or 503')
    t.ok(answered503 > 0, 'writes during the failover answered 503')
    t.comment(`failover figures: replica promoted ${Math.round(promotedMs)} ms after the kill; first write accepted again ${Math.round((firstOk?.at ?? NaN) - killedAt)} ms after the kill; ` +
      `writes during the failover: ${answered503} answered 503, ${other.length} failed otherwise; ${writes.length} writes, ${reads} reads, ${readFailures.length} reads failed`)

    // nothing acknowledged is lost: per member, both gateways serve the last
    // 200'd write, or a later one that answered 503 but had reached Redis
    for (const member of MEMBERS) {
      const mine = writes.filter((w) => w.member === member)
      const lastOk = mine.filter((w) => w.status === 200).at(-1)!
      const allowed = new Set(mine.filter((w) => w.seq >= lastOk.seq).map((w) => `Probe ${w.seq}`))
      for (const gateway of gateways) {
        let served: string | undefined
        await until(async () => allowed.has((served = await probeName(gateway, member)) ?? ''), `${member} on ${gateway.url}`)
          .catch(() => undefined)
        t.ok(allowed.has(served ?? ''), `${member}: ${gateway.url} serves ${served}, the last acknowledged write is Probe ${lastOk.seq}`)
      }
    }

    // the manifest registered before is still there; a later registration reaches both
    for (const gateway of gateways) t.equal(await probeName(gateway, 'gladbeck'), 'Vorher', `${gateway.url} still serves the registration from before`)
    t.equal((await put(b!, region, 'gladbeck', await manifestWithProbe(region, 'gladbeck', 'Nachher'))).status, 200)
    for (const gateway of gateways) {
      await until(async () => (await probeName(gateway, 'gladbeck')) === 'Nachher', 'propagation after the failover')
      t.pass(`${gateway.url} serves the registration made after the failover`)
    }
  })
}
