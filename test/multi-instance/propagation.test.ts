// Three real gateway processes on one real redis-server.
import t, * as Tap from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { redisAvailable, requireRedis, startRedis, type RedisServer } from '../helpers/redis.js'
import { gatewayBuilt, MAIN, startGateway, writeRegion, type GatewayProcess, type TestRegion } from '../helpers/gateway-process.js'

type Test = Tap.Test
const SERVICE = 'gladbeck:zebrafinken-anmelden'

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((done) => setTimeout(done, 25))
  }
}

async function gladbeckManifest(region: TestRegion, name: string) {
  const doc = JSON.parse(await readFile(join(region.dir, 'members/gladbeck.json'), 'utf8'))
  doc.updatedAt = new Date().toISOString()
  doc.services.push({
    id: 'zebrafinken-anmelden', name, summary: 'Testleistung für die Verteilung über mehrere Instanzen.',
    audiences: ['residents'], lifeSituations: [doc.services[0].lifeSituations[0]],
  })
  return doc
}

function put(gateway: GatewayProcess, region: TestRegion, body: unknown, member = 'gladbeck', ifMatch?: string) {
  return fetch(`${gateway.url}/api/v1/admin/members/${member}/manifest`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${region.tokens[member]}`, ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }) },
    body: JSON.stringify(body),
  })
}

async function serviceName(gateway: GatewayProcess): Promise<string | undefined> {
  const res = await fetch(`${gateway.url}/api/v1/services/${encodeURIComponent(SERVICE)}`)
  if (res.status !== 200) return undefined
  return ((await res.json()) as { offerings: { name: string }[] }).offerings[0]?.name
}

async function cluster(t: Test, redis: RedisServer, region: TestRegion): Promise<GatewayProcess[]> {
  const env = { REDIS_URL: redis.url, REGION_CONFIG: region.regionPath, DATA_DIR: join(region.dir, 'data') }
  return Promise.all([startGateway(t, env), startGateway(t, env), startGateway(t, env)])
}

if (!redisAvailable()) {
  t.test('multi-instance', async (t) => void requireRedis(t))
} else if (!gatewayBuilt()) {
  t.test('multi-instance', async (t) => void t.fail(`${MAIN} missing: run npx tsc -p tsconfig.build.json first`))
} else {
  t.test('a PUT on one instance is served by the others; a bad PUT changes nothing', async (t) => {
    const redis = await startRedis(t, { aof: true })
    const region = await writeRegion(t)
    const [one, two, three] = await cluster(t, redis, region)
    const res = await put(one!, region, await gladbeckManifest(region, 'Zebrafinken anmelden'))
    t.equal(res.status, 200)
    const { version } = (await res.json()) as { version: number }
    for (const other of [two!, three!]) {
      t.equal(await until('service on the other instance', () => serviceName(other)), 'Zebrafinken anmelden')
      const hits = await until('search hit', async () => {
        const body = (await (await fetch(`${other.url}/api/v1/search?q=zebrafinken`)).json()) as { hits: { service: { id: string } }[] }
        return body.hits.some((h) => h.service.id === SERVICE) ? body.hits : undefined
      })
      t.ok(hits.length > 0, 'found by search')
      const regionInfo = (await (await fetch(`${other.url}/api/v1/region`)).json()) as { version: number }
      t.equal(regionInfo.version, version, 'same catalog version everywhere')
    }

    const bad = await gladbeckManifest(region, '')
    const rejected = await put(two!, region, bad)
    t.equal(rejected.status, 422)
    t.match(((await rejected.json()) as { errors: { path: string }[] }).errors, [{ path: /^\/services\/\d+\/name$/ }])
    await new Promise((done) => setTimeout(done, 300))
    for (const gateway of [one!, two!, three!]) {
      t.equal(await serviceName(gateway), 'Zebrafinken anmelden', 'old manifest still live')
      const info = (await (await fetch(`${gateway.url}/api/v1/region`)).json()) as { version: number }
      t.equal(info.version, version, 'version unchanged')
    }
  })

  // Two staff members of one city edit the manifest at once, each through another instance.
  t.test('If-Match across instances: of edits based on one read exactly one lands, the others get 412', async (t) => {
    const redis = await startRedis(t)
    const region = await writeRegion(t)
    const gateways = await cluster(t, redis, region)
    const read = await fetch(`${gateways[0]!.url}/api/v1/admin/members/gladbeck/manifest`, { headers: { authorization: `Bearer ${region.tokens.gladbeck}` } })
    const etag = read.headers.get('etag')!
    const base = (await read.json()) as { services: unknown[] }
    const edit = (name: string) => ({ ...base, services: [...base.services, { id: 'zebrafinken-anmelden', name, summary: 'Testleistung für gleichzeitige Änderungen über mehrere Instanzen.', audiences: ['residents'], lifeSituations: [(base.services[0] as { lifeSituations: string[] }).lifeSituations[0]] }] })
    const answers = await Promise.all([...Array(6).keys()].map((i) => put(gateways[i % 3]!, region, edit(`Zebrafinken ${i}`), 'gladbeck', etag)))
    const statuses = answers.map((a) => a.status)
    t.same([...statuses].sort(), [200, 412, 412, 412, 412, 412], `one 200, five 412 (${statuses.join(', ')})`)
    const winner = statuses.indexOf(200)
    const stored = answers[winner]!.headers.get('etag')
    for (const refused of answers.filter((a) => a.status === 412)) {
      t.equal(refused.headers.get('etag'), stored, 'every 412 names the manifest that landed')
      t.match(await refused.json(), { code: 'DP_ERR_MANIFEST_CHANGED' })
    }
    for (const gateway of gateways) {
      t.equal(await until('the winner everywhere', async () => ((await serviceName(gateway)) === `Zebrafinken ${winner}` ? true : undefined)), true)
    }
  })

  t.test('Redis down mid-run: reads never fail, writes 503 then succeed, nothing acknowledged lost', async (t) => {
    const redis = await startRedis(t, { aof: true })
    const region = await writeRegion(t)
    const gateways = await cluster(t, redis, region)
    t.equal((await put(gateways[0]!, region, await gladbeckManifest(region, 'Vorher'))).status, 200)
    await until('propagation', async () => ((await serviceName(gateways[2]!)) === 'Vorher' ? true : undefined))

    let reading = true
    const failures: string[] = []
    let reads = 0
    const readers = gateways.map(async (gateway) => {
      while (reading) {
        const res = await fetch(`${gateway.url}/api/v1/services/${encodeURIComponent(SERVICE)}`).catch((e: Error) => e)
        reads++
        if (res instanceof Error || res.status !== 200) failures.push(res instanceof Error ? res.message : String(res.status))
        else await res.arrayBuffer()
      }
    })

    await redis.stop('SIGKILL')
    const down = await put(gateways[1]!, region, await gladbeckManifest(region, 'Waehrenddessen'))
    t.equal(down.status, 503)
    t.ok(Number(down.headers.get('retry-after')) > 0, 'Retry-After')
    t.match(await down.json(), { code: 'DP_ERR_STORE_UNAVAILABLE' })
    const ready = await until('degraded readiness', async () => {
      const body = (await (await fetch(`${gateways[2]!.url}/ready`)).json()) as { status: string; reasons?: string[] }
      return body.status === 'degraded' ? body : undefined
    })
    t.match(ready.reasons, [/redis/])

    await redis.start()
    const acknowledged = await until('write accepted again', async () => {
      const res = await put(gateways[1]!, region, await gladbeckManifest(region, 'Nachher'))
      return res.status === 200 ? ((await res.json()) as { version: number }) : undefined
    })
    for (const gateway of gateways) {
      t.equal(await until('caught up', async () => ((await serviceName(gateway)) === 'Nachher' ? 'Nachher' : undefined)), 'Nachher')
    }
    reading = false
    await Promise.all(readers)
    t.same(failures, [], `no read failed (${reads} reads)`)

    // a crash of Redis after the acknowledgement loses nothing (AOF, fsync always)
    await redis.stop('SIGKILL')
    await redis.start()
    const stored = await until('stored manifest after restart', async () => {
      const res = await fetch(`${gateways[0]!.url}/api/v1/admin/members/gladbeck/manifest`, { headers: { authorization: `Bearer ${region.tokens.gladbeck}` } })
      return res.status === 200 ? ((await res.json()) as { services: { id: string; name: string }[] }) : undefined
    })
    t.equal(stored.services.find((s) => s.id === 'zebrafinken-anmelden')?.name, 'Nachher')
    t.ok(acknowledged.version > 0)
  })
}
