// The seam between the gateway and OpenTelemetry. This file imports nothing
// from @opentelemetry at runtime: with tracing off (no
// OTEL_EXPORTER_OTLP_ENDPOINT) the SDK is never loaded, so cold start pays
// nothing, and every helper below is a pass-through. startTracing() loads
// ./sdk.js (and with it the SDK) on demand and plugs it in here.
import type { TracingSettings } from '../config/env.js'

import type { SpanAttributes, SpanHandle, Tracing } from './types.js'

export type { SpanAttributes, SpanHandle, Tracing }

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

