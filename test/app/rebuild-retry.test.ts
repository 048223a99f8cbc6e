// A catalog rebuild that fails is tried again. The store announces a new
// version once; when the read behind it fails (Redis still loading its AOF
// after a restart), the instance must not stay on the old catalog until the
// next write. The real in-memory store, with one read made to fail.
import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../../src/app.js'
import { REPO } from '../helpers/region.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'

t.test('a rebuild that failed on an announced version is retried until the catalog follows', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-rebuild-'))
  const app = await buildApp({ settings: { regionConfig: join(REPO, 'config', 'region.json'), dataDir, pressure: NO_LOAD_SHEDDING } })
  t.teardown(async () => {
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  })
  await app.ready()
  app.live.retryMs = 20
  const before = app.live.current.version

  // the next two reads of the members fail, as against a Redis that is still loading
  const store = app.store
  const listMembers = store.listMembers.bind(store)
  let failing = 2
  store.listMembers = async () => {
    if (failing > 0) {
      failing--
      throw new Error('LOADING Redis is loading the dataset in memory')
    }
    return listMembers()
  }
  const gladbeck = (await store.getMember('gladbeck'))!
  const manifest = { ...gladbeck.manifest!, services: gladbeck.manifest!.services.filter((s) => s.key !== 'sperrmuell') }
  const version = await store.putManifest('gladbeck', manifest, gladbeck.meta)
  t.ok(version > before, 'a new version was announced')

  for (let i = 0; i < 400 && app.live.current.version !== version; i++) await new Promise((done) => setTimeout(done, 10))
  t.equal(failing, 0, 'both failing reads happened')
  t.equal(app.live.current.version, version, 'the catalog follows the announced version after the failed builds')
  const answer = await app.inject('/api/v1/responsibility?postalCode=45964&service=sperrmuell')
  t.notMatch(answer.body, /"member":"gladbeck"/, 'Gladbeck\'s withdrawn Sperrmüll is no longer answered')
})
