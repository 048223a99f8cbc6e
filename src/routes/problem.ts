// The app's error and not-found handlers: every error becomes
// application/problem+json (src/http/problem.ts) with the request id and the
// security headers, a wrong method on a known path 405 with Allow. Never a
// stack trace; 5xx details are generic in production.
import { format } from 'node:util'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { problemFor, sendProblem, PROBLEMS, type Issue, type ProblemDocument } from '../http/problem.js'
import { problemForError } from '../http/framework-errors.js'
import { collectAllowedMethods } from '../http/allowed-methods.js'

export interface ProblemHandlerOptions {
  production: boolean
  /** answers a not-found request itself (e.g. an HTML page for browsers); undefined falls back to problem+json */
  notFound?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined
  /** answers an error itself (e.g. an HTML page for a browser following a dead link); undefined falls back to problem+json */
  errorPage?: (request: FastifyRequest, reply: FastifyReply, problem: ProblemDocument) => FastifyReply | undefined
  /** the security headers, for errors raised before the hook that sets them ran */
  securityHeaders?: Readonly<Record<string, string>>
}

/** Registers the handlers and starts collecting routes for Allow: call before the routes are added. */
export function registerProblemHandlers(app: FastifyInstance, options: ProblemHandlerOptions): void {
  const allowedMethods = collectAllowedMethods(app)
  const harden = (request: FastifyRequest, reply: FastifyReply) => {
    if (options.securityHeaders && !reply.hasHeader('x-content-type-options')) reply.headers(options.securityHeaders)
    if (!reply.hasHeader('x-request-id')) reply.header('x-request-id', request.id)
  }

  const notFound = (request: FastifyRequest, reply: FastifyReply) => {
    harden(request, reply)
    const path = request.url.split('?', 1)[0] ?? ''
    const allowed = allowedMethods(path)
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      reply.header('allow', allowed.join(', '))
      const detail = format(PROBLEMS.DP_ERR_METHOD_NOT_ALLOWED.detail, request.method.slice(0, 16), path.slice(0, 200), allowed.join(', '))
      return sendProblem(reply, problemFor(request, 'DP_ERR_METHOD_NOT_ALLOWED', detail))
    }
    const page = options.notFound?.(request, reply)
    if (page !== undefined) return page
    return sendProblem(reply, problemFor(request, 'DP_ERR_NOT_FOUND', `Die Adresse ${request.method.slice(0, 16)} ${path.slice(0, 200)} gibt es nicht.`))
  }

  app.setErrorHandler((error: FastifyError & { errors?: Issue[]; headers?: Record<string, string> }, request, reply) => {
    // QUERY without Content-Type fails before the not-found handler runs: a path that has no QUERY route is 404/405 first
    if (request.is404 && error.code === 'FST_ERR_ROUTE_MISSING_CONTENT_TYPE') return notFound(request, reply)
    const problem = problemForError(request, error, options.production)
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed')
    if (error.headers) reply.headers(error.headers)
    harden(request, reply)
    return options.errorPage?.(request, reply, problem) ?? sendProblem(reply, problem)
  })

  app.setNotFoundHandler(notFound)
}
