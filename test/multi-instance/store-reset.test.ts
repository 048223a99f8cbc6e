// A Redis without persistence restarted empty under two running gateway
// processes (issue 12, finding 4): the instances notice the reset, report
// degraded while they have not put back what the store lost, re-seed it, and
// then serve a PUT made after the restart — as does a newly started instance.
import t from 'tap'
import { Redis } from 'ioredis'
import { join } from 'node:path'
import { redisAvailable, requireRedis, startRedis } from '../helpers/redis.js'
import { gatewayBuilt, MAIN, startGateway, writeRegion } from '../helpers/gateway-process.js'
import { manifestWithService, putManifest, readiness, servedName, until } from '../helpers/member-api.js'

// three gateway starts and a Redis restart: more than the default file timeout on a loaded machine
t.setTimeout(300_000)

if (!redisAvailable()) {
  t.test('store reset', async (t) => void requireRedis(t))
} else if (!gatewayBuilt()) {
  t.test('store reset', async (t) => void t.fail(`${MAIN} missing: run npx tsc -p tsconfig.build.json first`))
} else {
  t.test('Redis restarted empty: degraded until recovered, then a new PUT is served everywhere and no registration is lost', async (t) => {
    const redis = await startRedis(t) // no AOF, no RDB: a restart loses everything
    const region = await writeRegion(t)
    const env = { REDIS_URL: redis.url, REGION_CONFIG: region.regionPath, DATA_DIR: join(region.dir, 'data') }
    const one = await startGateway(t, env)
    const two = await startGateway(t, env)

    // a confirmed registration of another member, and enough writes that the version is well ahead
    t.equal((await putManifest(one.url, region, 'dorsten', await manifestWithService(region, 'dorsten', 'Registriert'))).status, 200)
    for (let i = 0; i < 5; i++) {
      t.equal((await putManifest(two.url, region, 'gladbeck', await manifestWithService(region, 'gladbeck', `Vorher ${i}`))).status, 200)
    }
    for (const gateway of [one, two]) await until('propagation', async () => ((await servedName(gateway.url, 'gladbeck')) === 'Vorher 4' ? true : undefined))
    // the version both instances serve once nothing moves any more (a late write, e.g. a seed, lands before the kill)
    const before = await until('both instances on one settled version', async () => {
      const [a, b] = [await readiness(one.url), await readiness(two.url)]
      await new Promise((resolve) => setTimeout(resolve, 300))
      const again = await readiness(one.url)
      return a.version === b.version && again.version === a.version ? a : undefined
    })
    const etagBefore = (await fetch(`${one.url}/api/v1/services`)).headers.get('etag')

    // restart empty, refusing writes for now (a real Redis state: no replicas to acknowledge)
    await redis.stop('SIGKILL')
    await redis.start(['--min-replicas-to-write', '1'])
    for (const gateway of [one, two]) {
      const degraded = await until('degraded: store reset noticed', async () => {
        const ready = await readiness(gateway.url)
        return ready.status === 'degraded' && ready.reasons.some((r) => /store was reset/.test(r)) ? ready : undefined
      })
      t.match(degraded.reasons, [/epoch/], 'the reason names the reset')
      t.equal(degraded.version, before.version, 'the last complete catalog keeps serving')
      t.equal(await servedName(gateway.url, 'gladbeck'), 'Vorher 4')
    }

    // writes are accepted again; a member registers right away
    const raw = new Redis(redis.url)
    t.teardown(() => raw.quit())
    await raw.config('SET', 'min-replicas-to-write', '0')
    const accepted = await until('PUT accepted after the restart', async () => {
      const res = await putManifest(one.url, region, 'gladbeck', await manifestWithService(region, 'gladbeck', 'Nachher'))
      return res.status === 200 ? ((await res.json()) as { version: number }) : undefined
    })
    t.ok(accepted.version > 0)

    for (const gateway of [one, two]) {
      t.equal(await until('the new PUT served', async () => ((await servedName(gateway.url, 'gladbeck')) === 'Nachher' ? 'Nachher' : undefined)), 'Nachher')
      const ready = await until('ready again', async () => {
        const r = await readiness(gateway.url)
        return r.status === 'ready' ? r : undefined
      })
      t.ok(ready.version > before.version, `versions never repeat (${before.version} -> ${ready.version})`)
      t.equal(await servedName(gateway.url, 'dorsten'), 'Registriert', 'the registration made before the reset was put back')
    }
    t.not((await fetch(`${one.url}/api/v1/services`)).headers.get('etag'), etagBefore, 'a new ETag for the new content')

    // a new instance starts on the recovered store and serves the same
    const three = await startGateway(t, env)
    t.equal(await servedName(three.url, 'gladbeck'), 'Nachher')
    t.equal(await servedName(three.url, 'dorsten'), 'Registriert')
    const versions = await Promise.all([one, two, three].map(async (g) => (await readiness(g.url)).version))
    await until('same version everywhere', async () => {
      const now = await Promise.all([one, two, three].map(async (g) => (await readiness(g.url)).version))
      return now.every((v) => v === now[0]) ? now : undefined
    })
    t.ok(versions.every((v) => v > before.version))
    const members = (await (await fetch(`${three.url}/api/v1/members`)).json()) as { items?: { status: string }[] } | { status: string }[]
    const list = Array.isArray(members) ? members : members.items ?? []
    t.ok(list.length > 0 && list.every((m) => m.status === 'ok'), 'every member is served again')
  })
}
