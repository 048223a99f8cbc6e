// The in-process catalog every route reads. Rebuilt from the store whenever
// the catalog version changes; the swap is one reference assignment, so an
// in-flight request keeps the version it started with.
//
// A store that lost its data (Redis restarted without persistence: its epoch
// id is gone or new, or its version went back) is not followed blindly: the
// instance keeps serving what it has, reports itself inconsistent (/ready
// degraded), runs the recovery (re-seed what the store lacks, see
// lifecycle/recover.ts) and only then rebuilds from the store.
import type { FastifyBaseLogger } from 'fastify'
import { mergeCatalog } from '../catalog/merge.js'
import type { Catalog } from '../catalog/types.js'
import type { MemberConfig } from '../config/region-schema.js'
import type { RegionData } from '../config/load.js'
import { validateManifest, type Result, type ValidationContext } from '../manifest/validate.js'
import type { Manifest } from '../manifest/schema.js'
import type { MemberState } from '../catalog/types.js'
import type { SharedOnlineService } from '../manifest/rules-v2.js'
import type { CatalogStore } from '../store/types.js'

/** What this instance knew before the store was reset. */
export interface PreviousLife {
  epoch: string
  version: number
  states: MemberState[]
}

export class LiveCatalog {
  private catalog: Catalog
  private building: Promise<void> | undefined
  private again = false
  private readonly listeners = new Set<(catalog: Catalog) => void>()
  private unsubscribe: (() => void) | undefined
  /** the store epoch the catalog was built from */
  private epoch: string | undefined
  /** the member states of the last build: what a recovery can put back */
  private lastStates: MemberState[] = []
  private resetReason: string | undefined
  private recovery: ((previous: PreviousLife) => Promise<void>) | undefined
  private retryTimer: NodeJS.Timeout | undefined
  /** pause before a failed rebuild or recovery is tried again */
  retryMs = 1000
  /** failed builds in a row (one warning per streak) */
  private failures = 0
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

  /** Follow the store: rebuild on every announced change (a new version, or a new epoch with any version). */
  follow(): void {
    this.unsubscribe ??= this.store.onChange(() => void this.refresh())
  }

  /** Runs after a store reset is detected, before the catalog follows the store again. */
  setRecovery(recovery: (previous: PreviousLife) => Promise<void>): void {
    this.recovery = recovery
  }

  /** Why the served catalog may disagree with the store (a reset not yet recovered); undefined when consistent. */
  get inconsistency(): string | undefined {
    return this.resetReason
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
    clearTimeout(this.retryTimer)
    this.unsubscribe?.()
    this.unsubscribe = undefined
  }

  private async build(): Promise<void> {
    try {
      let [epoch, version] = await Promise.all([this.store.getEpoch(), this.store.getVersion()])
      if (this.epoch !== undefined && (this.resetReason !== undefined || epoch !== this.epoch || version < this.catalog.version)) {
        await this.recover(this.epoch, epoch, version)
        ;[epoch, version] = await Promise.all([this.store.getEpoch(), this.store.getVersion()])
      }
      const states = await this.store.listMembers()
      // an out-of-order read within the same life of the store
      if (epoch === this.epoch && version < this.catalog.version) return
      const next = this.merge(version, states)
      this.epoch = epoch ?? undefined
      this.lastStates = states
      this.onlineServices = onlineServicesByMember(states)
      this.catalog = next
      if (this.resetReason !== undefined) {
        this.log.warn({ version, epoch }, 'store recovered after a reset; the catalog follows it again')
        this.resetReason = undefined
      }
    } catch (err) {
      // Store unreachable (or recovery failed): keep serving the catalog we have, and try again. The store
      // announces a version once; a build that failed on it (Redis still loading its AOF after a restart)
      // would otherwise leave this instance on the old catalog until the next write.
      if (this.failures++ === 0) this.log.warn({ err: { message: (err as Error).message } }, 'catalog rebuild failed; serving the previous version, retrying')
      if (this.unsubscribe) {
        clearTimeout(this.retryTimer)
        this.retryTimer = setTimeout(() => void this.refresh(), this.retryMs)
        this.retryTimer.unref()
      }
      return
    }
    if (this.failures > 0) this.log.info({ failures: this.failures, version: this.catalog.version }, 'catalog rebuilt after failed attempts')
    this.failures = 0
    // outside the try: a failing listener is no failed build (a retry would not help it), nor the others' concern
    for (const listener of this.listeners) {
      try {
        listener(this.catalog)
      } catch (err) {
        this.log.error({ err: { message: (err as Error).message } }, 'catalog swap listener failed')
      }
    }
  }

  private async recover(previousEpoch: string, epoch: string | null, version: number): Promise<void> {
    if (this.resetReason === undefined) {
      this.resetReason = epoch !== previousEpoch
        ? `store was reset (epoch ${previousEpoch.slice(0, 8)} -> ${epoch?.slice(0, 8) ?? 'none'}); recovering`
        : `store version went back (${version} < ${this.catalog.version}); recovering`
      this.log.error({ previousEpoch, epoch, version, servedVersion: this.catalog.version }, this.resetReason)
    }
    await this.recovery?.({ epoch: previousEpoch, version: this.catalog.version, states: this.lastStates })
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
