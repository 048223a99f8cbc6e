// Every error the gateway answers with is declared once here (code, message,
// status) and turned into application/problem+json by one handler
// (src/routes/problem.ts). German titles where residents see them.
import createError from '@fastify/error'

export const errors = {
  NOT_FOUND: createError('DP_ERR_NOT_FOUND', '%s', 404),
  MEMBER_NOT_FOUND: createError('DP_ERR_MEMBER_NOT_FOUND', 'Unknown member: %s', 404),
  SERVICE_NOT_FOUND: createError('DP_ERR_SERVICE_NOT_FOUND', 'Unknown service: %s', 404),
  LIFE_SITUATION_NOT_FOUND: createError('DP_ERR_LIFE_SITUATION_NOT_FOUND', 'Unknown life situation: %s', 404),
  GO_TARGET_NOT_FOUND: createError('DP_ERR_GO_TARGET_NOT_FOUND', 'No online service %s', 404),
  BAD_QUERY: createError('DP_ERR_BAD_QUERY', '%s', 400),
  AUTH_MISSING: createError('DP_ERR_AUTH_MISSING', 'Authorization: Bearer <token> required', 401),
  AUTH_INVALID: createError('DP_ERR_AUTH_INVALID', 'Invalid token', 401),
  AUTH_FORBIDDEN: createError('DP_ERR_AUTH_FORBIDDEN', 'This token may not act for member %s', 403),
  AUTH_RATE_LIMITED: createError('DP_ERR_AUTH_RATE_LIMITED', 'Too many failed authentication attempts', 429),
  MANIFEST_INVALID: createError('DP_ERR_MANIFEST_INVALID', 'The manifest is invalid: %s error(s)', 422),
  MANIFEST_NOT_REMOTE: createError('DP_ERR_MANIFEST_NOT_REMOTE', 'Member %s has no remote manifest URL to refresh', 409),
  MEDIA_TYPE: createError('DP_ERR_MEDIA_TYPE', 'Content-Type must be application/json', 415),
  STORE_UNAVAILABLE: createError('DP_ERR_STORE_UNAVAILABLE', 'The catalog store is unavailable: %s', 503),
  NOT_READY: createError('DP_ERR_NOT_READY', 'The catalog is not loaded yet', 503),
  PROXY_PATH: createError('DP_ERR_PROXY_PATH', 'Ungültiger Pfad: %s', 400),
  PROXY_HEADER: createError('DP_ERR_PROXY_HEADER', 'Ungültiger Header: %s', 400),
  NO_UPSTREAM: createError('DP_ERR_NO_UPSTREAM', 'Member %s has no proxied endpoints', 404),
} as const

/** A validation problem with one entry per bad input, each naming its path. */
export interface IssueList {
  errors: { path: string; message: string }[]
}

export function withIssues<E extends Error>(error: E, issues: { path: string; message: string }[]): E & IssueList {
  return Object.assign(error, { errors: issues })
}
