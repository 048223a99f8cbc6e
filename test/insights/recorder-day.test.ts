// The recorder formats the day key once per UTC day (hot path): counts must
// still land on the right day when the clock crosses midnight or goes back,
// and the Prometheus totals (summed at scrape time) must match the counts.
import t from 'tap'
import { Registry } from 'prom-client'
import Fastify from 'fastify'
import { InsightsRecorder } from '../../src/insights/recorder.js'
import { createRecorder } from '../../src/insights/index.js'
import type { CounterStore } from '../../src/store/counters.js'

function memoryStore() {
  const days = new Map<string, Map<string, number>>()
  const store = {
    async addCounts(day: string, counts: ReadonlyMap<string, number>) {
      let d = days.get(day)
      if (d === undefined) days.set(day, d = new Map())
      for (const [name, n] of counts) d.set(name, (d.get(name) ?? 0) + n)
    },
  } as unknown as CounterStore
  return { store, days }
}

t.test('counts land on the UTC day of their moment, across midnight and back', async (t) => {
  const { store, days } = memoryStore()
  let now = Date.parse('2026-03-01T23:59:59.500Z')
  const recorder = new InsightsRecorder({ store, retentionDays: 7, flushIntervalMs: 0, now: () => new Date(now) })
  recorder.proxy('gladbeck')
  now += 400
  recorder.proxy('gladbeck')
  now += 200 // 2026-03-02T00:00:00.100Z
  recorder.proxy('gladbeck')
  now -= 300 // a clock step back to the old day
  recorder.proxy('marl')
  now = Date.parse('2026-03-05T12:00:00Z')
  recorder.proxy('marl')
  await recorder.close()
  t.same(Object.fromEntries([...days].map(([d, c]) => [d, Object.fromEntries(c)])), {
    '2026-03-01': { 'px|gladbeck': 2, 'px|marl': 1 },
    '2026-03-02': { 'px|gladbeck': 1 },
    '2026-03-05': { 'px|marl': 1 },
  })
})

t.test('insights event totals are exact at every scrape', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const registry = new Registry()
  const { store } = memoryStore()
  const recorder = createRecorder(app, store, { retentionDays: 7, flushIntervalMs: 0 } as never, registry)
  for (let i = 0; i < 3; i++) recorder.proxy('gladbeck')
  recorder.go('marl', 'x')
  let text = await registry.metrics()
  t.match(text, /dachportal_insights_events_total\{kind="proxy"\} 3\n/)
  t.match(text, /dachportal_insights_events_total\{kind="go"\} 1\n/)
  recorder.proxy('marl')
  text = await registry.metrics()
  t.match(text, /dachportal_insights_events_total\{kind="proxy"\} 4\n/, 'a second scrape adds only what came since')
  t.match(text, /dachportal_insights_events_total\{kind="go"\} 1\n/)
})
