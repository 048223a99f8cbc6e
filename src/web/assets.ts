// The portal's static files (style, script, icon), read once and served from memory with a
// content hash: pages link `?v=<hash>`, which may be cached for a year; the
// bare URL revalidates with its ETag.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { ASSETS_DIR } from './paths.js'
import { etagMatches } from '../http/cache.js'
import { addVary } from '../http/compression.js'

export interface Asset {
  body: Buffer
  type: string
  hash: string
  etag: string
  /** what pages link to, e.g. /assets/portal.css?v=3f2a… */
  href: string
}

const FILES: Record<string, string> = {
  'portal.css': 'text/css; charset=utf-8',
  'portal.js': 'text/javascript; charset=utf-8',
  'icon.svg': 'image/svg+xml',
}

export async function loadAssets(dir = ASSETS_DIR): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>()
  for (const [name, type] of Object.entries(FILES)) {
    const body = await readFile(join(dir, name))
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 16)
    // weak: sent as identity, br or gzip (src/http/compression.ts)
    assets.set(name, { body, type, hash, etag: `W/"${hash}"`, href: `/assets/${name}?v=${hash}` })
  }
  return assets
}

export function assetRoutes(app: FastifyInstance, assets: Map<string, Asset>): void {
  for (const [name, asset] of assets) assetRoute(app, `/assets/${name}`, asset)
  // Browsers ask for /favicon.ico on their own (bookmarks, pages without a
  // <link rel=icon>); answer with the icon rather than a 404.
  const icon = assets.get('icon.svg')
  if (icon) assetRoute(app, '/favicon.ico', icon)
}

function assetRoute(app: FastifyInstance, path: string, asset: Asset): void {
  app.get(path, { schema: { hide: true } }, async (request, reply) => {
    const { v } = request.query as { v?: string }
    reply
      .header('content-type', asset.type)
      .header('etag', asset.etag)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', v === asset.hash ? 'public, max-age=31536000, immutable' : 'public, max-age=300, must-revalidate')
    addVary(reply, 'accept-encoding')
    if (etagMatches(request.headers['if-none-match'], asset.etag)) return reply.code(304).send()
    return reply.send(asset.body)
  })
}
