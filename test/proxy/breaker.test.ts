import t from 'tap'
import { CircuitBreaker, defaultBreakerOptions } from '../../src/proxy/breaker.js'

function clock(start = 1_000_000) {
  const c = { now: start }
  return { c, now: () => c.now }
}

const opts = { ...defaultBreakerOptions, failureThreshold: 3, errorRate: 0.5, minRequests: 10, windowMs: 10_000, coolDownMs: 5_000, probeTimeoutMs: 8_000 }

t.test('opens after N consecutive failures, a success in between resets the run', async (t) => {
  const { now } = clock()
  const b = new CircuitBreaker(opts, now)
  b.failure(); b.failure(); b.success(); b.failure(); b.failure()
  t.equal(b.state, 'closed')
  b.failure()
  t.equal(b.state, 'open')
  t.notOk(b.allow())
})

t.test('opens on error rate over the window with enough volume', async (t) => {
  const { c, now } = clock()
  const b = new CircuitBreaker({ ...opts, failureThreshold: 100 }, now)
  for (let i = 0; i < 5; i++) { b.success(); b.failure(); c.now += 100 }
  t.equal(b.state, 'open', '5 of 10 failed')
})

t.test('old failures leave the window', async (t) => {
  const { c, now } = clock()
  const b = new CircuitBreaker({ ...opts, failureThreshold: 100 }, now)
  for (let i = 0; i < 9; i++) b.failure()
  c.now += 20_000
  for (let i = 0; i < 9; i++) b.success()
  b.failure()
  t.equal(b.state, 'closed', '1 of 10 in the current window')
})

t.test('below minimum volume the rate does not trip', async (t) => {
  const { now } = clock()
  const b = new CircuitBreaker({ ...opts, failureThreshold: 100 }, now)
  b.failure(); b.failure(); b.success()
  t.equal(b.state, 'closed')
})

t.test('cool-down -> half-open with a single probe -> closed on success', async (t) => {
  const { c, now } = clock()
  const b = new CircuitBreaker(opts, now)
  b.failure(); b.failure(); b.failure()
  t.equal(b.retryAfterSeconds(), 5)
  c.now += 4_999
  t.notOk(b.allow(), 'still cooling down')
  t.equal(b.retryAfterSeconds(), 1)
  c.now += 1
  t.ok(b.allow(), 'probe admitted')
  t.equal(b.state, 'half-open')
  t.notOk(b.allow(), 'only one probe at a time')
  b.success()
  t.equal(b.state, 'closed')
  t.ok(b.allow())
})

t.test('failed probe re-opens for another cool-down', async (t) => {
  const { c, now } = clock()
  const b = new CircuitBreaker(opts, now)
  b.failure(); b.failure(); b.failure()
  c.now += 5_000
  t.ok(b.allow())
  b.failure()
  t.equal(b.state, 'open')
  t.notOk(b.allow())
  c.now += 5_000
  t.ok(b.allow())
})

t.test('a probe that never reports back frees the slot after probeTimeoutMs', async (t) => {
  const { c, now } = clock()
  const b = new CircuitBreaker(opts, now)
  b.failure(); b.failure(); b.failure()
  c.now += 5_000
  t.ok(b.allow())
  c.now += 7_999
  t.notOk(b.allow())
  c.now += 1
  t.ok(b.allow(), 'new probe')
})

t.test('late results while open do not change state', async (t) => {
  const { now } = clock()
  const b = new CircuitBreaker(opts, now)
  b.failure(); b.failure(); b.failure()
  b.success()
  t.equal(b.state, 'open')
  b.failure()
  t.equal(b.state, 'open')
})
