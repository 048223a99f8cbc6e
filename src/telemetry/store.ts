// Spans around every store call (Redis round trips, or the memory store's
// file writes), named store.<method>. With tracing off the store is returned
// unwrapped: no extra call on the hot path. A Proxy, not a list of methods:
// a method added to the store later is traced (and forwarded) without a
// change here.
import type { CatalogStore } from '../store/types.js'
import { tracing, withSpan } from './index.js'

/** synchronous, no I/O: passed through as the store's own */
const UNTRACED = new Set<PropertyKey>(['onChange', 'health', 'constructor'])

export function traceStore(store: CatalogStore): CatalogStore {
  if (tracing() === undefined) return store
  const system = store.kind === 'redis' ? 'redis' : 'memory'
  const wrapped = new Map<PropertyKey, unknown>()
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target)
      if (typeof value !== 'function') return value
      if (UNTRACED.has(property) || typeof property !== 'string') return value.bind(target)
      let traced = wrapped.get(property)
      if (traced === undefined) {
        const original = value as (...args: unknown[]) => unknown
        traced = (...args: unknown[]) =>
          withSpan(`store.${property}`, { 'db.system.name': system, 'db.operation.name': property }, () => original.apply(target, args))
        wrapped.set(property, traced)
      }
      return traced
    },
  })
}
