// SearchIndexHolder: the index every request reads, swapped atomically when
// a newer catalog version has been indexed. The build runs in slices of a
// few milliseconds between setImmediate turns, so requests keep being
// served (by the old index) while a new one is built.
import { EventEmitter } from 'node:events'
import type { Catalog } from '../catalog/types.js'
import { buildSearchIndex, buildSteps, type SearchIndex } from './search-index.js'
import type { SynonymEntry } from './synonyms.js'

export interface HolderOptions {
  synonyms?: readonly SynonymEntry[]
  /** longest slice of build work before yielding to the event loop */
  sliceMs?: number
}

interface Waiter {
  version: number
  resolve: (index: SearchIndex) => void
}

export class SearchIndexHolder extends EventEmitter {
  private index: SearchIndex | undefined
  private synonyms: readonly SynonymEntry[]
  private readonly sliceMs: number
  private building: { version: number; cancelled: boolean } | undefined
  private waiters: Waiter[] = []

  constructor(options: HolderOptions = {}) {
    super()
    this.synonyms = options.synonyms ?? []
    this.sliceMs = options.sliceMs ?? 8
  }

  /** The index serving now; undefined before the first build finished. */
  current(): SearchIndex | undefined {
    return this.index
  }

  /** Builds at once (start-up, tests): blocks, then serves. */
  load(catalog: Catalog): SearchIndex {
    this.cancel()
    this.publish(buildSearchIndex(catalog, { synonyms: this.synonyms }))
    return this.index as SearchIndex
  }

  /**
   * Indexes a catalog in the background. Older or equal versions are
   * ignored unless the synonyms changed; a newer call cancels a build in
   * progress. Resolves when this version (or a newer one) serves.
   */
  update(catalog: Catalog, synonyms?: readonly SynonymEntry[]): Promise<SearchIndex> {
    const synonymsChanged = synonyms !== undefined && synonyms !== this.synonyms
    if (synonyms !== undefined) this.synonyms = synonyms
    const served = this.index?.version ?? -1
    const inFlight = this.building?.version ?? -1
    if (!synonymsChanged && (catalog.version <= served || catalog.version <= inFlight)) return this.whenReady(catalog.version)
    this.cancel()
    const job = { version: catalog.version, cancelled: false }
    this.building = job
    const steps = buildSteps(catalog, { synonyms: this.synonyms })
    const slice = () => {
      if (job.cancelled) return
      try {
        const deadline = performance.now() + this.sliceMs
        for (;;) {
          const next = steps.next()
          if (next.done) {
            this.building = undefined
            this.publish(next.value)
            return
          }
          if (performance.now() >= deadline) break
        }
        setImmediate(slice)
      } catch (err) {
        // A build that throws leaves the previous index serving.
        this.building = undefined
        if (this.listenerCount('error') > 0) this.emit('error', err)
      }
    }
    setImmediate(slice)
    return this.whenReady(catalog.version)
  }

  /** Resolves once an index for `version` or newer serves. */
  whenReady(version: number): Promise<SearchIndex> {
    if (this.index && this.index.version >= version) return Promise.resolve(this.index)
    return new Promise((resolve) => this.waiters.push({ version, resolve }))
  }

  /** Stops a build in progress (on close). */
  cancel(): void {
    if (this.building) this.building.cancelled = true
    this.building = undefined
  }

  private publish(index: SearchIndex): void {
    this.index = index
    const ready = this.waiters.filter((w) => w.version <= index.version)
    this.waiters = this.waiters.filter((w) => w.version > index.version)
    for (const w of ready) w.resolve(index)
    this.emit('ready', index)
  }
}
