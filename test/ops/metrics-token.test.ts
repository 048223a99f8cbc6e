// /metrics compares with auth/token.ts (the one bearer parser): a configured
// METRICS_TOKEN no client could send as `Authorization: Bearer <token>` would
// lock /metrics for good, so the start refuses it instead.
import t from 'tap'
import { readSettings } from '../../src/config/env.js'

t.test('METRICS_TOKEN must be sendable as a bearer token', async (t) => {
  for (const token of ['s3cret-metrics', 'q1w2e3+/r4t5Y6==', 'a.b_c~d']) {
    t.equal(readSettings({ METRICS_TOKEN: token }).metricsToken, token, token)
  }
  for (const token of ['pass word', 'sesam!', 'ümlaut', 'a=b']) {
    t.throws(() => readSettings({ METRICS_TOKEN: token }), /METRICS_TOKEN must be a bearer token/, token)
  }
})
