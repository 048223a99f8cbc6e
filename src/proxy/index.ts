// ALL /cities/:member/* -> the member's upstream from the region config.
// One @fastify/http-proxy registration per member (encapsulated, own undici
// pool). The plugin is wrapped in fastify-plugin only so that `proxyHealth`,
// `memberHealth` and `reloadProxy` are visible to the app (for
// /api/v1/members, the portal, metrics and config reloads); all hooks and routes live in an encapsulated `/cities` child.
//
// Reload: reloadProxy(members) swaps upstream URL, pool, timeouts and body
// limit of every member registered at start, and deactivates removed members
// (404). A member that gains an upstream after start needs a restart, because
// Fastify cannot add routes once it listens; reloadProxy reports those.

import fp from 'fastify-plugin'
import type { Dispatcher } from 'undici'
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyError } from 'fastify'
import type { MemberConfig } from '../config/region-schema.js'
import { isSlug } from '../manifest/schema.js'
import type { BreakerOptions } from './breaker.js'
import { ProxyTable, type MemberHealth, type MemberRoute, type ProxyHealth, type ProxyLimits, type ReloadResult } from './member-routes.js'
import { errors, isProblemCode, problemFor, problemOf, sendProblem } from '../http/problem.js'
import { contactOf, type ContactLookup } from './contact.js'
import { memberHooks, memberReplyOptions, type UpstreamObserver } from './member-hooks.js'
import type { ProxyOrigins } from './origin.js'

export { memberHostRouter, type ProxyOrigins } from './origin.js'

export interface ProxyPluginOptions {
  members: MemberConfig[]
  contactFor: ContactLookup
  defaults?: Partial<ProxyLimits>
  breaker?: Partial<BreakerOptions>
  /** injectable clock for the breakers (tests) */
  clock?: () => number
  /** upstream latency and errors per member (metrics) */
  observer?: UpstreamObserver
  /**
   * member origins (PROXY_BASE_DOMAIN ...). Requests reach a member origin only
   * when the app routes Host with memberHostRouter (Fastify's rewriteUrl).
   * Default: none, only the path form of sameOriginTrusted members.
   */
  origins?: ProxyOrigins
}

declare module 'fastify' {
  interface FastifyInstance {
    proxyHealth: ProxyHealth
    /** breaker state of one member (undefined: no upstream); the API and the portal show it */
    memberHealth: (memberId: string) => MemberHealth | undefined
    reloadProxy: (members: MemberConfig[]) => ReloadResult
  }
}

const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']
const allowed = new Set(ALLOWED_METHODS)
const ALLOW_HEADER = ALLOWED_METHODS.join(', ')
// reply-from needs a base URL; the real upstream is chosen per request by MemberRoute.
const PLACEHOLDER_UPSTREAM = 'http://upstream.invalid'

async function proxy(app: FastifyInstance, opts: ProxyPluginOptions): Promise<void> {
  if (typeof opts.contactFor !== 'function') throw new Error('proxy: contactFor must be a function')
  if (!Array.isArray(opts.members)) throw new Error('proxy: members must be an array')
  const origins: ProxyOrigins = opts.origins ?? { scheme: 'https' }
  const table = new ProxyTable({ ...opts, secureOrigins: origins.scheme === 'https' })
  app.decorate('proxyHealth', table.health)
  app.decorate('memberHealth', (id: string) => table.health.get(id))
  app.decorate('reloadProxy', (members: MemberConfig[]) => table.reload(members))
  app.addHook('onClose', async () => table.close())
  if (origins.baseDomain === undefined) {
    const unserved = opts.members.filter((m) => m.upstream !== undefined && m.sameOriginTrusted !== true).map((m) => m.id)
    if (unserved.length > 0) {
      app.log.warn({ members: unserved }, 'PROXY_BASE_DOMAIN is not set: these members are not proxied (503), only sameOriginTrusted ones are')
    }
  }
  await app.register(cities, { prefix: '/cities', table, contactFor: opts.contactFor, origins, ...(opts.observer ? { observer: opts.observer } : {}) })
}

interface CitiesOptions {
  table: ProxyTable
  contactFor: ContactLookup
  origins: ProxyOrigins
  observer?: UpstreamObserver
}

async function cities(scope: FastifyInstance, { table, contactFor, origins, observer }: CitiesOptions): Promise<void> {
  scope.setNotFoundHandler(notFound)
  scope.setErrorHandler(proxyError)
  for (const route of table.routes.values()) {
    await scope.register(member, { prefix: `/${route.id}`, route, contactFor, origins, ...(observer ? { observer } : {}) })
  }
}

interface MemberOptions {
  route: MemberRoute
  contactFor: ContactLookup
  origins: ProxyOrigins
  observer?: UpstreamObserver
}

async function member(scope: FastifyInstance, { route, contactFor, origins, observer }: MemberOptions): Promise<void> {
  const hooks = memberHooks(route, contactFor, origins, observer)
  scope.addHook('onRequest', hooks.onRequest)
  scope.addHook('preHandler', hooks.preHandler)
  // Bodies must stream through untouched: without this Fastify's built-in
  // text/plain parser would buffer and re-encode them under the global limit.
  scope.removeAllContentTypeParsers()
  // loaded with the first member that has an upstream: a region without any never pays for it (cold start)
  const { default: httpProxy } = await import('@fastify/http-proxy')
  await scope.register(httpProxy, {
    upstream: PLACEHOLDER_UPSTREAM,
    // MemberRoute implements Dispatcher.request (callback form), which is all reply-from calls.
    undici: route as unknown as { request: Dispatcher['request'] },
    httpMethods: ALLOWED_METHODS,
    internalRewriteLocationHeader: false,
    disableRequestLogging: true,
    // CORS_ORIGINS is the API's policy: preflights go to the member, and none of its headers are added to a member's answers
    config: { cors: false },
    replyOptions: memberReplyOptions(route, contactFor, origins, observer),
  })
}

function notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (!allowed.has(request.method)) {
    reply.header('allow', ALLOW_HEADER)
    return sendProblem(reply, problemOf(request, new errors.PROXY_METHOD(request.method.slice(0, 16))))
  }
  const segment = (request.raw.url ?? '').split(/[/?]/)[2] ?? ''
  return sendProblem(reply, problemOf(request, new errors.NO_UPSTREAM(isSlug(segment) ? segment : 'unbekannt')))
}

function proxyError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
  if (status >= 500) request.log.error({ err: error }, 'proxy error')
  // one of ours raised in an app-wide hook (e.g. the rate limit's 429): its own code and text
  if (status < 500 && isProblemCode(error.code)) return sendProblem(reply, problemOf(request, error))
  return sendProblem(reply, status < 500
    ? problemFor(request, 'DP_ERR_PROXY', undefined, { status })
    : problemFor(request, 'DP_ERR_INTERNAL', 'Beim Weiterleiten ist ein Fehler aufgetreten.', { status }))
}

export const proxyPlugin = fp(proxy, { name: 'dachportal-proxy', fastify: '5.x' })
