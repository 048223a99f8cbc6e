// A bot posting feedback in a loop inflates a count by at most its rate limit.
import t from 'tap'
import { realApp } from '../helpers/app.js'

t.test('feedback beyond the rate limit is refused and not counted', async (t) => {
  const app = await realApp(t, {
    rateLimit: true,
    insights: { enabled: true, retentionDays: 400, minCount: 5, flushIntervalMs: 3_600_000, feedbackMax: 3 },
  })
  const service = app.live.current.services[0]!.id
  const statuses: number[] = []
  for (let i = 0; i < 8; i++) {
    const res = await app.inject({ method: 'POST', url: '/feedback', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `leistung=${service}&antwort=nein` })
    statuses.push(res.statusCode)
  }
  t.same(statuses, [303, 303, 303, 429, 429, 429, 429, 429])
  await app.insights.flush()
  const [day] = await app.store.readCounts([new Date().toISOString().slice(0, 10)])
  t.equal(day?.counts[`fb|-|${service}|nein`], 3, 'counted up to the limit only')
})
