// Per-member request body limit, enforced while the body streams to the
// upstream (chunked uploads have no Content-Length to refuse up front). Every
// request body passes through it, which also keeps undici from destroying the
// client's own request stream when the upstream fails.

import { Transform, type Readable, type TransformCallback } from 'node:stream'

export const BODY_LIMIT_CODE = 'DP_BODY_LIMIT'

class LimitedBody extends Transform {
  private seen = 0
  constructor(private readonly limit: number) {
    super()
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length
    if (this.seen > this.limit) {
      const err: NodeJS.ErrnoException = new Error('request body too large')
      err.code = BODY_LIMIT_CODE
      callback(err)
      return
    }
    callback(null, chunk)
  }
}

export function limitBody(body: Readable, limit: number): Readable {
  const limited = new LimitedBody(limit)
  body.on('error', (err) => limited.destroy(err))
  return body.pipe(limited)
}
