// A serialised answer kept with its compressed forms, so a cached search or
// suggest answer is compressed once per encoding and never again on a hit.
// The reply carries Content-Encoding itself, which @fastify/compress leaves
// alone (it does not compress an answer that already has one).
import type { FastifyReply, FastifyRequest } from 'fastify'
import { addVary, COMPRESSION_THRESHOLD, compressCached, negotiateEncoding, type ContentEncoding } from './compression.js'

export type Compressor = (body: Buffer, encoding: ContentEncoding) => Buffer

export class EncodedBody {
  private readonly encoded: Partial<Record<ContentEncoding, Buffer>> = {}

  constructor(readonly identity: Buffer, private readonly compress: Compressor = compressCached) {}

  /** The body in this encoding, compressed on first use. */
  bytes(encoding: ContentEncoding): Buffer {
    return (this.encoded[encoding] ??= this.compress(this.identity, encoding))
  }
}

/** Sends the body in the encoding the client prefers, under the same rules as @fastify/compress. */
export function sendEncoded(request: FastifyRequest, reply: FastifyReply, body: EncodedBody): FastifyReply {
  addVary(reply, 'accept-encoding')
  // HEAD: the same headers as the plugin gives (identity), and no compression for a body never sent;
  // X-No-Compression: the plugin's opt-out
  const encoding = request.method === 'HEAD' || body.identity.length < COMPRESSION_THRESHOLD || request.headers['x-no-compression'] !== undefined
    ? undefined
    : negotiateEncoding(request.headers['accept-encoding'])
  if (encoding === undefined) return reply.send(body.identity)
  return reply.header('content-encoding', encoding).send(body.bytes(encoding))
}
