import t from 'tap'
import { SearchIndexHolder } from '../../src/search/live-index.js'
import { search } from '../../src/search/search.js'
import { fixtureCatalog, synonyms } from './fixture-catalog.js'

t.test('builds in the background; the old index serves until the new one is ready', async (t) => {
  const holder = new SearchIndexHolder({ synonyms, sliceMs: 0 })
  t.teardown(() => holder.cancel())
  t.equal(holder.current(), undefined)
  holder.load(fixtureCatalog(1, ['kreis-a']))
  t.equal(holder.current()?.version, 1)
  const ready = holder.update(fixtureCatalog(2))
  t.equal(holder.current()?.version, 1, 'still the old index right after update()')
  t.equal(search(holder.current()!, { q: 'fahrzeug', page: 1, pageSize: 10 }).total, 0)
  const index = await ready
  t.equal(index.version, 2)
  t.equal(holder.current(), index)
  t.equal(search(index, { q: 'fahrzeug', page: 1, pageSize: 10 }).total, 1)
})

t.test('a newer version supersedes a build in progress; waiters for older versions resolve', async (t) => {
  const holder = new SearchIndexHolder({ synonyms, sliceMs: 0 })
  t.teardown(() => holder.cancel())
  const versions: number[] = []
  holder.on('ready', (i: { version: number }) => versions.push(i.version))
  const first = holder.update(fixtureCatalog(3))
  const second = holder.update(fixtureCatalog(4))
  const [a, b] = await Promise.all([first, second])
  t.equal(a.version, 4)
  t.equal(b.version, 4)
  t.same(versions, [4], 'the superseded build never went live')
  t.equal((await holder.whenReady(2)).version, 4)
  t.equal((await holder.update(fixtureCatalog(4))).version, 4, 'same version: no rebuild')
})
