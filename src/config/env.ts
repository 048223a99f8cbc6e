// Environment -> typed settings. Every knob the gateway understands is read
// here and nowhere else (the compose-file test checks against ENV_VARS).
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { redisTargetFromEnv, type RedisTarget } from './redis-target.js'
import { isBearerToken } from '../auth/token.js'

/** OpenTelemetry export (src/telemetry), only when OTEL_EXPORTER_OTLP_ENDPOINT is set */
export interface TracingSettings {
  /** OTLP/HTTP base URL; spans go to <endpoint>/v1/traces */
  endpoint: string
  serviceName: string
}

/** Fastify's trustProxy: false, true (trust every hop), a hop count, or addresses/CIDRs */
type TrustProxy = boolean | number | string[]

interface RateBudget {
  /** requests per window per client (IP, /64 for IPv6) */
  max: number
}

export interface Settings {
  port: number
  host: string
  regionConfig: string
  dataDir: string
  redisUrl?: string
  /** Sentinel, Cluster or single node; every Redis client (store, rate limits) is built from it */
  redisTarget?: RedisTarget
  redisPrefix: string
  /** pilot insights: aggregated per-day counters (src/insights) */
  insights: InsightsSettings
  /** SHA-256 (hex) of the region admin token for GET /api/v1/admin/insights and /einblicke */
  regionAdminTokenSha256?: string
  logLevel: string
  production: boolean
  adminBodyLimitBytes: number
  /** behind a load balancer: which X-Forwarded-* hops to believe */
  trustProxy: TrustProxy
  /** RATE_LIMIT=off: no rate limiting (benchmarks, load tests on loopback) */
  rateLimit: boolean
  rateLimitWindowMs: number
  rateLimits: { api: RateBudget; suggest: RateBudget; proxy: RateBudget; admin: RateBudget }
  /** under-pressure thresholds; 0 turns a check off */
  pressure: { maxEventLoopDelayMs: number; maxHeapUsedBytes: number; maxRssBytes: number; retryAfterSeconds: number }
  /** Node server timeouts (ms); 0 = none */
  timeouts: { requestMs: number; headersMs: number; keepAliveMs: number; connectionMs: number }
  /** browser origins allowed to call the API cross-origin (portal frontends); none by default */
  corsOrigins: string[]
  /** when set, GET /metrics needs `Authorization: Bearer <token>` */
  metricsToken?: string
  /**
   * key of the /einblicke session cookies and CSRF tokens (src/insights/session.ts);
   * required in production; unset elsewhere: generated once and shared through the store
   */
  sessionSecret?: string
  /** on SIGTERM: how long /ready answers 503 before the listener closes */
  shutdownDrainMs: number
  /** upper bound for in-flight requests to finish; then exit 1 */
  shutdownTimeoutMs: number
  /**
   * lifetime of the per-member refresh lock: bounds one whole remote fetch
   * (aborted at 80 %) and how long a dead leader blocks the others
   */
  refreshLockTtlMs: number
  /** OpenTelemetry traces over OTLP/HTTP; off (undefined) unless OTEL_EXPORTER_OTLP_ENDPOINT is set */
  tracing?: TracingSettings
  /** how long "Barriere melden" reports are kept for the operator */
  reportRetentionDays: number
  /** the proxy's public addresses (see src/proxy/origin.ts) */
  proxy: ProxySettings
  /** Node's module compile cache directory (Node >= 22; COMPILE_CACHE=off: none) */
  compileCache: string | false
}

interface ProxySettings {
  /** members are proxied on `<member>.<baseDomain>`; unset = only the path form for sameOriginTrusted members */
  baseDomain?: string
  /** scheme of the member origins (and of the forwarded headers): https, http only outside production */
  scheme: 'https' | 'http'
  /** port of the member origins as residents see it; unset = the scheme's default */
  port?: number
  /** the gateway's own public origin (scheme://host[:port]): X-Forwarded-Host/-Proto for the path form */
  publicOrigin?: string
}

export interface InsightsSettings {
  enabled: boolean
  /** days a day's counters are kept */
  retentionDays: number
  /** a query text is reported only when it occurred this often that day */
  minCount: number
  flushIntervalMs: number
  /** feedback posts per client and rate-limit window */
  feedbackMax: number
}

export const ENV_VARS = [
  'PORT', 'HOST', 'REGION_CONFIG', 'DATA_DIR', 'REDIS_URL', 'REDIS_PREFIX', 'LOG_LEVEL', 'NODE_ENV',
  'ADMIN_BODY_LIMIT',
  // Sentinel / Cluster / auth, parsed by src/config/redis-target.ts
  'REDIS_SENTINELS', 'REDIS_SENTINEL_NAME', 'REDIS_CLUSTER_NODES', 'REDIS_PASSWORD',
  'TRUST_PROXY',
  'RATE_LIMIT', 'RATE_LIMIT_WINDOW_MS', 'RATE_LIMIT_API', 'RATE_LIMIT_SUGGEST', 'RATE_LIMIT_PROXY', 'RATE_LIMIT_ADMIN',
  'PRESSURE_MAX_EVENT_LOOP_DELAY_MS', 'PRESSURE_MAX_HEAP_BYTES', 'PRESSURE_MAX_RSS_BYTES', 'PRESSURE_RETRY_AFTER',
  'REQUEST_TIMEOUT_MS', 'HEADERS_TIMEOUT_MS', 'KEEP_ALIVE_TIMEOUT_MS', 'CONNECTION_TIMEOUT_MS',
  'CORS_ORIGINS', 'METRICS_TOKEN',
  'SHUTDOWN_DRAIN_MS', 'SHUTDOWN_TIMEOUT_MS',
  'REFRESH_LOCK_TTL_MS',
  'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME',
  'PROXY_BASE_DOMAIN', 'PROXY_PUBLIC_SCHEME', 'PROXY_PUBLIC_PORT', 'PUBLIC_ORIGIN',
  'REPORT_RETENTION_DAYS',
  'INSIGHTS', 'INSIGHTS_RETENTION_DAYS', 'INSIGHTS_MIN_COUNT', 'INSIGHTS_FLUSH_MS', 'INSIGHTS_FEEDBACK_RATE_LIMIT',
  'REGION_ADMIN_TOKEN_SHA256', 'SESSION_SECRET',
  'COMPILE_CACHE',
] as const

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer between ${min} and ${max}, got "${raw}"`)
  return n
}

function onOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase()
  if (raw === undefined || raw === '') return fallback
  if (['on', 'true', '1', 'yes'].includes(raw)) return true
  if (['off', 'false', '0', 'no'].includes(raw)) return false
  throw new Error(`${name} must be on or off, got "${raw}"`)
}

function list(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean)
}

/** TRUST_PROXY: unset/false, true, a hop count, or a comma list of addresses/CIDRs */
function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = raw?.trim() ?? ''
  if (value === '' || value === 'false') return false
  if (value === 'true') return true
  if (/^\d+$/.test(value)) return Number(value)
  const entries = list(value)
  for (const entry of entries) {
    if (!/^[0-9A-Fa-f:.]+(\/\d{1,3})?$/.test(entry) && !['loopback', 'linklocal', 'uniquelocal'].includes(entry)) {
      throw new Error(`TRUST_PROXY: "${entry}" is not an address, CIDR, loopback, linklocal or uniquelocal`)
    }
  }
  return entries
}

/** CORS_ORIGINS: exact origins (scheme://host[:port]), comma-separated */
function parseOrigins(raw: string | undefined): string[] {
  const origins = list(raw)
  for (const origin of origins) {
    let url: URL
    try {
      url = new URL(origin)
    } catch {
      throw new Error(`CORS_ORIGINS: "${origin}" is not an origin`)
    }
    if (!/^https?:$/.test(url.protocol) || url.origin !== origin) throw new Error(`CORS_ORIGINS: "${origin}" must be exactly scheme://host[:port]`)
  }
  return origins
}

/** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's http(s) base URL (spans go to <url>/v1/traces) */
function parseOtlpEndpoint(raw: string | undefined): string | undefined {
  const value = raw?.trim() ?? ''
  if (value === '') return undefined
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error(`OTEL_EXPORTER_OTLP_ENDPOINT: "${value}" is not a URL`)
  }
  if (!/^https?:$/.test(url.protocol) || url.search !== '' || url.hash !== '') throw new Error(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL without query, got "${value}"`)
  return value
}

const HOST_NAME = /^(?=.{1,200}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/

/** PROXY_BASE_DOMAIN, PROXY_PUBLIC_SCHEME, PROXY_PUBLIC_PORT, PUBLIC_ORIGIN */
function parseProxySettings(env: NodeJS.ProcessEnv): ProxySettings {
  const base = env.PROXY_BASE_DOMAIN?.trim().toLowerCase().replace(/\.$/, '')
  const scheme = env.PROXY_PUBLIC_SCHEME?.trim().toLowerCase() || 'https'
  if (scheme !== 'https' && scheme !== 'http') throw new Error(`PROXY_PUBLIC_SCHEME must be https or http, got "${scheme}"`)
  const out: ProxySettings = { scheme }
  if (base) {
    if (!HOST_NAME.test(base)) throw new Error(`PROXY_BASE_DOMAIN must be a lower-case host name without port, got "${base}"`)
    out.baseDomain = base
  }
  const port = int(env, 'PROXY_PUBLIC_PORT', 0, 0, 65535)
  if (port !== 0) out.port = port
  const origin = env.PUBLIC_ORIGIN?.trim()
  if (origin) {
    let url: URL | undefined
    try {
      url = new URL(origin)
    } catch {
      url = undefined
    }
    if (url === undefined || !/^https?:$/.test(url.protocol) || url.origin !== origin) {
      throw new Error(`PUBLIC_ORIGIN must be exactly scheme://host[:port], got "${origin}"`)
    }
    out.publicOrigin = origin
  }
  return out
}

const MINUTE = 60_000

/** COMPILE_CACHE: off, or a directory; default a folder in the OS temp dir (writable in the image too) */
function parseCompileCache(value: string | undefined): string | false {
  if (value === 'off') return false
  return value ? resolve(value) : join(tmpdir(), 'dachportal-compile-cache')
}

/** the shortest SESSION_SECRET accepted (`openssl rand -base64 48` gives 64 characters, 384 random bits) */
export const MIN_SESSION_SECRET_LENGTH = 32

/** SESSION_SECRET: required with NODE_ENV=production, never shorter than MIN_SESSION_SECRET_LENGTH */
function parseSessionSecret(raw: string | undefined, production: boolean): string | undefined {
  if (raw === undefined || raw === '') {
    if (production) throw new Error('SESSION_SECRET is required with NODE_ENV=production: the key of the /einblicke session cookies, at least 32 characters (e.g. openssl rand -base64 48)')
    return undefined
  }
  if (raw.length < MIN_SESSION_SECRET_LENGTH) throw new Error(`SESSION_SECRET must be at least ${MIN_SESSION_SECRET_LENGTH} characters (e.g. openssl rand -base64 48), got ${raw.length}`)
  return raw
}

/** REGION_CONFIG as given (the CLIs resolve it themselves), undefined when unset. */
export function regionConfigFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.REGION_CONFIG
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const settings: Settings = {
    port: int(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    regionConfig: resolve(env.REGION_CONFIG || 'config/region.json'),
    dataDir: resolve(env.DATA_DIR || 'data'),
    redisPrefix: env.REDIS_PREFIX || 'dachportal:',
    logLevel: env.LOG_LEVEL || 'info',
    production: env.NODE_ENV === 'production',
    adminBodyLimitBytes: int(env, 'ADMIN_BODY_LIMIT', 1024 * 1024, 1024, 50 * 1024 * 1024),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    rateLimit: onOff(env, 'RATE_LIMIT', true),
    rateLimitWindowMs: int(env, 'RATE_LIMIT_WINDOW_MS', MINUTE, 1000, 24 * 60 * MINUTE),
    rateLimits: {
      // per client and window; a search box sends a suggest per keystroke
      api: { max: int(env, 'RATE_LIMIT_API', 600, 1, 1_000_000) },
      suggest: { max: int(env, 'RATE_LIMIT_SUGGEST', 1200, 1, 1_000_000) },
      proxy: { max: int(env, 'RATE_LIMIT_PROXY', 300, 1, 1_000_000) },
      admin: { max: int(env, 'RATE_LIMIT_ADMIN', 30, 1, 1_000_000) },
    },
    pressure: {
      maxEventLoopDelayMs: int(env, 'PRESSURE_MAX_EVENT_LOOP_DELAY_MS', 1000, 0, 60_000),
      maxHeapUsedBytes: int(env, 'PRESSURE_MAX_HEAP_BYTES', 0, 0, Number.MAX_SAFE_INTEGER),
      maxRssBytes: int(env, 'PRESSURE_MAX_RSS_BYTES', 0, 0, Number.MAX_SAFE_INTEGER),
      retryAfterSeconds: int(env, 'PRESSURE_RETRY_AFTER', 10, 1, 3600),
    },
    timeouts: {
      requestMs: int(env, 'REQUEST_TIMEOUT_MS', 60_000, 0, 3_600_000),
      headersMs: int(env, 'HEADERS_TIMEOUT_MS', 10_000, 0, 3_600_000),
      // longer than the load balancer's idle timeout (nginx: 60 s), so the LB closes first
      keepAliveMs: int(env, 'KEEP_ALIVE_TIMEOUT_MS', 65_000, 0, 3_600_000),
      connectionMs: int(env, 'CONNECTION_TIMEOUT_MS', 0, 0, 3_600_000),
    },
    corsOrigins: parseOrigins(env.CORS_ORIGINS),
    shutdownDrainMs: int(env, 'SHUTDOWN_DRAIN_MS', 5000, 0, 300_000),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 25_000, 100, 600_000),
    refreshLockTtlMs: int(env, 'REFRESH_LOCK_TTL_MS', MINUTE, 1000, 60 * MINUTE),
    proxy: parseProxySettings(env),
    compileCache: parseCompileCache(env.COMPILE_CACHE),
    reportRetentionDays: int(env, 'REPORT_RETENTION_DAYS', 180, 1, 730),
    insights: {
      enabled: onOff(env, 'INSIGHTS', true),
      retentionDays: int(env, 'INSIGHTS_RETENTION_DAYS', 400, 1, 3650),
      minCount: int(env, 'INSIGHTS_MIN_COUNT', 5, 1, 1_000_000),
      flushIntervalMs: int(env, 'INSIGHTS_FLUSH_MS', 5000, 100, 3_600_000),
      feedbackMax: int(env, 'INSIGHTS_FEEDBACK_RATE_LIMIT', 10, 1, 1_000_000),
    },
  }
  const regionToken = env.REGION_ADMIN_TOKEN_SHA256?.trim().toLowerCase()
  if (regionToken) {
    if (!/^[0-9a-f]{64}$/.test(regionToken)) throw new Error('REGION_ADMIN_TOKEN_SHA256 must be 64 hex digits (SHA-256 of the token)')
    settings.regionAdminTokenSha256 = regionToken
  }
  if (env.REDIS_URL) settings.redisUrl = env.REDIS_URL
  const redisTarget = redisTargetFromEnv(env)
  if (redisTarget) settings.redisTarget = redisTarget
  if (env.METRICS_TOKEN) {
    if (!isBearerToken(env.METRICS_TOKEN)) throw new Error('METRICS_TOKEN must be a bearer token: letters, digits and - . _ ~ + / (then = padding), as clients send it')
    settings.metricsToken = env.METRICS_TOKEN
  }
  const sessionSecret = parseSessionSecret(env.SESSION_SECRET, settings.production)
  if (sessionSecret !== undefined) settings.sessionSecret = sessionSecret
  const otlp = parseOtlpEndpoint(env.OTEL_EXPORTER_OTLP_ENDPOINT)
  if (otlp !== undefined) settings.tracing = { endpoint: otlp, serviceName: env.OTEL_SERVICE_NAME || 'dachportal' }
  return settings
}
