// Typed services the app decorates itself with (see app.ts).
import type { LiveCatalog } from '../runtime/live-catalog.js'
import type { CatalogStore } from '../store/types.js'

export interface MemberHealth {
  state: string
  lastError?: string
  lastErrorAt?: string
}

declare module 'fastify' {
  interface FastifyInstance {
    live: LiveCatalog
    store: CatalogStore
    /** proxy breaker state per member (only members with an upstream) */
    memberHealth: (memberId: string) => MemberHealth | undefined
  }
}
