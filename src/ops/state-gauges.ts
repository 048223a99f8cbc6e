// Gauges read at scrape time from the state of the catalog, the store and
// the proxy breakers (the sources are passed in; nothing here knows the app).
import { Gauge, type Registry } from 'prom-client'
import type { MemberStatus } from '../catalog/types.js'
import type { CatalogStore } from '../store/types.js'

export type BreakerStateName = 'closed' | 'half-open' | 'open'

/** Where the gauges read from at scrape time. */
export interface MetricsSources {
  /** the members the region config knows: only they become label values */
  members: ReadonlyMap<string, unknown>
  /** the catalog served now */
  catalog: () => { version: number; members: readonly { status: MemberStatus }[] }
  store: Pick<CatalogStore, 'kind' | 'health'>
  /** a member's proxy breaker state, undefined for members without an upstream */
  breakerState: (memberId: string) => string | undefined
}

const BREAKER_VALUE: Record<BreakerStateName, number> = { closed: 0, 'half-open': 1, open: 2 }
const STATUSES: MemberStatus[] = ['ok', 'stale', 'failed']

/** breaker state, catalog version, members by status, store up */
export function stateGauges(registry: Registry, sources: MetricsSources, breakerOverrides: ReadonlyMap<string, BreakerStateName>): void {
  new Gauge({
    name: 'dachportal_breaker_state',
    help: 'Circuit breaker per member: 0 closed, 1 half-open, 2 open',
    labelNames: ['member'],
    registers: [registry],
    collect() {
      this.reset()
      for (const [id, state] of breakerStates(sources, breakerOverrides)) this.set({ member: id }, BREAKER_VALUE[state])
    },
  })
  new Gauge({
    name: 'dachportal_catalog_version',
    help: 'Catalog version this instance serves',
    registers: [registry],
    collect() {
      this.set(sources.catalog().version)
    },
  })
  new Gauge({
    name: 'dachportal_members',
    help: 'Members by manifest status',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      const counts = new Map<string, number>(STATUSES.map((s) => [s, 0]))
      for (const m of sources.catalog().members) counts.set(m.status, (counts.get(m.status) ?? 0) + 1)
      for (const [status, n] of counts) this.set({ status }, n)
    },
  })
  new Gauge({
    name: 'dachportal_store_up',
    help: 'Catalog store reachable (1) or degraded (0); kind memory or redis',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      this.reset()
      this.set({ kind: sources.store.kind }, sources.store.health().ok ? 1 : 0)
    },
  })
}

/** Breaker states: reported ones win, else what the proxy says. */
function breakerStates(sources: MetricsSources, reported: ReadonlyMap<string, BreakerStateName>): Map<string, BreakerStateName> {
  const states = new Map<string, BreakerStateName>()
  for (const id of sources.members.keys()) {
    const state = reported.get(id) ?? sources.breakerState(id)
    if (state === 'closed' || state === 'half-open' || state === 'open') states.set(id, state)
  }
  return states
}
