// The tracing types both sides of the seam share: index.ts (always loaded) and sdk.ts (loaded on
// demand). Kept apart so sdk.ts need not import index.ts: the arrows point one way.
import type { FastifyPluginAsync } from 'fastify'

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
