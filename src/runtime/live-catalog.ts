// The in-process catalog every route reads. Rebuilt from the store whenever
// the catalog version changes; the swap is one reference assignment, so an
// in-flight request keeps the version it started with.
import type { FastifyBaseLogger } from 'fastify'
import { mergeCatalog } from '../catalog/merge.js'
import type { Catalog } from '../catalog/types.js'
import type { MemberConfig } from '../config/region-schema.js'
import type { RegionData } from '../config/load.js'
import { validateManifest, type Result, type ValidationContext } from '../manifest/validate.js'
import type { Manifest } from '../manifest/schema.js'
import type { SharedOnlineService } from '../manifest/rules-v2.js'
import type { CatalogStore } from '../store/types.js'

export class LiveCatalog {
  private catalog: Catalog
  private building: Promise<void> | undefined
  private again = false
  private readonly listeners = new Set<(catalog: Catalog) => void>()
  private unsubscribe: (() => void) | undefined
  readonly members: ReadonlyMap<string, MemberConfig>
  private readonly lifeSituationIds: ReadonlySet<string>
  private readonly serviceKeys: ReadonlySet<string>
  private readonly memberArs: ReadonlyMap<string, { ars: string }>
  /** each member's online services as of the last build: what references are checked against */
  private onlineServices: ReadonlyMap<string, readonly SharedOnlineService[]> = new Map()

  constructor(
    readonly data: RegionData,
    private readonly store: CatalogStore,
    private readonly log: FastifyBaseLogger,
  ) {
    this.members = new Map(data.region.members.map((m) => [m.id, m]))
    this.lifeSituationIds = new Set(data.lifeSituations.map((l) => l.id))
    this.serviceKeys = new Set(data.serviceCatalog.map((e) => e.key))
    this.memberArs = new Map(data.region.members.map((m) => [m.id, { ars: m.ars }]))
    this.catalog = this.merge(0, [])
  }

  get current(): Catalog {
    return this.catalog
  }

  /**
   * Same rules as the CLI: what the region allows this member. References to
   * other members' online services are checked against their current manifests
   * (`pending` overrides them, e.g. the bundled files read together at start-up).
   */
  validationContext(member?: MemberConfig, pending?: ReadonlyMap<string, readonly SharedOnlineService[]>): ValidationContext {
    const context: ValidationContext = {
      lifeSituationIds: this.lifeSituationIds,
      serviceKeys: this.serviceKeys,
      members: this.memberArs,
      onlineServicesOf: (id) => pending?.get(id) ?? this.onlineServices.get(id),
    }
    if (member) {
      context.memberId = member.id
      context.allowedHosts = member.allowedHosts
    }
    return context
  }

  validate(doc: unknown, member: MemberConfig, pending?: ReadonlyMap<string, readonly SharedOnlineService[]>): Result<Manifest> {
    return validateManifest(doc, this.validationContext(member, pending))
  }

  /** Follow the store: rebuild on every announced version. */
  follow(): void {
    this.unsubscribe ??= this.store.onChange((version) => {
      if (version !== this.catalog.version) void this.refresh()
    })
  }

  onSwap(listener: (catalog: Catalog) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Rebuild from the store; concurrent calls coalesce into at most one more build. */
  refresh(): Promise<void> {
    if (this.building) {
      this.again = true
      return this.building
    }
    this.building = this.build().finally(() => {
      this.building = undefined
      if (this.again) {
        this.again = false
        void this.refresh()
      }
    })
    return this.building
  }

  stop(): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
  }

  private async build(): Promise<void> {
    try {
      const [version, states] = await Promise.all([this.store.getVersion(), this.store.listMembers()])
      if (version < this.catalog.version) return
      const next = this.merge(version, states)
      this.onlineServices = onlineServicesByMember(states)
      this.catalog = next
      for (const listener of this.listeners) listener(next)
    } catch (err) {
      // Store unreachable: keep serving the catalog we have.
      this.log.warn({ err: { message: (err as Error).message } }, 'catalog rebuild failed; serving the previous version')
    }
  }

  private merge(version: number, states: Parameters<typeof mergeCatalog>[0]['members']): Catalog {
    return mergeCatalog({
      version,
      builtAt: new Date().toISOString(),
      region: this.data.region,
      lifeSituations: this.data.lifeSituations,
      serviceCatalog: this.data.serviceCatalog,
      members: states,
    })
  }
}

function onlineServicesByMember(states: readonly { id: string; manifest?: Manifest }[]): Map<string, SharedOnlineService[]> {
  const map = new Map<string, SharedOnlineService[]>()
  for (const state of states) {
    if (state.manifest) map.set(state.id, (state.manifest.onlineServices ?? []).map((os) => ({ id: os.id, serves: os.serves })))
  }
  return map
}
