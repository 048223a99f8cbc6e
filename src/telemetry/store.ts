// Spans around every store call (Redis round trips, or the memory store's
// file writes), named store.<method>. With tracing off the store is returned
// unwrapped: no extra call on the hot path.
import type { CatalogStore } from '../store/types.js'
import { tracing, withSpan } from './index.js'

const TRACED = ['init', 'listMembers', 'getMember', 'putManifest', 'putStatus', 'getVersion', 'acquireLock', 'releaseLock', 'close'] as const

export function traceStore(store: CatalogStore): CatalogStore {
  if (tracing() === undefined) return store
  const system = store.kind === 'redis' ? 'redis' : 'memory'
  // onChange, health and kind stay the store's own (synchronous, no I/O)
  const traced: Record<string, unknown> = {
    kind: store.kind,
    onChange: store.onChange.bind(store),
    health: store.health.bind(store),
  }
  for (const method of TRACED) {
    const original = store[method] as (...args: unknown[]) => Promise<unknown>
    traced[method] = (...args: unknown[]) =>
      withSpan(`store.${method}`, { 'db.system.name': system, 'db.operation.name': method }, () => original.apply(store, args))
  }
  return traced as unknown as CatalogStore
}
