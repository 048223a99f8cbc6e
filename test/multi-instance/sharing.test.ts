// Two-sided sharing across real gateway processes on one real redis-server:
// the provider withdrawing a member from `serves` (one registration on one
// instance) removes the link from that member's offering on every instance.
import t, * as Tap from 'tap'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { redisAvailable, requireRedis, startRedis } from '../helpers/redis.js'
import { gatewayBuilt, MAIN, startGateway, type GatewayProcess } from '../helpers/gateway-process.js'
import { makeRegion } from '../helpers/region.js'
import { PROVIDER_URL, USERS, providerManifest, sharingMembers, userManifest } from '../helpers/shared-service.js'

type Test = Tap.Test

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((done) => setTimeout(done, 50))
  }
}

async function gammaLink(gateway: GatewayProcess): Promise<string | undefined> {
  const res = await fetch(`${gateway.url}/api/v1/services/gewerbe-anmelden`)
  if (res.status !== 200) return undefined
  const body = (await res.json()) as { offerings: { member: string; onlineService?: { id: string } }[] }
  const gamma = body.offerings.find((o) => o.member === 'gamma')
  return gamma === undefined ? undefined : gamma.onlineService?.id ?? 'none'
}

if (!redisAvailable()) {
  t.test('multi-instance sharing', async (t) => void requireRedis(t))
} else if (!gatewayBuilt()) {
  t.test('multi-instance sharing', async (t) => void t.fail(`${MAIN} missing: run npx tsc -p tsconfig.build.json first`))
} else {
  t.test('withdrawing a member from serves drops its link on every instance after one registration', async (t: Test) => {
    const redis = await startRedis(t, { aof: true })
    const region = await makeRegion(sharingMembers(), {
      kreis: providerManifest() as never,
      ...Object.fromEntries(USERS.map((id) => [id, userManifest(id) as never])),
      delta: null,
    })
    t.teardown(region.cleanup)
    await mkdir(join(region.dir, 'data'), { recursive: true })
    const env = { REDIS_URL: redis.url, REGION_CONFIG: region.regionPath, DATA_DIR: join(region.dir, 'data') }
    // one after the other: each gets its own start-up deadline on a busy machine
    const gateways: GatewayProcess[] = []
    for (let i = 0; i < 3; i++) gateways.push(await startGateway(t, env))
    for (const gateway of gateways) {
      t.equal(await until('shared link everywhere', async () => ((await gammaLink(gateway)) === 'kreis:gewerbe' ? 'kreis:gewerbe' : undefined)), 'kreis:gewerbe')
      const go = await fetch(`${gateway.url}/go/gamma/gewerbe-anmelden`, { redirect: 'manual' })
      t.equal(go.headers.get('location'), PROVIDER_URL)
    }

    const res = await fetch(`${gateways[0]!.url}/api/v1/admin/members/kreis/manifest`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: 'Bearer tok-kreis' },
      body: JSON.stringify(providerManifest(['alpha', 'beta'])),
    })
    t.equal(res.status, 200)
    for (const gateway of gateways) {
      t.equal(await until('link dropped', async () => ((await gammaLink(gateway)) === 'none' ? 'none' : undefined)), 'none', 'gamma keeps its offering without the link')
      t.equal((await fetch(`${gateway.url}/go/gamma/gewerbe-anmelden`, { redirect: 'manual' })).status, 404)
      const alpha = await fetch(`${gateway.url}/go/alpha/gewerbe-anmelden`, { redirect: 'manual' })
      t.equal(alpha.headers.get('location'), PROVIDER_URL, 'alpha still served')
      const list = (await (await fetch(`${gateway.url}/api/v1/online-services`)).json()) as { items: { users: { member: string }[] }[] }
      t.same(list.items[0]!.users.map((u) => u.member), ['alpha', 'beta'])
    }
  })
}
