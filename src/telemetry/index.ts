// The seam between the gateway and OpenTelemetry. This file imports nothing
// from @opentelemetry at runtime: with tracing off (no
// OTEL_EXPORTER_OTLP_ENDPOINT) the SDK is never loaded, so cold start pays
// nothing, and every helper below is a pass-through. startTracing() loads
// ./sdk.js (and with it the SDK) on demand and plugs it in here.
import type { FastifyPluginAsync } from 'fastify'

import type { TracingSettings } from '../config/env.js'

export type SpanAttributes = Record<string, string | number | boolean>

/** The small part of a span the gateway touches. */
export interface SpanHandle {
  setAttributes(attributes: SpanAttributes): void
  fail(error: unknown): void
}

export interface Tracing {
  /** runs fn inside a child span of the active one; ends it when fn (or its promise) settles */
  withSpan<T>(name: string, attributes: SpanAttributes, fn: (span: SpanHandle) => T): T
  /** a span per request, made active for the request's hooks and handler (root-level hooks) */
  requestPlugin: FastifyPluginAsync
  /** trace_id/span_id of the active span, for pino's mixin */
  logFields(): Record<string, string>
  /** the proxied request's outgoing headers with the gateway's traceparent/tracestate */
  injectUpstream(request: object, headers: Record<string, string | string[]>, member: string): Record<string, string | string[]>
  /** end the upstream span of a proxied request */
  endUpstream(request: object, status: number, error?: unknown): void
  flush(): Promise<void>
  shutdown(): Promise<void>
}

let active: Tracing | undefined

/** The running tracer, or undefined when tracing is off. */
export function tracing(): Tracing | undefined {
  return active
}

/** Loads the SDK and starts exporting; idempotent. */
export async function startTracing(settings: TracingSettings): Promise<Tracing> {
  if (active) return active
  const sdk = await import('./sdk.js')
  active = sdk.createTracing(settings)
  return active
}

/** Stops exporting (flushes first) and turns the helpers back into pass-throughs. */
export async function stopTracing(): Promise<void> {
  const current = active
  active = undefined
  await current?.shutdown()
}

const NO_SPAN: SpanHandle = { setAttributes() {}, fail() {} }

export function withSpan<T>(name: string, attributes: SpanAttributes, fn: (span: SpanHandle) => T): T {
  return active === undefined ? fn(NO_SPAN) : active.withSpan(name, attributes, fn)
}

/** pino mixin: the active trace id on every log line (nothing when off). */
export function traceLogFields(): Record<string, string> {
  return active === undefined ? {} : active.logFields()
}

export function injectUpstream(request: object, headers: Record<string, string | string[]>, member: string): Record<string, string | string[]> {
  return active === undefined ? headers : active.injectUpstream(request, headers, member)
}

export function endUpstream(request: object, status: number, error?: unknown): void {
  active?.endUpstream(request, status, error)
}

