// A refresh answered 304 changes nothing served (issue 12, finding 8): the
// catalog version and every ETag stay; only the fetch time is recorded.
// A real loopback manifest server, the real app, the admin refresh route.
import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { buildApp } from '../../src/app.js'
import { sha256Hex } from '../../src/auth/token.js'
import { makeRegion, manifest, member, service } from '../helpers/region.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'

t.test('a 304 refresh keeps the catalog version and the ETag; a real change moves both', async (t) => {
  let body = JSON.stringify(manifest('alpha', [service('fern', { name: 'Fernleistung' })]))
  let etag = '"m1"'
  const conditional: (string | undefined)[] = []
  const server = createServer((req, res) => {
    conditional.push(req.headers['if-none-match'] as string | undefined)
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end()
    res.writeHead(200, { 'content-type': 'application/json', etag }).end(body)
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  t.teardown(() => new Promise<void>((done) => server.close(() => done())))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alpha.json`
  const region = await makeRegion([member('alpha', 'stadt', { manifest: url, allowPrivateNetwork: true, tokenSha256: sha256Hex('alpha-token') })], {})
  t.teardown(region.cleanup)
  // a loaded test machine must not shed these requests
  const app = await buildApp({ settings: { regionConfig: region.regionPath, dataDir: region.dataDir, pressure: NO_LOAD_SHEDDING } })
  t.teardown(() => app.close())
  const refresh = async () => (await app.inject({ method: 'POST', url: '/api/v1/admin/members/alpha/refresh', headers: { authorization: 'Bearer alpha-token' } })).json()

  const before = await app.inject('/api/v1/services')
  const etagBefore = before.headers.etag
  const versionBefore = app.live.current.version
  const fetchedBefore = (await app.store.getMember('alpha'))?.meta.fetchedAt

  t.match(await refresh(), { outcome: 'not-modified', status: 'ok' })
  t.equal(conditional.at(-1), '"m1"', 'the refresh was conditional and the server answered 304')
  t.equal(await app.store.getVersion(), versionBefore, 'no new catalog version')
  t.equal(app.live.current.version, versionBefore)
  const after = await app.inject('/api/v1/services')
  t.equal(after.statusCode, 200, after.body.slice(0, 300))
  t.equal(after.headers.etag, etagBefore, 'same ETag')
  t.equal((await app.inject({ url: '/api/v1/services', headers: { 'if-none-match': etagBefore as string } })).statusCode, 304, 'clients keep their copy')
  const fetchedAfter = (await app.store.getMember('alpha'))?.meta.fetchedAt
  t.ok(fetchedAfter !== undefined && fetchedAfter >= (fetchedBefore ?? ''), 'the fetch time is recorded (freshness for other instances)')

  // a real change: new content, new version, new ETag
  body = JSON.stringify(manifest('alpha', [service('fern', { name: 'Fernleistung neu' })]))
  etag = '"m2"'
  t.match(await refresh(), { outcome: 'updated' })
  await app.live.refresh()
  t.ok(app.live.current.version > versionBefore)
  t.not((await app.inject('/api/v1/services')).headers.etag, etagBefore)
})
