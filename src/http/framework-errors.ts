// Errors that are not ours (Fastify's FST_ERR_*, plugins', plain throws) as
// problem documents with our codes and German text, for the app's error
// handler and for Fastify's `frameworkErrors` option (bad URLs and over-long
// path parameters are answered before any route or hook runs).
import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify'
import type { Socket } from 'node:net'
import { errors, isProblemCode, PROBLEMS, problemFor, problemOf, sendProblem, type Issue, type ProblemCode, type ProblemDocument } from './problem.js'

/** Fastify's default maxParamLength (the gateway does not change it) */
const MAX_PARAM_LENGTH = 100

type AnyError = FastifyError & { errors?: Issue[] }

// Fastify's own codes: which of ours, with which German detail
const FASTIFY: Record<string, (request: FastifyRequest) => [ProblemCode, string?]> = {
  FST_ERR_BAD_URL: () => ['DP_ERR_BAD_URL'],
  FST_ERR_MAX_PARAM_LENGTH: () => ['DP_ERR_URI_TOO_LONG', new errors.URI_TOO_LONG(MAX_PARAM_LENGTH).message],
  FST_ERR_CTP_BODY_TOO_LARGE: () => ['DP_ERR_BODY_TOO_LARGE'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => ['DP_ERR_MEDIA_TYPE'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => ['DP_ERR_BAD_BODY', 'Content-Length passt nicht zum Inhalt der Anfrage.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: () => ['DP_ERR_BAD_BODY', 'Der Inhalt ist leer, obwohl Content-Type: application/json angegeben ist.'],
  FST_ERR_CTP_INVALID_JSON_BODY: () => ['DP_ERR_BAD_BODY', 'Der Inhalt ist kein gültiges JSON.'],
  FST_ERR_ROUTE_MISSING_CONTENT_TYPE: (request) => ['DP_ERR_BAD_REQUEST', `Die Methode ${request.method.slice(0, 16)} braucht einen Content-Type-Header.`],
}

// anything else: the status decides
const BY_STATUS: Record<number, [ProblemCode, string?]> = {
  400: ['DP_ERR_BAD_REQUEST', 'Die Anfrage ist ungültig.'],
  404: ['DP_ERR_NOT_FOUND', 'Die angefragte Ressource gibt es nicht.'],
  405: ['DP_ERR_METHOD_NOT_ALLOWED', 'Diese Methode ist hier nicht erlaubt.'],
  406: ['DP_ERR_NOT_ACCEPTABLE'],
  409: ['DP_ERR_CONFLICT'],
  413: ['DP_ERR_BODY_TOO_LARGE'],
  414: ['DP_ERR_URI_TOO_LONG', 'Die Adresse ist zu lang.'],
  415: ['DP_ERR_MEDIA_TYPE'],
  422: ['DP_ERR_UNPROCESSABLE'],
  429: ['DP_ERR_TOO_MANY_REQUESTS'],
  503: ['DP_ERR_UNAVAILABLE'],
}

interface ValidationError {
  instancePath: string
  keyword: string
  params: Record<string, unknown>
  message?: string
}

function validationIssues(error: FastifyError): Issue[] {
  const where = error.validationContext ?? 'request'
  return (error.validation as ValidationError[]).map((v) => {
    // a missing or an undeclared parameter is named by itself, not by its parent
    const path = v.keyword === 'required' ? `/${String(v.params.missingProperty)}`
      : v.keyword === 'additionalProperties' ? `${v.instancePath}/${String(v.params.additionalProperty)}`
        : v.instancePath || '/'
    return { path, in: where, message: v.message ?? 'is invalid' }
  })
}

function statusOf(error: AnyError): number {
  const status = error.statusCode ?? (error as { status?: number }).status
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500
}

/** The problem document for any error; 5xx never show their message in production (nor a non-DP 5xx's ever). */
export function problemForError(request: FastifyRequest, error: AnyError, production: boolean): ProblemDocument {
  if (error.validation) {
    const issues = validationIssues(error)
    const names = issues.map((e) => e.path.slice(1) || e.in).join(', ')
    return { ...problemFor(request, 'DP_ERR_BAD_REQUEST', `${issues.length} ungültige Angabe(n): ${names}`), errors: issues }
  }
  if (isProblemCode(error.code)) {
    const problem = problemOf(request, error)
    if (problem.status >= 500 && production) problem.detail = PROBLEMS.DP_ERR_INTERNAL.detail
    return problem
  }
  const known = FASTIFY[error.code]
  if (known) {
    const [code, detail] = known(request)
    return problemFor(request, code, detail)
  }
  const status = statusOf(error)
  const [code, detail] = BY_STATUS[status] ?? [status >= 500 ? 'DP_ERR_INTERNAL' : 'DP_ERR_BAD_REQUEST', status >= 500 ? undefined : 'Die Anfrage ist ungültig.']
  // the original status stands where no code of ours has it (e.g. 408, 502)
  return problemFor(request, code, detail, PROBLEMS[code].status === status ? undefined : { status })
}

/**
 * Fastify's `frameworkErrors`: no hook has run, so the security headers and the
 * request id are set here. Fastify logs the incoming request; sendProblem the problem.
 */
export function frameworkErrorHandler(securityHeaders: Readonly<Record<string, string>>): NonNullable<FastifyServerOptions['frameworkErrors']> {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    reply.headers(securityHeaders)
    reply.header('x-request-id', request.id)
    if (statusOf(error) >= 500) request.log.error({ err: error }, 'framework error')
    sendProblem(reply, problemForError(request, error, true))
  }
}

/**
 * Fastify's `clientErrorHandler`: Node reports a request that outlived
 * REQUEST_TIMEOUT_MS (its body still trickling) on the socket, outside any
 * route, so the problem is written raw: 408 problem+json like every other
 * error (Fastify's default answers plain JSON), then the socket is closed.
 */
export function clientErrorHandler(securityHeaders: Readonly<Record<string, string>>): NonNullable<FastifyServerOptions['clientErrorHandler']> {
  return (error: Error & { code?: string }, socket: Socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return
    const [code, detail]: [ProblemCode, string?] = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? ['DP_ERR_REQUEST_TIMEOUT']
      : error.code === 'HPE_HEADER_OVERFLOW' ? ['DP_ERR_BAD_REQUEST', 'Die Header der Anfrage sind zu groß.']
        : ['DP_ERR_BAD_REQUEST', 'Die Anfrage ist ungültig.']
    const body = JSON.stringify(problemFor({ url: '' }, code, detail))
    const status = PROBLEMS[code].status
    if (socket.writable) {
      const headers = Object.entries(securityHeaders).map(([name, value]) => `${name}: ${value}\r\n`).join('')
      socket.write(`HTTP/1.1 ${status} ${status === 408 ? 'Request Timeout' : 'Bad Request'}\r\nContent-Type: application/problem+json; charset=utf-8\r\n`
        + `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n${headers}\r\n${body}`)
    }
    socket.destroy(error)
  }
}
