// SIGHUP on a real process: the region config is re-read and the proxy's
// upstream table swapped; a broken config keeps the old table.
import t from 'tap'
import { readFile, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { MemberConfig, RegionConfig } from '../../src/config/region-schema.js'
import { MAIN, startGateway, writeRegion } from '../helpers/gateway-process.js'
import { startEcho } from '../helpers/upstream.js'

async function answeredBy(url: string): Promise<string | undefined> {
  const res = await fetch(url).catch(() => undefined)
  if (res?.status !== 200) return undefined
  return ((await res.json()) as { member: string }).member
}

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((done) => setTimeout(done, 50))
  }
}

t.test('SIGHUP swaps the upstream table; a broken config keeps the old one', { skip: !existsSync(MAIN) && 'dist/main.js missing' }, async (t) => {
  const first = await startEcho('first')
  const second = await startEcho('second')
  t.teardown(async () => {
    await first.close()
    await second.close()
  })
  const setUpstream = (url: string) => (members: MemberConfig[]) => {
    const gladbeck = members.find((m) => m.id === 'gladbeck')!
    gladbeck.upstream = url
    gladbeck.allowPrivateNetwork = true
    gladbeck.sameOriginTrusted = true // the path form on the gateway's origin
  }
  const region = await writeRegion(t, setUpstream(first.url))
  const gateway = await startGateway(t, { REGION_CONFIG: region.regionPath, DATA_DIR: join(region.dir, 'data') })
  const url = `${gateway.url}/cities/gladbeck/antrag`
  t.equal(await answeredBy(url), 'first')

  const config = JSON.parse(await readFile(region.regionPath, 'utf8')) as RegionConfig
  setUpstream(second.url)(config.members)
  await writeFile(region.regionPath, JSON.stringify(config))
  gateway.child.kill('SIGHUP')
  await until('the second upstream', async () => (await answeredBy(url)) === 'second')
  t.pass('after SIGHUP the new upstream answers')

  await writeFile(region.regionPath, '{ "members": [ broken')
  gateway.child.kill('SIGHUP')
  await new Promise((done) => setTimeout(done, 300))
  t.equal(await answeredBy(url), 'second', 'a broken config changes nothing')
  t.equal(gateway.child.exitCode, null, 'and the gateway keeps running')
})
