// The fully wired gateway (buildApp) listening on 127.0.0.1 for benches, and
// the bare-Fastify static baseline they compare against in the same process.
import Fastify from 'fastify'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../../dist/app.js'

/**
 * buildApp with rate limits off (they would cap every bench at the budget)
 * and a throwaway data dir; the app's own routes, hooks and plugins.
 */
export async function listenGateway({ regionData, dataDir, settings = {} }) {
  const app = await buildApp({ regionData, settings: { rateLimit: false, dataDir, ...settings } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, url: `http://127.0.0.1:${app.server.address().port}`, close: () => app.close() }
}

/**
 * Bare Fastify routes answering fixed JSON bodies: GET /static/<bytes> for
 * each size in `sizes` (bodies within a few bytes of that size).
 */
export async function staticBaseline(sizes) {
  const app = Fastify({ logger: false })
  for (const bytes of new Set(sizes)) {
    const body = JSON.stringify({ filler: 'x'.repeat(Math.max(0, bytes - 13)) })
    app.get(`/static/${bytes}`, async (_req, reply) => reply.type('application/json; charset=utf-8').send(body))
  }
  await app.listen({ host: '127.0.0.1', port: 0 })
  return { url: `http://127.0.0.1:${app.server.address().port}`, pathFor: (bytes) => `/static/${bytes}`, close: () => app.close() }
}

/** Mean body size (bytes) of GET `paths` on a built app, failing on any non-200. */
export async function meanBodySize(app, paths) {
  let total = 0
  for (const url of paths) {
    const res = await app.inject({ method: 'GET', url })
    if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}: ${res.body.slice(0, 200)}`)
    total += res.rawPayload.length
  }
  return Math.round(total / paths.length)
}

export const ratio = (a, b) => Math.round((a / b) * 100) / 100

/** The real region's catalog exactly as the gateway merges it. */
export async function regionCatalog(data) {
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-bench-catalog-'))
  try {
    const app = await buildApp({ regionData: data, settings: { rateLimit: false, dataDir } })
    const catalog = app.live.current
    await app.close()
    return catalog
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }
}

export { freePort } from './ports.mjs'
