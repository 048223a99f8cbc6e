// Privacy-safe pino options for Fastify (DSGVO): a request id on every
// request line, no bodies, no query strings (only their length), no
// credentials, client IPs truncated to /24 (IPv4) or /48 (IPv6).
import { isIP } from 'node:net'
import type { IncomingMessage } from 'node:http'
import { randomUUID } from 'node:crypto'
import type { FastifyServerOptions } from 'fastify'
import type { DestinationStream, LoggerOptions } from 'pino'

const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/

/** Honour a sane incoming X-Request-Id (from the load balancer), else a fresh one. */
export function genReqId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id']
  if (typeof incoming === 'string' && REQUEST_ID.test(incoming)) return incoming
  return randomUUID()
}

/** IPv4 -> a.b.c.0, IPv6 -> first 48 bits; anything else -> undefined */
export function truncateIp(ip: string | undefined): string | undefined {
  if (ip === undefined) return undefined
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  const address = mapped?.[1] ?? ip
  const family = isIP(address)
  if (family === 4) return address.replace(/\.\d+$/, '.0')
  if (family === 6) return `${expandV6(address).slice(0, 3).join(':')}::/48`
  return undefined
}

function expandV6(address: string): string[] {
  const [head = '', tail = ''] = address.split('%', 1)[0]!.split('::')
  const left = head ? head.split(':') : []
  const right = address.includes('::') && tail ? tail.split(':') : []
  const fill = address.includes('::') ? new Array<string>(8 - left.length - right.length).fill('0') : []
  return [...left, ...fill, ...right].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
}

/** "/path?query" -> the path and the query's length (never the query itself) */
export function splitUrl(url: string | undefined): { path: string; queryLength?: number } {
  const raw = url ?? ''
  const at = raw.indexOf('?')
  if (at === -1) return { path: raw }
  return { path: raw.slice(0, at), queryLength: raw.length - at - 1 }
}

interface RequestLike {
  method?: string
  url?: string
  ip?: string
  id?: string
  routeOptions?: { url?: string }
  socket?: { remoteAddress?: string }
}

/** Proxied paths may name a resident's case or account: keep the member only. */
function loggablePath(path: string): string {
  const proxied = /^\/cities\/([^/]*)\/./.exec(path)
  return proxied ? `/cities/${proxied[1]}/…` : path
}

/** An unmatched path is whatever someone typed (e.g. /suche/<a name>): its first segment only. */
function unmatchedPath(path: string): string {
  const second = path.indexOf('/', 1)
  return second === -1 || second === path.length - 1 ? path : `${path.slice(0, second)}/…`
}

function serializeRequest(req: RequestLike): Record<string, unknown> {
  const { path, queryLength } = splitUrl(req.url)
  const route = req.routeOptions?.url
  const out: Record<string, unknown> = { method: req.method, path: route === undefined ? unmatchedPath(path) : loggablePath(path) }
  if (queryLength !== undefined) out.queryLength = queryLength
  if (route !== undefined) out.route = route
  const ip = truncateIp(req.ip ?? req.socket?.remoteAddress)
  if (ip !== undefined) out.remoteAddress = ip
  return out
}

function serializeResponse(reply: { statusCode?: number }): Record<string, unknown> {
  return { statusCode: reply.statusCode }
}

/** @fastify/reply-from logs the upstream URL as `source`: keep its origin and path only */
function serializeUrl(value: unknown): unknown {
  if (typeof value !== 'string') return value
  const { path, queryLength } = splitUrl(value)
  const origin = /^https?:\/\/[^/]+/i.exec(path)?.[0]
  // upstream URLs: origin only (the path is the resident's, like the query)
  if (origin !== undefined) return queryLength === undefined && path === origin ? origin : `${origin}/…`
  return queryLength === undefined ? loggablePath(path) : `${loggablePath(path)}?<${queryLength} chars>`
}

function serializeError(err: Error & { code?: string; statusCode?: number }): Record<string, unknown> {
  // message and code, stack outside production; never the request or its body
  return { type: err.name, code: err.code, statusCode: err.statusCode, message: err.message, stack: err.stack }
}

const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]',
  'res.headers["set-cookie"]', 'headers.authorization', 'headers.cookie', 'headers["set-cookie"]',
  '*.authorization', '*.cookie', '*["set-cookie"]', '*.token', '*.password', 'token', 'password',
]

export interface LoggingOptions {
  level: string
  production: boolean
  /** tests capture output here */
  stream?: DestinationStream
  /** extra fields on every line (the active trace id when tracing is on) */
  mixin?: () => Record<string, unknown>
}

/** The `logger` option for Fastify. */
export function loggerOptions(options: LoggingOptions): FastifyServerOptions['logger'] & LoggerOptions {
  const opts: LoggerOptions & { stream?: DestinationStream } = {
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req: serializeRequest as (req: unknown) => Record<string, unknown>,
      res: serializeResponse,
      err: options.production ? (err: Error) => ({ ...serializeError(err), stack: undefined }) : serializeError,
      source: serializeUrl,
      url: serializeUrl,
    },
  }
  if (options.stream) opts.stream = options.stream
  if (options.mixin) opts.mixin = options.mixin
  return opts as FastifyServerOptions['logger'] & LoggerOptions
}
