import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { buildApp } from '../../src/app.js'
import { makeRegion, manifest, member, service } from '../helpers/region.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'

t.test('one missing, one malformed and one invalid manifest: the rest is served', async (t) => {
  const region = await makeRegion(
    [
      member('alpha', 'stadt', { postalCodes: ['11111'] }),
      member('beta', 'stadt', { postalCodes: ['22222'] }),
      member('gamma', 'stadt', { postalCodes: ['33333'] }),
      member('delta', 'stadt', { postalCodes: ['44444'] }),
    ],
    {
      alpha: manifest('alpha', [service('hund-anmelden', { key: 'hund-anmelden', name: 'Hund anmelden' })]),
      beta: null,
      gamma: '{ "schemaVersion": 1,\n  "member": "gamma",\n  oops }',
      delta: manifest('delta', [service('x', { onlineUrl: 'https://evil.example/' })]),
    },
  )
  t.teardown(region.cleanup)
  const app = await buildApp({ settings: { regionConfig: region.regionPath, dataDir: region.dataDir, pressure: NO_LOAD_SHEDDING } })
  t.teardown(() => app.close())

  const members = (await app.inject('/api/v1/members')).json()
  const status = Object.fromEntries(members.items.map((m: any) => [m.id, m.status]))
  t.same(status, { alpha: 'ok', beta: 'failed', gamma: 'failed', delta: 'failed' })

  const beta = (await app.inject('/api/v1/members/beta')).json()
  t.match(beta.meta.lastError, /not found/)
  const gamma = (await app.inject('/api/v1/members/gamma')).json()
  t.match(gamma.meta.lastError, /invalid JSON at line 3, column 3/)
  const delta = (await app.inject('/api/v1/members/delta')).json()
  t.match(delta.meta.lastError, /\/services\/0\/onlineUrl host "evil.example" is not one of the member's allowed hosts/)
  t.same(delta.meta.errors[0].path, '/services/0/onlineUrl')

  const region_ = (await app.inject('/api/v1/region')).json()
  t.same(region_.failedMembers.sort(), ['beta', 'delta', 'gamma'])
  const hund = await app.inject('/api/v1/services/hund-anmelden')
  t.equal(hund.statusCode, 200)
  t.same(hund.json().offerings.map((o: any) => o.member), ['alpha'])
})

t.test('zero valid members is fatal, with a clear message', async (t) => {
  const region = await makeRegion([member('alpha', 'stadt')], { alpha: null })
  t.teardown(region.cleanup)
  await t.rejects(buildApp({ settings: { regionConfig: region.regionPath, dataDir: region.dataDir } }), /no member has a valid manifest \(alpha: [^)]*\w/)
})

t.test('an inconsistent region config is fatal', async (t) => {
  const region = await makeRegion([member('alpha', 'stadt', { parent: 'nowhere' })], { alpha: manifest('alpha', []) })
  t.teardown(region.cleanup)
  await t.rejects(buildApp({ settings: { regionConfig: region.regionPath, dataDir: region.dataDir } }), /alpha: parent "nowhere" is not a member/)
})

t.test('a registered manifest survives a restart; a bundled file does not overwrite a newer one', async (t) => {
  const region = await makeRegion([member('alpha', 'stadt')], { alpha: manifest('alpha', [service('a')]) })
  t.teardown(region.cleanup)
  const settings = { regionConfig: region.regionPath, dataDir: region.dataDir, pressure: NO_LOAD_SHEDDING }
  const first = await buildApp({ settings })
  const newer = manifest('alpha', [service('a'), service('b')], { updatedAt: '2026-11-20T00:00:00Z' })
  await first.store.putManifest('alpha', newer, { source: 'api' })
  await first.close()
  const second = await buildApp({ settings })
  t.teardown(() => second.close())
  t.equal((await second.inject('/api/v1/members/alpha')).json().serviceCount, 2)
})

t.test('allowPrivateNetwork (tests only) is refused in production', async (t) => {
  const region = await makeRegion([member('alpha', 'stadt', { allowPrivateNetwork: true })], { alpha: manifest('alpha', []) })
  t.teardown(region.cleanup)
  await t.rejects(
    buildApp({ settings: { regionConfig: region.regionPath, dataDir: region.dataDir, production: true } }),
    /allowPrivateNetwork is for tests only, not with NODE_ENV=production: alpha/,
  )
  const app = await buildApp({ settings: { regionConfig: region.regionPath, dataDir: region.dataDir, production: false, pressure: NO_LOAD_SHEDDING } })
  t.teardown(() => app.close())
  t.equal((await app.inject('/ready')).statusCode, 200, 'outside production it starts')
})

t.test('a region of remote manifests only starts once the first fetch is in', async (t) => {
  const doc = JSON.stringify(manifest('alpha', [service('fern', { name: 'Fernleistung' })]))
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(doc))
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  t.teardown(() => new Promise<void>((done) => server.close(() => done())))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alpha.json`
  const region = await makeRegion([member('alpha', 'stadt', { manifest: url, allowPrivateNetwork: true })], {})
  t.teardown(region.cleanup)
  const app = await buildApp({ settings: { regionConfig: region.regionPath, dataDir: region.dataDir, pressure: NO_LOAD_SHEDDING } })
  t.teardown(() => app.close())
  const res = await app.inject('/api/v1/services/alpha:fern')
  t.equal(res.statusCode, 200)
  t.equal(res.json().name, 'Fernleistung')
  t.match((await app.inject('/api/v1/members/alpha')).json(), { status: 'ok', meta: { source: 'remote' } })
})

t.test('a remote-only region whose manifests all fail names each failure', async (t) => {
  const server = createServer((_req, res) => res.writeHead(500).end())
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  t.teardown(() => new Promise<void>((done) => server.close(() => done())))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alpha.json`
  const region = await makeRegion([member('alpha', 'stadt', { manifest: url, allowPrivateNetwork: true })], {})
  t.teardown(region.cleanup)
  await t.rejects(
    buildApp({ settings: { regionConfig: region.regionPath, dataDir: region.dataDir, refreshLockTtlMs: 10_000 } }),
    /no member has a valid manifest \(alpha: .*500/,
  )
})
