// One place turns every error into application/problem+json (RFC 9457).
// Residents see German titles; the admin API (member IT teams) English ones.
// Never a stack trace; 5xx details are generic in production.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

export interface ProblemIssue {
  path: string
  in?: string
  message: string
}

export interface ProblemDocument {
  type: string
  title: string
  status: number
  detail?: string
  instance?: string
  code?: string
  errors?: ProblemIssue[]
  [extra: string]: unknown
}

const TITLES_DE: Record<number, string> = {
  400: 'Ungültige Anfrage',
  401: 'Nicht angemeldet',
  403: 'Keine Berechtigung',
  404: 'Nicht gefunden',
  405: 'Methode nicht erlaubt',
  406: 'Nicht annehmbar',
  409: 'Konflikt',
  413: 'Anfrage zu groß',
  415: 'Nicht unterstützter Inhaltstyp',
  422: 'Inhalt ungültig',
  429: 'Zu viele Anfragen',
  500: 'Interner Fehler',
  502: 'Dienst nicht erreichbar',
  503: 'Vorübergehend nicht verfügbar',
  504: 'Zeitüberschreitung',
}
const TITLES_EN: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
}

export function problemType(code: string): string {
  return `urn:dachportal:problem:${code.replace(/^DP_ERR_|^FST_ERR_/, '').toLowerCase().replace(/_/g, '-')}`
}

export function problemFor(request: FastifyRequest, status: number, fields: Partial<ProblemDocument> & { code?: string }): ProblemDocument {
  const english = request.url.startsWith('/api/v1/admin/')
  const titles = english ? TITLES_EN : TITLES_DE
  return {
    type: fields.code ? problemType(fields.code) : 'about:blank',
    title: titles[status] ?? (english ? 'Error' : 'Fehler'),
    status,
    instance: request.url.split('?', 1)[0],
    ...fields,
  }
}

export function sendProblem(reply: FastifyReply, problem: ProblemDocument): FastifyReply {
  return reply.code(problem.status).type('application/problem+json; charset=utf-8').send(problem)
}

interface ValidationError {
  instancePath: string
  keyword: string
  params: Record<string, unknown>
  message?: string
}

function validationIssues(error: FastifyError): ProblemIssue[] {
  const where = error.validationContext ?? 'request'
  return (error.validation as ValidationError[]).map((v) => {
    // a missing or an undeclared parameter is named by itself, not by its parent
    const name = v.keyword === 'required' ? `/${String(v.params.missingProperty)}`
      : v.keyword === 'additionalProperties' ? `${v.instancePath}/${String(v.params.additionalProperty)}`
        : v.instancePath || '/'
    return { path: name, in: where, message: v.message ?? 'is invalid' }
  })
}

const FASTIFY_STATUS: Record<string, number> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 413,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 415,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 400,
  FST_ERR_CTP_EMPTY_JSON_BODY: 400,
  FST_ERR_CTP_INVALID_JSON_BODY: 400,
}

export interface ProblemHandlerOptions {
  production: boolean
  /** answers a not-found request itself (e.g. an HTML page for browsers); undefined falls back to problem+json */
  notFound?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined
}

export function registerProblemHandlers(app: FastifyInstance, options: ProblemHandlerOptions): void {
  app.setErrorHandler((error: FastifyError & { errors?: ProblemIssue[]; headers?: Record<string, string> }, request, reply) => {
    if (error.validation) {
      const errors = validationIssues(error)
      return sendProblem(reply, problemFor(request, 400, {
        code: 'DP_ERR_BAD_REQUEST',
        detail: `${errors.length} invalid parameter(s): ${errors.map((e) => e.path.slice(1) || e.in).join(', ')}`,
        errors,
      }))
    }
    const status = FASTIFY_STATUS[error.code] ?? (error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500)
    if (status >= 500) request.log.error({ err: error }, 'request failed')
    if (error.headers) reply.headers(error.headers)
    const internal = status >= 500 && (options.production || !error.code?.startsWith('DP_ERR_'))
    const problem = problemFor(request, status, {
      ...(error.code ? { code: error.code } : {}),
      detail: internal ? (request.url.startsWith('/api/v1/admin/') ? 'An internal error occurred.' : 'Ein interner Fehler ist aufgetreten.') : error.message,
    })
    if (Array.isArray(error.errors) && status < 500) problem.errors = error.errors
    return sendProblem(reply, problem)
  })

  app.setNotFoundHandler((request, reply) => {
    if (options.notFound?.(request, reply) !== undefined) return
    sendProblem(reply, problemFor(request, 404, {
      code: 'DP_ERR_NOT_FOUND',
      detail: `Route ${request.method} ${request.url.split('?', 1)[0]} not found`,
    }))
  })
}
