// The real region (config/ + members/) in an app with a throw-away data dir.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import type { Settings } from '../../src/config/env.js'
import { REPO } from './region.js'

export async function realApp(t: { teardown: (fn: () => unknown) => void }, settings: Partial<Settings> = {}): Promise<FastifyInstance> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-data-'))
  // load shedding off: these tests are about answers, and a loaded CI machine would make them 503s
  const pressure = { maxEventLoopDelayMs: 0, maxHeapUsedBytes: 0, maxRssBytes: 0, retryAfterSeconds: 1 }
  const app = await buildApp({ settings: { regionConfig: join(REPO, 'config', 'region.json'), dataDir, pressure, ...settings } })
  t.teardown(async () => {
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  })
  return app
}
