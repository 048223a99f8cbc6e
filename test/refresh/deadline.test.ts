// The refresh deadline (issue 12, finding 6): an AbortSignal that fires even
// when nothing but its timer refers to it and garbage collections run.
import t from 'tap'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createDeadline, DeadlineReached } from '../../src/refresh/deadline.js'

// the same as node --expose-gc
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** resolves with the abort reason, or 'never' when `withinMs` passed without one (a bound, not a timing assertion) */
function aborted(signal: AbortSignal, withinMs: number): Promise<unknown> {
  return new Promise((resolve) => {
    const guard = setTimeout(() => resolve('never'), withinMs)
    signal.addEventListener('abort', () => {
      clearTimeout(guard)
      resolve(signal.reason)
    }, { once: true })
  })
}

t.test('fires after its time, also when garbage collections run meanwhile', async (t) => {
  const parent = new AbortController()
  const deadline = createDeadline(100, parent.signal)
  const result = aborted(deadline.signal, 10_000)
  for (let i = 0; i < 5; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 30))
  }
  const reason = await result
  t.type(reason, DeadlineReached)
  t.equal((reason as Error).name, 'AbortError', 'undici and the refresher read it as an abort')
  deadline.clear()
})

t.test('follows its parent (stop), and clear() stops the timer', async (t) => {
  const parent = new AbortController()
  const deadline = createDeadline(60_000, parent.signal)
  const result = aborted(deadline.signal, 10_000)
  parent.abort(new Error('stopping'))
  t.match(await result, { message: 'stopping' })
  deadline.clear()

  const early = new AbortController()
  early.abort()
  const late = createDeadline(60_000, early.signal)
  t.ok(late.signal.aborted, 'an already aborted parent aborts at once')
  late.clear()

  const cleared = createDeadline(20)
  cleared.clear()
  t.equal(await aborted(cleared.signal, 200), 'never', 'cleared: never fires')
})
