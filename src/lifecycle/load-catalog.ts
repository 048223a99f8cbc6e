// Start-up: seed the file manifests, load the catalog from the store and
// start the refresher. A region whose members are all remote has nothing to
// serve before the first fetch: it waits for that fetch, or for another
// instance (which may hold the refresh lock) to write, up to one lock TTL.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { ConfigError } from '../config/load.js'
import { isRefreshed } from '../config/member-source.js'
import type { Refresher } from '../refresh/refresher.js'
import type { CatalogStore } from '../store/types.js'
import type { LiveCatalog } from './live-catalog.js'
import { recoverStore } from './recover.js'
import { seedFileManifests } from './seed.js'
import { waitForChange } from './wait-for-change.js'

export interface LoadDeps {
  app: FastifyInstance
  live: LiveCatalog
  store: CatalogStore
  refresher: Refresher
  refreshLockTtlMs: number
}

export async function loadCatalog({ app, live, store, refresher, refreshLockTtlMs }: LoadDeps): Promise<void> {
  const report = await seedFileManifests(live, store, app.log)
  await live.refresh()
  const remoteOnly = usableMembers(live) === 0 && live.data.region.members.some(isRefreshed)
  if (remoteOnly) {
    await firstFetch(live, store, refresher, refreshLockTtlMs)
  } else {
    app.addHook('onReady', async () => {
      void refresher.start().catch((err: unknown) => app.log.error({ err }, 'refresher failed to start'))
    })
  }
  if (usableMembers(live) === 0) {
    const failed = live.current.members.filter((m) => m.status === 'failed').map((m) => `${m.id}: ${m.meta.lastError ?? 'no valid manifest'}`)
    throw new ConfigError(`no member has a valid manifest (${failed.join('; ') || 'no members'}): nothing to serve`)
  }
  live.setRecovery((previous) => recoverStore(live, store, previous, app.log))
  live.follow()
  logLoaded(app.log, live, store, report.failed.map((f) => f.id))
}

/** the first fetch, or another instance's write, up to one lock TTL (the lock holder may be fetching) */
async function firstFetch(live: LiveCatalog, store: CatalogStore, refresher: Refresher, lockTtlMs: number): Promise<void> {
  const done = new AbortController()
  // listening before the fetch starts: a change notice during it counts
  const changed = waitForChange(store, lockTtlMs, done.signal)
  try {
    await refresher.start()
    await live.refresh()
    if (usableMembers(live) === 0) {
      await changed
      await live.refresh()
    }
  } finally {
    done.abort()
  }
}

function usableMembers(live: LiveCatalog): number {
  return live.current.members.filter((m) => m.status !== 'failed').length
}

function logLoaded(log: FastifyBaseLogger, live: LiveCatalog, store: CatalogStore, failed: string[]): void {
  log.info({ members: live.current.members.length, failed, version: live.current.version, store: store.kind }, 'catalog loaded')
}
