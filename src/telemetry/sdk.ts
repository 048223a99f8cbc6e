// OpenTelemetry tracing, loaded only by startTracing() when
// OTEL_EXPORTER_OTLP_ENDPOINT is set. Spans are made by hand (Fastify hooks,
// store/search/refresh wrappers, the proxy's header rewrite) instead of
// monkey-patching instrumentations: no import hooks for ESM, nothing to load
// before the app, and we decide exactly which attributes leave the process.
// Privacy: a request span carries the method and the route pattern
// (/cities/:member/*), never url.full, url.path, url.query or http.target.
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api'
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import type { TracingSettings } from '../config/env.js'
import type { SpanAttributes, SpanHandle, Tracing } from './types.js'

/** <endpoint>/v1/traces, as the OTLP spec derives it from OTEL_EXPORTER_OTLP_ENDPOINT */
function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`
}

export function createTracing(settings: TracingSettings): Tracing {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(settings.endpoint) }))],
  })
  // global context manager (AsyncLocalStorage) and W3C trace-context propagator
  provider.register()
  const tracer = trace.getTracer('dachportal')
  const requestSpans = new WeakMap<object, Span>()
  const upstreamSpans = new WeakMap<object, Span>()

  function fail(span: Span, error: unknown): void {
    // the error's class and code only: messages may quote a resident's input
    const err = error as { name?: string; code?: unknown }
    span.setStatus({ code: SpanStatusCode.ERROR, message: typeof err?.code === 'string' ? err.code : err?.name ?? 'error' })
  }

  function withSpan<T>(name: string, attributes: SpanAttributes, fn: (span: SpanHandle) => T): T {
    return tracer.startActiveSpan(name, { attributes }, (span) => {
      const handle: SpanHandle = { setAttributes: (a) => span.setAttributes(a), fail: (e) => fail(span, e) }
      let result: T
      try {
        result = fn(handle)
      } catch (error) {
        fail(span, error)
        span.end()
        throw error
      }
      if (result instanceof Promise) {
        return result.then(
          (value: unknown) => {
            span.end()
            return value
          },
          (error: unknown) => {
            fail(span, error)
            span.end()
            throw error
          },
        ) as T
      }
      span.end()
      return result
    })
  }

  function onRequest(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    // A new trace per request: a public client's traceparent is not trusted.
    const route = request.routeOptions.url
    const span = tracer.startSpan(route === undefined ? request.method : `${request.method} ${route}`, {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': request.method,
        'url.scheme': request.protocol,
        ...(route === undefined ? {} : { 'http.route': route }),
      },
    }, ROOT_CONTEXT)
    requestSpans.set(request, span)
    // the rest of the hook chain and the handler run with this span active
    context.with(trace.setSpan(ROOT_CONTEXT, span), done)
  }

  function endRequest(request: FastifyRequest, status: number | undefined): void {
    const span = requestSpans.get(request)
    if (span === undefined) return
    requestSpans.delete(request)
    if (status === undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: 'aborted' })
    else {
      span.setAttribute('http.response.status_code', status)
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
    }
    span.end()
  }

  const requestPlugin = fp(async (app) => {
    app.addHook('onRequest', onRequest)
    app.addHook('onResponse', (request, reply, done) => {
      endRequest(request, reply.statusCode)
      done()
    })
    app.addHook('onRequestAbort', (request, done) => {
      endRequest(request, undefined)
      done()
    })
  }, { name: 'dachportal-tracing', fastify: '5.x' })

  function injectUpstream(request: object, headers: Record<string, string | string[]>, member: string): Record<string, string | string[]> {
    const parent = requestSpans.get(request)
    const parentContext = parent === undefined ? context.active() : trace.setSpan(ROOT_CONTEXT, parent)
    const span = tracer.startSpan(`proxy ${member}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'dachportal.member': member, ...(typeof headers.host === 'string' ? { 'server.address': headers.host } : {}) },
    }, parentContext)
    upstreamSpans.get(request)?.end()
    upstreamSpans.set(request, span)
    // whatever the client sent is replaced by the gateway's own context
    delete headers.traceparent
    delete headers.tracestate
    propagation.inject(trace.setSpan(parentContext, span), headers)
    return headers
  }

  function endUpstream(request: object, status: number, error?: unknown): void {
    const span = upstreamSpans.get(request)
    if (span === undefined) return
    upstreamSpans.delete(request)
    if (status > 0) span.setAttribute('http.response.status_code', status)
    if (error !== undefined) fail(span, error)
    else if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
    span.end()
  }

  function logFields(): Record<string, string> {
    const span = trace.getSpan(context.active())
    if (span === undefined) return {}
    const { traceId, spanId } = span.spanContext()
    return { trace_id: traceId, span_id: spanId }
  }

  return {
    withSpan,
    requestPlugin,
    logFields,
    injectUpstream,
    endUpstream,
    flush: () => provider.forceFlush(),
    async shutdown() {
      await provider.shutdown()
      trace.disable()
      context.disable()
      propagation.disable()
    },
  }
}
