import { setTimeout as delay } from 'node:timers/promises'
import type { CatalogStore } from '../store/types.js'

/**
 * Resolves on the store's next change notice (another instance wrote), after
 * `ms`, or when `signal` aborts, whichever comes first. Never rejects.
 */
export async function waitForChange(store: Pick<CatalogStore, 'onChange'>, ms: number, signal?: AbortSignal): Promise<void> {
  const changed = new AbortController()
  const off = store.onChange(() => changed.abort())
  try {
    await delay(ms, undefined, { signal: signal ? AbortSignal.any([changed.signal, signal]) : changed.signal })
  } catch (err) {
    if ((err as Error).name !== 'AbortError') throw err
  } finally {
    off()
  }
}
