// The catalog plugin owns the catalog's lifecycle: the store (created from
// the settings unless injected), seeding, the live catalog, the refresher,
// the search index that follows every swap, and the shutdown of all of
// them. It decorates the app with those services; every plugin that reads
// them names 'dachportal-catalog' in its `dependencies`, so Fastify checks
// the order.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import type { Settings } from '../config/env.js'
import type { RegionData } from '../config/load.js'
import type { CatalogStore } from '../store/types.js'
import { createStore } from '../store/create.js'
import { traceStore } from '../telemetry/store.js'
import { createRefresher, type Refresher } from '../refresh/refresher.js'
import type { RefreshOutcome } from '../refresh/types.js'
import { SearchIndexHolder } from '../search/live-index.js'
import { LiveCatalog } from './live-catalog.js'
import { loadCatalog } from './load-catalog.js'

export const CATALOG_PLUGIN = 'dachportal-catalog'

interface CatalogPluginOptions {
  settings: Settings
  data: RegionData
  /** an injected store (tests); the caller closes it. Otherwise created from the settings and closed on app close. */
  store?: CatalogStore
}

/** What the catalog reports as it runs (metrics implement it). */
interface CatalogObserver {
  observeRefresh(member: string, outcome: RefreshOutcome['outcome']): void
  observeIndexBuild(seconds: number): void
}

async function catalogPlugin(app: FastifyInstance, options: CatalogPluginOptions): Promise<void> {
  const { settings, data } = options
  const owned = options.store === undefined
  const store = traceStore(options.store ?? await createStore(settings))
  try {
    await store.init()
  } catch (err) {
    if (owned) await store.close().catch(() => {})
    throw err
  }
  const observers = new Set<CatalogObserver>()
  const live = new LiveCatalog(data, store, app.log)
  const refresher = createRefresher({
    store,
    members: data.region.members,
    validate: (doc, member) => live.validate(doc, member),
    region: data,
    lockTtlMs: settings.refreshLockTtlMs,
    // scheduled refreshes and POST .../refresh alike
    onOutcome: (o) => observers.forEach((observer) => observer.observeRefresh(o.member, o.outcome)),
    logger: { info: (obj, msg) => app.log.info(obj, msg), warn: (obj, msg) => app.log.warn(obj, msg) },
  })
  const searchIndex = new SearchIndexHolder({ synonyms: data.synonyms })
  let unfollow = () => {}
  let released = false
  // one clean-up for close and for a start-up that fails half-way
  const release = async () => {
    if (released) return
    released = true
    unfollow()
    searchIndex.cancel()
    live.stop()
    await refresher.stop().catch((err: unknown) => app.log.warn({ err }, 'refresher stop failed'))
    if (owned) await store.close().catch((err: unknown) => app.log.warn({ err }, 'store close failed'))
  }
  app.addHook('onClose', release)

  try {
    await loadCatalog({ app, live, store, refresher, refreshLockTtlMs: settings.refreshLockTtlMs })
    // the old index serves while a new one builds
    searchIndex.load(live.current)
    searchIndex.on('error', (err: unknown) => app.log.error({ err }, 'search index build failed; the previous index serves'))
    unfollow = live.onSwap((catalog) => {
      const started = performance.now()
      void searchIndex.update(catalog).then((index) => {
        if (index.version !== catalog.version) return
        const seconds = (performance.now() - started) / 1000
        observers.forEach((observer) => observer.observeIndexBuild(seconds))
      })
    })
  } catch (err) {
    await release()
    throw err
  }
  app.decorate('store', store)
  app.decorate('live', live)
  app.decorate('refresher', refresher)
  app.decorate('searchIndex', searchIndex)
  app.decorate('observeCatalog', (observer: CatalogObserver) => {
    observers.add(observer)
  })
}

export default fp(catalogPlugin, { name: CATALOG_PLUGIN, fastify: '5.x' })

type AppDecorator = keyof FastifyInstance & string

/**
 * An encapsulated plugin (routes, pages) that reads the catalog's decorators:
 * Fastify refuses to register it before the catalog plugin, or before the
 * decorators it names (and the plugins providing them) exist.
 */
export function readsCatalog<O extends object>(plugin: FastifyPluginAsync<O>, name: string, decorators: AppDecorator[] = ['live'], dependencies: string[] = []) {
  return fp(plugin, { name, fastify: '5.x', encapsulate: true, dependencies: [CATALOG_PLUGIN, ...dependencies], decorators: { fastify: decorators } })
}

declare module 'fastify' {
  interface FastifyInstance {
    /** the catalog store (memory or Redis), shared by all instances */
    store: CatalogStore
    /** the catalog this instance serves; swapped when the store changes */
    live: LiveCatalog
    /** keeps remote manifests current (refreshNow for POST .../refresh) */
    refresher: Refresher
    /** the search index over the live catalog (swapped when a new version is indexed) */
    searchIndex: SearchIndexHolder
    /** report refresh outcomes and index builds to this observer */
    observeCatalog: (observer: CatalogObserver) => void
  }
}
