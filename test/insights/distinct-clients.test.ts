// Issue 25, finding 3: k-anonymity counts people, not searches. A query
// text reaches the report only when INSIGHTS_MIN_COUNT distinct client
// networks used it that day; one network padding a text with case,
// whitespace and Unicode variants stays one. Memory store and real Redis.
import t from 'tap'
import type * as Tap from 'tap'
import { Redis } from 'ioredis'
import type { FastifyInstance } from 'fastify'
import { realApp } from '../helpers/app.js'
import { redisAvailable, requireRedis, startRedis } from '../helpers/redis.js'
import { sha256Hex } from '../../src/auth/token.js'

const REAL = 'hans mustermann sterbeurkunde'
// the attacker's padding from one /64: case, whitespace, fullwidth letters (NFKC)
const PADDED = ['HANS mustermann sterbeurkunde', 'hans  mustermann sterbeurkunde', ' hans mustermann sterbeurkunde\t', 'ｈａｎｓ mustermann sterbeurkunde']

const settings = (extra: object) => ({
  rateLimit: false, regionAdminTokenSha256: sha256Hex('tok-region'),
  insights: { enabled: true, retentionDays: 2, minCount: 5, flushIntervalMs: 3_600_000, feedbackMax: 10 },
  ...extra,
})
const search = (app: FastifyInstance, q: string, remoteAddress: string) =>
  app.inject({ url: `/api/v1/search?q=${encodeURIComponent(q)}`, remoteAddress })
async function topQueries(app: FastifyInstance): Promise<{ query: string; count: number }[]> {
  await app.insights.flush()
  const res = await app.inject({ url: '/api/v1/admin/insights', headers: { authorization: 'Bearer tok-region' } })
  const report = res.json() as { topQueries: { query: string; count: number }[]; zeroResultQueries: { query: string; count: number }[] }
  return [...report.topQueries, ...report.zeroResultQueries]
}

async function scenario(t: Tap.Test, app: FastifyInstance) {
  await app.ready()
  t.equal((await search(app, REAL, '203.0.113.50')).statusCode, 200, 'the real search')
  // four more from one attacker network, each from another address of its /64
  for (const [i, q] of PADDED.entries()) t.equal((await search(app, q, `2001:db8:aa:1::${i + 1}`)).statusCode, 200)
  t.notOk((await topQueries(app)).some((r) => r.query === REAL), 'one person + one padding network: not reported')
  // three more distinct networks: five in all
  for (const address of ['198.51.100.7', '2001:db8:bb:2::9', '2001:db8:cc:3::1']) await search(app, REAL, address)
  const row = (await topQueries(app)).find((r) => r.query === REAL)
  t.equal(row?.count, 5, 'five distinct networks: reported, with the distinct count')
}


t.test('memory store: padding from one network does not reach the threshold', async (t) => {
  await scenario(t, await realApp(t, settings({})))
})

t.test('Redis: the same, and no network or salt outlives the day', async (t) => {
  if (!redisAvailable()) return void requireRedis(t)
  const redis = await startRedis(t)
  const app = await realApp(t, settings({ redisUrl: redis.url, redisPrefix: 'kanon:' }))
  await scenario(t, app)
  const raw = new Redis(redis.url)
  t.teardown(() => raw.disconnect())
  const keys = await raw.keys('kanon:insights:*')
  const salt = keys.find((k) => k.endsWith(':salt'))
  t.ok(salt, 'one salt for the day')
  const ttl = await raw.ttl(salt!)
  t.ok(ttl > 0 && ttl <= 25 * 3600, `the salt expires after the day (+1 h): ${ttl} s`)
  for (const k of keys.filter((k) => k.includes(':clients:'))) {
    t.equal(await raw.type(k), 'string', 'a HyperLogLog')
    t.ok((await raw.ttl(k)) <= 25 * 3600, 'the client hashes go with the salt')
  }
  const dump = JSON.stringify(await Promise.all(keys.filter((k) => !k.includes(':clients:')).map((k) => raw.type(k).then((ty): Promise<unknown> => ty === 'hash' ? raw.hgetall(k) : raw.get(k)))))
  for (const address of ['203.0.113', '2001:db8', '198.51.100']) t.notOk(dump.includes(address), `no address stored: ${address}`)
})
