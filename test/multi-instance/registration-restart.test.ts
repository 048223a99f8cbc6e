// A registration survives gateway restarts (issue 12, finding 5): the bundled
// file replaces it only once the operator changes that file (its sha-256),
// never because of a date the member wrote. Real processes, restarted, on the
// embedded store (DATA_DIR) and on Redis.
import t, * as Tap from 'tap'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { redisAvailable, requireRedis, startRedis } from '../helpers/redis.js'
import { gatewayBuilt, MAIN, startGateway, writeRegion, type TestRegion } from '../helpers/gateway-process.js'
import { manifestWithService, putManifest, servedName, TEST_SERVICE_ID } from '../helpers/member-api.js'

async function restartsKeepTheRegistration(t: Tap.Test, region: TestRegion, env: Record<string, string>): Promise<void> {
  const file = join(region.dir, 'members/gladbeck.json')
  const bundledUpdatedAt = (JSON.parse(await readFile(file, 'utf8')) as { updatedAt: string }).updatedAt
  const first = await startGateway(t, env)
  // the exact case of the finding: registered with the bundled file's own updatedAt
  const res = await putManifest(first.url, region, 'gladbeck', await manifestWithService(region, 'gladbeck', 'Registriert', bundledUpdatedAt))
  t.equal(res.status, 200)
  await first.stop()

  const second = await startGateway(t, env)
  t.equal(await servedName(second.url, 'gladbeck'), 'Registriert', 'a restart keeps the registration over the unchanged bundled file')
  await second.stop()

  // the operator ships a new bundled file: it wins from the next start
  await writeFile(file, JSON.stringify(await manifestWithService(region, 'gladbeck', 'Vom Betreiber', bundledUpdatedAt), null, 2))
  const third = await startGateway(t, env)
  t.equal(await servedName(third.url, 'gladbeck'), 'Vom Betreiber', 'a changed bundled file replaces the registration')
  // ... and a registration made over that new file wins over it again
  const again = JSON.parse(await readFile(file, 'utf8')) as { services: { id: string; name: string }[] }
  again.services.find((s) => s.id === TEST_SERVICE_ID)!.name = 'Wieder registriert'
  t.equal((await putManifest(third.url, region, 'gladbeck', again)).status, 200)
  await third.stop()
  const fourth = await startGateway(t, env)
  t.equal(await servedName(fourth.url, 'gladbeck'), 'Wieder registriert')
}

// up to eight gateway starts: far more than the default file timeout on a loaded machine
t.setTimeout(480_000)

if (!gatewayBuilt()) {
  t.test('registration restart', async (t) => void t.fail(`${MAIN} missing: run npx tsc -p tsconfig.build.json first`))
} else {
  t.test('embedded store (DATA_DIR): restarts keep a registration until the bundled file changes', async (t) => {
    const region = await writeRegion(t)
    await restartsKeepTheRegistration(t, region, { REGION_CONFIG: region.regionPath, DATA_DIR: join(region.dir, 'data') })
  })

  if (!redisAvailable()) {
    t.test('Redis store', async (t) => void requireRedis(t))
  } else {
    t.test('Redis store: restarts keep a registration until the bundled file changes', async (t) => {
      const redis = await startRedis(t)
      const region = await writeRegion(t)
      await restartsKeepTheRegistration(t, region, { REDIS_URL: redis.url, REGION_CONFIG: region.regionPath, DATA_DIR: join(region.dir, 'data') })
    })
  }
}
