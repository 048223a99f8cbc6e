// The per-member hot path: the guard in front of the upstream, and the
// @fastify/reply-from hooks that rewrite headers and map failures. Built once
// per member at registration; no closures are created per request.

import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import type { FastifyReplyFromHooks } from '@fastify/reply-from'
import type { IncomingHttpHeaders } from 'node:http'
import { Readable } from 'node:stream'
import { scopeChallenges } from './authenticate.js'
import { BODY_LIMIT_CODE, limitBody } from './body-limit.js'
import { rewriteSetCookies } from './cookies.js'
import { invalidHeader, stripResponseHeaders, upstreamRequestHeaders } from './headers.js'
import { rewriteLocation } from './location.js'
import { checkProxyPath } from './path-guard.js'
import { memberHostName, memberHostOf, memberOrigin, type ProxyOrigins } from './origin.js'
import { failureSide, type FailureSide } from './failure-side.js'
import { errors, problemOf, sendProblem } from '../http/problem.js'
import { contactOf, type ContactLookup } from './contact.js'
import type { MemberRoute } from './member-routes.js'
import { endUpstream, injectUpstream } from '../telemetry/index.js'

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT',
  'FST_REPLY_FROM_TIMEOUT', 'FST_REPLY_FROM_GATEWAY_TIMEOUT', 'ETIMEDOUT',
])

/** Where upstream exchanges are reported (the metrics plugin implements it). */
export interface UpstreamObserver {
  /** HTTP status of the upstream answer, 0 when there was none */
  observeUpstream(member: string, status: number, seconds: number): void
  upstreamError(member: string, kind: string): void
  /** an exchange that failed on the client's side (aborted or unfinished request); never counted against the member */
  clientFailure?(member: string, side: Exclude<FailureSide, 'upstream'>): void
}

const NO_OBSERVER: UpstreamObserver = { observeUpstream() {}, upstreamError() {} }

/** A bounded label for an undici/system error code. */
function errorKind(code: string): string {
  if (TIMEOUT_CODES.has(code)) return 'timeout'
  if (code === 'ECONNREFUSED') return 'refused'
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'reset'
  if (code === 'HPE_INVALID_CONSTANT' || code.startsWith('HPE_')) return 'bad-response'
  return 'error'
}

export function memberHooks(route: MemberRoute, contactFor: ContactLookup, origins: ProxyOrigins, observer: UpstreamObserver = NO_OBSERVER) {
  function onRequest(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    if (route.pool === undefined) {
      sendProblem(reply, problemOf(request, new errors.NO_UPSTREAM(route.id.slice(0, 64))))
      return
    }
    const raw = request.raw
    const url = raw.url ?? ''
    const onOwnOrigin = memberHostOf(raw) !== undefined
    if (!onOwnOrigin && !route.sameOriginTrusted) {
      toOwnOrigin(request, reply, url)
      return
    }
    if (isBarePrefix(url, route.prefix)) {
      // Content served at `/cities/<id>` (no slash) would get the scope
      // `/cities/`: a service worker there could control every member's pages.
      reply.code(308).header('location', `${route.prefix}/${url.slice(route.prefix.length)}`).send()
      return
    }
    const reason = checkProxyPath(url, route.prefix)
    if (reason !== null) {
      sendProblem(reply, problemOf(request, new errors.PROXY_PATH(reason)))
      return
    }
    const badHeader = invalidHeader(raw.rawHeaders)
    if (badHeader !== null) {
      sendProblem(reply, problemOf(request, new errors.PROXY_HEADER(badHeader.slice(0, 64))))
      return
    }
    const length = raw.headers['content-length']
    if (length !== undefined && Number(length) > route.bodyLimit) {
      sendProblem(reply, problemOf(request, new errors.PROXY_BODY_LIMIT(Math.floor(route.bodyLimit / 1024))))
      return
    }
    if (!route.breaker.allow()) {
      observer.upstreamError(route.id, 'breaker-open')
      const seconds = route.breaker.retryAfterSeconds()
      const { name, contact } = contactOf(route.id, contactFor)
      reply.header('retry-after', String(seconds))
      sendProblem(reply, problemOf(request, new errors.UPSTREAM_UNAVAILABLE(name, seconds), { member: route.id, contact }))
      return
    }
    done()
  }

  /** The path form of a member that must not share the portal's origin. */
  function toOwnOrigin(request: FastifyRequest, reply: FastifyReply, url: string): void {
    const origin = memberOrigin(origins, route.id)
    if (origin === undefined) {
      sendProblem(reply, problemOf(request, new errors.PROXY_NO_ORIGIN(route.id.slice(0, 64))))
      return
    }
    const reason = checkProxyPath(url, route.prefix)
    if (reason !== null) {
      sendProblem(reply, problemOf(request, new errors.PROXY_PATH(reason)))
      return
    }
    // Only the path and query come from the request, behind an origin from config.
    const rest = url.slice(route.prefix.length)
    // 307 keeps method and body; not 308: a config change must not be cached for ever.
    reply.code(307).header('location', `${origin}${rest[0] === '/' ? '' : '/'}${rest}`).header('cache-control', 'no-store').send()
  }

  function preHandler(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    // Every request body goes upstream through our own stream: undici destroys
    // the stream it was given when the upstream fails, and this way it never
    // destroys the client's request, so an error on the client's request can
    // only have come from the client (see failure-side.ts).
    const headers = request.raw.headers
    const hasBody = headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0')
    if (hasBody && request.body instanceof Readable) {
      request.body = limitBody(request.body, route.bodyLimit)
    }
    done()
  }

  return { onRequest, preHandler }
}

function isBarePrefix(url: string, prefix: string): boolean {
  return url.startsWith(prefix) && (url.length === prefix.length || url.charCodeAt(prefix.length) === 0x3f)
}

export function memberReplyOptions(route: MemberRoute, contactFor: ContactLookup, origins: ProxyOrigins, observer: UpstreamObserver = NO_OBSERVER): FastifyReplyFromHooks {
  // X-Forwarded-Host/-Proto of the path form: the configured public origin only.
  const publicOrigin = origins.publicOrigin === undefined ? undefined : new URL(origins.publicOrigin)
  const pathHost = publicOrigin?.host
  const pathProto = publicOrigin?.protocol.slice(0, -1)
  const ownHost = origins.baseDomain === undefined ? undefined : memberHostName(origins, route.id)
  // Upstream answers that must not reach the client (see rewriteResponse).
  const malformed = new WeakSet<object>()
  return {
    retryDelay: noRetry,
    rewriteRequestHeaders(request, headers) {
      const onOwnOrigin = memberHostOf(request.raw) !== undefined
      // traceparent/tracestate are set from the gateway's span (tracing on)
      return injectUpstream(request, upstreamRequestHeaders(headers as IncomingHttpHeaders, {
        upstreamHost: route.target?.host ?? '',
        cookiePrefix: onOwnOrigin ? route.hostCookiePrefix : route.cookiePrefix,
        clientIp: request.ip,
        proto: onOwnOrigin ? origins.scheme : pathProto ?? request.protocol,
        host: onOwnOrigin ? ownHost : pathHost,
        requestId: String(request.id),
      }), route.id)
    },
    rewriteHeaders(headers, request) {
      const raw = request?.raw
      const onOwnOrigin = raw !== undefined && memberHostOf(raw) !== undefined
      const out = rewriteResponse(route, headers as Record<string, unknown>, raw?.url ?? '', onOwnOrigin)
      if (out !== null) return out as IncomingHttpHeaders
      if (request !== undefined) malformed.add(request)
      return {}
    },
    onResponse(request, reply, res) {
      endUpstream(request, res.statusCode)
      if (malformed.has(request)) {
        res.stream.destroy()
        rejectMalformed(route, contactFor, reply as unknown as FastifyReply, observer)
        return
      }
      route.succeed()
      observer.observeUpstream(route.id, res.statusCode, reply.elapsedTime / 1000)
      reply.send(res.stream)
    },
    onError(reply, { error }) {
      endUpstream(reply.request, 0, error)
      upstreamFailed(route, contactFor, reply as unknown as FastifyReply, error, observer)
    },
  }
}

function noRetry(): null {
  return null
}

// Singletons (RFC 9110): two values would leave one unrewritten or ambiguous.
const SINGLE_URL_HEADERS = ['location', 'content-location'] as const

/** The response headers for the client, or null when the answer is malformed (502). */
function rewriteResponse(route: MemberRoute, headers: Record<string, unknown>, url: string, onOwnOrigin: boolean): Record<string, unknown> | null {
  for (const name of SINGLE_URL_HEADERS) {
    const value = headers[name]
    if (value !== undefined && typeof value !== 'string') return null
  }
  stripResponseHeaders(headers)
  const setCookie = headers['set-cookie']
  if (typeof setCookie === 'string' || Array.isArray(setCookie)) {
    headers['set-cookie'] = rewriteSetCookies(setCookie as string | string[], onOwnOrigin ? route.hostCookieScope : route.cookieScope)
  }
  const challenge = headers['www-authenticate']
  if (typeof challenge === 'string' || Array.isArray(challenge)) {
    const scoped = scopeChallenges(challenge as string | string[], route.id)
    if (scoped === undefined) delete headers['www-authenticate']
    else headers['www-authenticate'] = scoped
  }
  for (const name of SINGLE_URL_HEADERS) {
    const value = headers[name]
    if (typeof value !== 'string') continue
    const rewritten = rewriteLocation(value, upstreamPath(route, url), onOwnOrigin ? route.hostLocationScope : route.locationScope)
    if (rewritten === null) delete headers[name]
    else headers[name] = rewritten
  }
  return headers
}

/** The path the upstream was asked for, to resolve relative Locations against. */
function upstreamPath(route: MemberRoute, url: string): string {
  const q = url.indexOf('?')
  const suffix = url.slice(route.prefix.length + 1, q === -1 ? url.length : q)
  return route.locationScope.basePath + suffix
}

function upstreamFailed(route: MemberRoute, contactFor: ContactLookup, reply: FastifyReply, error: Error, observer: UpstreamObserver): void {
  const code = errorCode(error)
  const request = reply.request
  if (code === BODY_LIMIT_CODE) {
    reply.header('connection', 'close')
    sendProblem(reply, problemOf(request, new errors.PROXY_BODY_LIMIT(Math.floor(route.bodyLimit / 1024))))
    return
  }
  const side = failureSide(error, code, request.raw)
  if (side === 'client-abort') {
    // The client broke off its own request: usually nobody is left to read
    // this answer, and the upstream did nothing wrong.
    observer.clientFailure?.(route.id, side)
    request.log.info({ member: route.id, code }, 'client aborted the request')
    reply.header('connection', 'close')
    sendProblem(reply, problemOf(request, new errors.PROXY_REQUEST_INCOMPLETE()))
    return
  }
  if (side === 'client-incomplete') {
    // The upstream gave up while the client had not sent its whole request
    // (a stalled upload): not the upstream's failure, so not counted.
    observer.clientFailure?.(route.id, side)
    request.log.info({ member: route.id, code }, 'request incomplete when the upstream exchange ended')
    reply.header('connection', 'close')
    const { name, contact } = contactOf(route.id, contactFor)
    sendProblem(reply, problemOf(request, TIMEOUT_CODES.has(code) ? new errors.UPSTREAM_TIMEOUT(name) : new errors.UPSTREAM_FAILED(name), { member: route.id, contact }))
    return
  }
  route.fail(code)
  observer.observeUpstream(route.id, 0, reply.elapsedTime / 1000)
  observer.upstreamError(route.id, errorKind(code))
  request.log.warn({ member: route.id, code }, 'upstream failed')
  const { name, contact } = contactOf(route.id, contactFor)
  sendProblem(reply, problemOf(request, TIMEOUT_CODES.has(code) ? new errors.UPSTREAM_TIMEOUT(name) : new errors.UPSTREAM_FAILED(name), { member: route.id, contact }))
}

/** An upstream answer the gateway will not pass on: 502, counted as a bad response. */
function rejectMalformed(route: MemberRoute, contactFor: ContactLookup, reply: FastifyReply, observer: UpstreamObserver): void {
  const request = reply.request
  route.fail('DP_MALFORMED_RESPONSE')
  observer.observeUpstream(route.id, 0, reply.elapsedTime / 1000)
  observer.upstreamError(route.id, 'bad-response')
  request.log.warn({ member: route.id, code: 'DP_MALFORMED_RESPONSE' }, 'upstream answered with repeated Location or Content-Location')
  const { name, contact } = contactOf(route.id, contactFor)
  sendProblem(reply, problemOf(request, new errors.UPSTREAM_FAILED(name), { member: route.id, contact }))
}

/** reply-from wraps undici errors; the undici code sits on the cause. */
function errorCode(error: Error): string {
  let current: unknown = error
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code
    if (typeof code === 'string' && !code.startsWith('FST_REPLY_FROM_INTERNAL')) {
      if (!code.startsWith('FST_') || current.cause === undefined) return code
    }
    current = current.cause
  }
  return 'UPSTREAM_ERROR'
}
