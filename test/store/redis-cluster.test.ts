// Redis Cluster beyond the shared contract (which runs in store-contract):
// change notices reach other instances over pub/sub alone, a store's keys sit
// in one hash slot, and the rate limiter counts in the Cluster too (it used
// to build its own single-node client and ignored REDIS_CLUSTER_NODES).
import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RedisStore } from '../../src/store/redis-store.js'
import { buildApp } from '../../src/app.js'
import { readSettings } from '../../src/config/env.js'
import type { Manifest } from '../../src/manifest/schema.js'
import { clusterAvailable, requireCluster, startCluster, CLUSTER_PREFIX } from '../helpers/redis-cluster.js'
import { command } from '../helpers/redis-sentinel.js'
import { REPO } from '../helpers/region.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'

t.setTimeout(300_000)

function manifest(member: string): Manifest {
  return {
    schemaVersion: 1, member, updatedAt: '2026-11-25T00:00:00Z', sources: [{ what: 'test', source: 'test' }], links: {}, offices: [],
    services: [{ id: 'hund', name: 'Hund anmelden', summary: 'Zusammenfassung.', audiences: ['residents'], lifeSituations: ['tiere'] }],
  }
}

if (!clusterAvailable()) {
  t.test('Redis Cluster', async (t) => void requireCluster(t))
} else {
  t.test('Redis Cluster', async (t) => {
    const cluster = await startCluster(t)
    const target = { kind: 'cluster' as const, nodes: cluster.nodes }

    t.test('a write is announced to the other instance over pub/sub (no polling)', async (t) => {
      const open = async () => {
        const store = new RedisStore({ target, prefix: CLUSTER_PREFIX, pollIntervalMs: 3_600_000 })
        await store.init()
        t.teardown(() => store.close())
        return store
      }
      const [a, b] = [await open(), await open()]
      const seen = new Promise<number>((resolve) => b.onChange(resolve))
      const version = await a.putManifest('gladbeck', manifest('gladbeck'), { source: 'api' })
      t.equal(await seen, version)
      t.same((await b.getMember('gladbeck'))?.manifest, manifest('gladbeck'))

      // all of the store's keys in the slot of its hash tag, on one master
      const perNode = await Promise.all(cluster.nodes.map(async (n) => (await command(n.port, ['KEYS', `${CLUSTER_PREFIX}*`])) as string[]))
      const holders = perNode.filter((keys) => keys.length > 0)
      t.ok(holders.length >= 1 && holders.length <= 2, `one master (and its replica) hold the keys (${holders.length})`)
      const keys = [`${CLUSTER_PREFIX}catalog:epoch`, `${CLUSTER_PREFIX}catalog:snapshot`, `${CLUSTER_PREFIX}catalog:version`, `${CLUSTER_PREFIX}manifest:gladbeck`, `${CLUSTER_PREFIX}manifest:gladbeck:meta`]
      t.same([...holders[0]!].sort(), keys, 'prefixed once, nothing else')
      const slots = await Promise.all(keys.map((key) => command(cluster.nodes[0]!.port, ['CLUSTER', 'KEYSLOT', key])))
      t.equal(new Set(slots).size, 1, 'one hash slot')
    })

    t.test('rate-limit budgets are counted in the Cluster and shared by instances', async (t) => {
      const dataDir = await mkdtemp(join(tmpdir(), 'dp-data-'))
      t.teardown(() => rm(dataDir, { recursive: true, force: true }))
      const defaults = readSettings({})
      const settings = {
        regionConfig: join(REPO, 'config', 'region.json'), dataDir,
        redisTarget: target, redisPrefix: CLUSTER_PREFIX,
        rateLimit: true, rateLimits: { ...defaults.rateLimits, proxy: { max: 3 } }, pressure: NO_LOAD_SHEDDING,
      }
      const apps = [await buildApp({ settings }), await buildApp({ settings })]
      t.teardown(() => Promise.all(apps.map((app) => app.close())))
      // the limiter's client connects in the background; its counters fail open until then
      const counted = async () => {
        const keys = await Promise.all(cluster.nodes.map(async (n) => (await command(n.port, ['KEYS', 'dachportal:ratelimit:*'])) as string[]))
        return keys.flat().length > 0
      }
      const statuses: number[] = []
      for (let i = 0; statuses.length < 6 && i < 200; i++) {
        const status = (await apps[i % 2]!.inject({ url: '/cities/nope/x', remoteAddress: '192.0.2.7' })).statusCode
        if (statuses.length > 0 || await counted()) statuses.push(status)
      }
      t.ok(statuses.includes(429), `3 requests per client in all, across both instances (${statuses.join(' ')})`)
      const keys = (await Promise.all(cluster.nodes.map(async (n) => (await command(n.port, ['KEYS', 'dachportal:ratelimit:*proxy:192.0.2.7'])) as string[]))).flat()
      t.ok(keys.length > 0, `the counter lives in the Cluster, without the store's hash tag (${keys[0]})`)
    })
  })
}
