// Pilot insights through the API on a real Redis: k-anonymity of query texts,
// nothing personal in storage, feedback as a plain form post, two instances
// adding up, retention as a TTL, member/region auth, CSV.
import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadRegionData, type RegionData } from '../../src/config/load.js'
import { sha256Hex } from '../../src/auth/token.js'
import { REPO } from '../helpers/region.js'
import { requireRedis, startRedis } from '../helpers/redis.js'

const PREFIX = 'dpins:'
const ZERO = 'zzqxwv blorf'

async function region(): Promise<RegionData> {
  const data = await loadRegionData(join(REPO, 'config', 'region.json'))
  const members = data.region.members.map((m) =>
    m.id === 'datteln' ? { ...m, tokenSha256: sha256Hex('tok-datteln') } : m.id === 'gladbeck' ? { ...m, tokenSha256: sha256Hex('tok-gladbeck') } : m)
  return { ...data, region: { ...data.region, members } }
}

async function instance(t: Tap.Test, url: string, data: RegionData, retentionDays = 400): Promise<FastifyInstance> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-ins-'))
  const app = await buildApp({
    regionData: data,
    settings: {
      regionConfig: join(REPO, 'config', 'region.json'), dataDir, redisUrl: url, redisPrefix: PREFIX, rateLimit: false,
      regionAdminTokenSha256: sha256Hex('tok-region'),
      // the machine is shared: no load shedding in this test
      pressure: NO_LOAD_SHEDDING,
      insights: { enabled: true, retentionDays, minCount: 5, flushIntervalMs: 3_600_000, feedbackMax: 10 },
    },
  })
  t.teardown(async () => {
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  })
  return app
}
import type * as Tap from 'tap'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'

// every search from another client network: k-anonymity counts distinct networks (issue 25)
let network = 0
const search = (app: FastifyInstance, q: string, extra = '&member=datteln') =>
  app.inject({ method: 'GET', url: `/api/v1/search?q=${encodeURIComponent(q)}${extra}`, remoteAddress: `198.51.${100 + (network >> 8)}.${network++ & 255}` })
/** the day hashes (not the day's salt and client HyperLogLogs, which go after the day) */
const DAY_HASH = /insights:\d{4}-\d{2}-\d{2}$/
const insights = (app: FastifyInstance, token: string, member = 'datteln', accept = 'application/json') =>
  app.inject({ method: 'GET', url: `/api/v1/admin/members/${member}/insights`, headers: { authorization: `Bearer ${token}`, accept } })

t.test('insights on a real Redis', async (t) => {
  if (!requireRedis(t)) return
  const redis = await startRedis(t)
  const data = await region()
  const a = await instance(t, redis.url, data, 2)
  const b = await instance(t, redis.url, data, 2)
  const raw = new Redis(redis.url)
  t.teardown(() => raw.disconnect())

  t.test('5 identical zero-result searches are reported, 4 are not; two instances add up', async (t) => {
    for (let i = 0; i < 3; i++) t.equal((await search(a, ZERO)).statusCode, 200)
    for (let i = 0; i < 1; i++) await search(b, ZERO)
    for (let i = 0; i < 4; i++) await search(a, 'kfzx quorbel')
    await a.insights.flush()
    await b.insights.flush()
    const first = await insights(a, 'tok-datteln')
    t.equal(first.statusCode, 200, first.body)
    let report = first.json()
    t.same(report.zeroResultQueries, [], 'four of each: no text reported')
    t.equal(report.days.at(-1).zeroResults, 8, 'counts of both instances add up')
    await search(b, ZERO)
    await b.insights.flush()
    report = (await insights(a, 'tok-datteln')).json()
    t.same(report.zeroResultQueries.map((q: { query: string; count: number }) => [q.query, q.count]), [[ZERO, 5]])
    t.equal(report.days.at(-1).searches, 9)
    const other = (await insights(a, 'tok-gladbeck', 'gladbeck')).json()
    t.same(other.zeroResultQueries, [], 'another member does not see datteln\'s residents\' searches')
  })

  t.test('personal data never reaches storage', async (t) => {
    for (let i = 0; i < 6; i++) {
      await search(a, 'anna.muster@example.org ummelden')
      await search(a, 'ruf mich an 0209 123456')
      await search(a, 'DE89 3704 0044 0532 0130 00')
    }
    await a.insights.flush()
    const keys = await raw.keys('*')
    let dump = keys.join('\n')
    for (const key of keys.filter((k) => k.startsWith(`${PREFIX}insights:`) && DAY_HASH.test(k))) dump += JSON.stringify(await raw.hgetall(key))
    t.notMatch(dump, /example\.org|muster|123456|3704/i)
    t.match(dump, /zzqxwv/, 'the scan does see stored query texts')
  })

  t.test('feedback as a plain form post lands', async (t) => {
    const service = a.live.current.services[0]!.id
    const res = await a.inject({ method: 'POST', url: '/feedback', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `leistung=${service}&mitglied=datteln&antwort=link-kaputt` })
    t.equal(res.statusCode, 303)
    t.equal(res.headers.location, `/leistungen/${service}?feedback=danke#feedback`)
    const bad = await a.inject({ method: 'POST', url: '/feedback', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `leistung=${service}&antwort=freitext` })
    t.equal(bad.statusCode, 400, 'no free text')
    await a.insights.flush()
    const report = (await insights(a, 'tok-datteln')).json()
    t.same(report.feedback, [{ member: 'datteln', service, answer: 'link-kaputt', count: 1 }])
  })

  t.test('retention is the TTL of the day', async (t) => {
    const keys = (await raw.keys(`${PREFIX}insights:*`)).filter((k) => DAY_HASH.test(k))
    t.ok(keys.length > 0)
    for (const key of keys) {
      const ttl = await raw.ttl(key)
      t.ok(ttl > 86_400 && ttl <= 2 * 86_400, `ttl ${ttl}s = INSIGHTS_RETENTION_DAYS 2`)
    }
  })

  t.test('auth: 401 wrong token, 403 other member, region token for the region', async (t) => {
    t.equal((await insights(a, 'nope')).statusCode, 401)
    t.equal((await insights(a, 'tok-gladbeck')).statusCode, 403)
    t.equal((await a.inject({ url: '/api/v1/admin/insights', headers: { authorization: 'Bearer tok-datteln' } })).statusCode, 401)
    const region = await a.inject({ url: '/api/v1/admin/insights', headers: { authorization: 'Bearer tok-region' } })
    t.equal(region.statusCode, 200)
    t.equal(region.json().member, null)
  })

  t.test('CSV parses', async (t) => {
    const res = await insights(a, 'tok-datteln', 'datteln', 'text/csv')
    t.match(res.headers['content-type'], /^text\/csv/)
    const rows = res.body.trim().split('\r\n').map((line) => [...line.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1]!.replace(/""/g, '"')))
    t.same(rows[0], ['kind', 'day', 'member', 'service', 'key', 'count'])
    t.ok(rows.every((r) => r.length === 6))
    t.ok(rows.some((r) => r[0] === 'zero-result-query' && r[4] === ZERO && r[5] === '5'))
  })

  t.test('a Redis outage loses only its counts, never a request', async (t) => {
    await redis.stop('SIGKILL')
    const res = await search(a, 'hund')
    t.equal(res.statusCode, 200, 'the search is answered')
    await a.insights.flush() // dropped, not thrown
    await redis.start()
    // let every client reconnect before teardown closes them: a close in mid-reconnect
    // rejects ioredis' queued re-subscribe with "Connection is closed"
    for (let i = 0; i < 400 && !(a.store.health().ok && b.store.health().ok && raw.status === 'ready'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    t.pass('flush during the outage did not throw')
  })
})

