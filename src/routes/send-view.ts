// Lists come in two views with a schema each; the route's documented schema
// is their union, which fast-json-stringify would check item by item at
// run time. So the handler serialises with the view's own schema (compiled
// once per route and schema) and sends the bytes.
import type { FastifyReply } from 'fastify'
import type { TSchema } from '@sinclair/typebox'

export function serializeView(reply: FastifyReply, schema: TSchema, body: object): string {
  return reply.serializeInput(body as Record<string, unknown>, schema)
}

export function sendView(reply: FastifyReply, schema: TSchema, body: object): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(serializeView(reply, schema, body))
}
