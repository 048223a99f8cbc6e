// Errors the ops layer answers with. Declared here until the lead moves them
// into src/errors.ts (same codes, same statuses).
import createError from '@fastify/error'

export const opsErrors = {
  RATE_LIMITED: createError('DP_ERR_RATE_LIMITED', 'Zu viele Anfragen: bitte in %d Sekunden erneut versuchen', 429),
  OVERLOADED: createError('DP_ERR_OVERLOADED', 'Der Dienst ist gerade überlastet: bitte später erneut versuchen', 503),
} as const
