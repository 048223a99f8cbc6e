// Rate-limit counters in Redis are named after their budget and client,
// nothing else: an operator reading KEYS must see `<prefix>ratelimit:api:<ip>`,
// not the library's route suffix of a hook limiter (`undefinedundefined-`).
import t from 'tap'
import { realApp } from '../helpers/app.js'
import { requireRedis, startRedis } from '../helpers/redis.js'
import { command, until } from '../helpers/redis-sentinel.js'

t.test('every budget names its counter <prefix>ratelimit:<bucket>:<client>', async (t) => {
  if (!requireRedis(t)) return
  const redis = await startRedis(t)
  const app = await realApp(t, { redisUrl: redis.url, rateLimit: true })
  const keys = async () => ((await command(redis.port, ['KEYS', '*ratelimit*'])) as string[]).sort()
  // the limiter's client connects in the background and fails open until then
  await until(async () => {
    await app.inject({ url: '/api/v1/services', remoteAddress: '192.0.2.7' })
    return (await keys()).length > 0
  }, 'the first counter')
  await app.inject({ url: '/api/v1/suggest?q=au', remoteAddress: '192.0.2.7' })
  await app.inject({ url: '/cities/nope/x', remoteAddress: '192.0.2.7' })
  await app.inject({ url: '/api/v1/admin/members/gladbeck/manifest', remoteAddress: '192.0.2.7' })
  const fc = await app.inject({ url: '/fit-connect/v1/info', remoteAddress: '192.0.2.7' })
  t.match(fc.headers['ratelimit-remaining'], /^[0-9]+$/, 'FIT-Connect: IETF header names, counted in Redis too')
  t.notOk(fc.headers['x-ratelimit-remaining'])
  t.same(await keys(), [
    'dachportal:ratelimit:admin:192.0.2.7',
    'dachportal:ratelimit:api:192.0.2.7',
    'dachportal:ratelimit:fitConnect:192.0.2.7',
    'dachportal:ratelimit:proxy:192.0.2.7',
    'dachportal:ratelimit:suggest:192.0.2.7',
  ])
})
