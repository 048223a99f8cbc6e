// Whose fault is a failed upstream exchange? Only the upstream's own failures
// may count against the member's circuit breaker: otherwise any client can
// open it (send `Content-Length: 1000`, 5 bytes, close — the aborted request
// body surfaces from undici as ECONNRESET, exactly like an upstream reset).

import type { Readable } from 'node:stream'

/**
 * - `upstream`: counts against the member (connect refused, reset or timeout
 *   after the whole request reached the gateway)
 * - `client-abort`: the request body stream failed on the client's side
 *   (aborted upload); the upstream did nothing wrong
 * - `client-incomplete`: the exchange failed while the client had not yet sent
 *   its whole request (a stalled upload makes the upstream wait and time out)
 */
export type FailureSide = 'upstream' | 'client-abort' | 'client-incomplete'

/** Failures before any byte of the request reached the upstream: the client cannot cause these. */
const CONNECT_CODES = new Set([
  'ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN',
])

/** The incoming request: `complete` once its whole body arrived, `errored` when its stream failed. */
export type ClientRequest = Pick<Readable, 'errored'> & { complete?: boolean }

/**
 * Relies on the body reaching undici through a stream of our own (member-hooks
 * preHandler): undici destroys that stream when the upstream fails, so an error
 * on the client's request itself can only come from the client's side.
 */
export function failureSide(error: Error, code: string, client: ClientRequest): FailureSide {
  if (CONNECT_CODES.has(code)) return 'upstream'
  if (inChain(error, client.errored)) return 'client-abort'
  // strictly false: injected requests (light-my-request) have no `complete`
  if (client.complete === false) return 'client-incomplete'
  return 'upstream'
}

/** reply-from wraps undici's error, undici passes the body stream's error on as it is. */
function inChain(error: Error, wanted: Error | null | undefined): boolean {
  if (wanted === null || wanted === undefined) return false
  let current: unknown = error
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    if (current === wanted) return true
    current = current.cause
  }
  return false
}
