// The real region (config/ + members/) in an app with a throw-away data dir.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import type { Settings } from '../../src/config/env.js'
import { REPO } from './region.js'

/** Load shedding off: tests are about answers, and a loaded CI machine would turn them into 503s. */
export const NO_LOAD_SHEDDING = { maxEventLoopDelayMs: 0, maxHeapUsedBytes: 0, maxRssBytes: 0, retryAfterSeconds: 1 }

export async function realApp(t: { teardown: (fn: () => unknown) => void }, settings: Partial<Settings> = {}): Promise<FastifyInstance> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-data-'))
  const app = await buildApp({ settings: { regionConfig: join(REPO, 'config', 'region.json'), dataDir, pressure: NO_LOAD_SHEDDING, ...settings } })
  t.teardown(async () => {
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  })
  return app
}
