// A deadline as an AbortSignal that really fires. Not AbortSignal.timeout()
// inside AbortSignal.any(): the combined signal holds its sources weakly and
// the timeout's timer does not hold its signal either, so after a garbage
// collection the deadline silently never fires (reproducible with
// --expose-gc). Here a plain timer owns the controller until clear().

export interface Deadline {
  readonly signal: AbortSignal
  /** stop the timer and forget the parent; call in `finally` */
  clear(): void
}

/** aborts after `ms`, or as soon as `parent` aborts */
export function createDeadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new DeadlineReached(ms)), ms)
  const follow = () => controller.abort(parent?.reason)
  if (parent?.aborted) follow()
  else parent?.addEventListener('abort', follow, { once: true })
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer)
      parent?.removeEventListener('abort', follow)
    },
  }
}

export class DeadlineReached extends Error {
  override readonly name = 'AbortError'
  constructor(readonly ms: number) {
    super(`deadline of ${ms} ms reached`)
  }
}
