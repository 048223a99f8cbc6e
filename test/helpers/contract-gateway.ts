// A real gateway on 127.0.0.1 for contract tests that talk HTTP (typed client,
// fuzzer): the real region, one member (gladbeck) with a known token, no rate
// limit and no load shedding (on a loaded test machine a 503 would hide the
// answer under test).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { readSettings } from '../../src/config/env.js'
import { loadRegionData } from '../../src/config/load.js'
import { sha256Hex } from '../../src/auth/token.js'
import { REPO } from './region.js'
import { NO_LOAD_SHEDDING } from './app.js'

export const MEMBER_ID = 'gladbeck'
export const MEMBER_TOKEN = 'tok-gladbeck-contract'

export async function contractGateway(t: { teardown: (fn: () => unknown) => void }): Promise<{ app: FastifyInstance; base: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-contract-'))
  const regionData = await loadRegionData(join(REPO, 'config', 'region.json'))
  regionData.region.members.find((m) => m.id === MEMBER_ID)!.tokenSha256 = sha256Hex(MEMBER_TOKEN)
  const settings = { ...readSettings({}), dataDir, rateLimit: false as const, pressure: NO_LOAD_SHEDDING }
  const app = await buildApp({ settings, regionData, logger: false })
  t.teardown(async () => {
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` }
}
