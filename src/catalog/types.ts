// Shapes of the merged regional catalog. Pure data: built by mergeCatalog,
// read by routes, search and web. Never edited in place after a build.
// Shapes that are also API answers come from their schemas (schemas.ts).
import type { Static } from '@sinclair/typebox'
import type { Manifest } from '../manifest/schema.js'
import type { CatalogMemberSchema, CatalogServiceSchema, LifeSituationEntry, Offering, OnlineServiceEntry, UncuratedService } from './schemas.js'
import type { Issue } from '../http/problem.js'
import type { FullMemberNames } from './member-names.js'
import type { CatalogEntry, LifeSituation, MemberConfig, RegionConfig } from '../config/region-schema.js'

export type { LifeSituationEntry, Offering, UncuratedService } from './schemas.js'

export type MemberStatus = 'ok' | 'stale' | 'failed'

/** What the store knows about one member's manifest. */
export interface MemberState {
  id: string
  status: MemberStatus
  /** last known good manifest, absent when never loaded */
  manifest?: Manifest
  meta: {
    /** where the live manifest came from */
    source?: 'file' | 'remote' | 'api' | 'xzufi'
    etag?: string
    lastModified?: string
    fetchedAt?: string
    /** the manifest URL etag, lastModified and fetchedAt belong to (region.json may point elsewhere since) */
    fetchedFrom?: string
    /** when the live manifest was accepted */
    acceptedAt?: string
    lastError?: string
    errors?: Issue[]
    /**
     * sha-256 of the bundled manifest file this entry was loaded from, or
     * (a registration) the one it supersedes: the file wins again only when
     * the operator changes it
     */
    fileSha256?: string
    /** the member's XZuFi feed: the last import's report, bounded like errors */
    importReport?: ImportSummary
    /** sha-256 of the feed bytes the live manifest was imported from */
    feedSha256?: string
  }
}

/** What an XZuFi feed import read, mapped and left out (refresh/import-summary.ts). */
export interface ImportSummary {
  xzufiVersion: string
  read: Record<string, number>
  mapped: Record<string, number>
  /** how many objects were dropped; the reasons are among the notes */
  dropped: number
  /** dropped objects and unmapped facts, one line each, at most MAX_ISSUES and an "and N more" line */
  notes: Issue[]
}

/** A regional service: catalog key, `leika-<key>` merged by LeiKa key, or `member:serviceId` for member-local services. */
export type RegionalService = Static<typeof CatalogServiceSchema> & {
  /** no longer provided (services.json "withdrawn"); the pages and the API say so */
  withdrawn?: CatalogEntry['withdrawn']
}

/** A life situation with its life-event order of services (pages only). */
export type CatalogLifeSituation = LifeSituationEntry & { serviceOrder?: string[] }

export type CatalogMember = Static<typeof CatalogMemberSchema> & {
  /** the name in the forms sentences need ("beim Kreis Recklinghausen"); pages only, not in the API */
  names: FullMemberNames
  /** contact for residents when online services fail */
  contact?: { phone?: string; email?: string; office?: string; /** the office's source URL (manifest sources) */ source?: string }
  /** manifest meta from the store (fetchedAt, etag, lastError, ...) */
  meta: MemberState['meta']
}

export interface Catalog {
  version: number
  builtAt: string
  region: { id: string; name: string; portalUrl?: string }
  members: CatalogMember[]
  memberById: ReadonlyMap<string, CatalogMember>
  services: RegionalService[]
  serviceById: ReadonlyMap<string, RegionalService>
  lifeSituations: CatalogLifeSituation[]
  lifeSituationById: ReadonlyMap<string, CatalogLifeSituation>
  /** `${member}/${serviceId}` -> that member's offering (for /go) */
  offeringByMemberService: ReadonlyMap<string, Offering>
  /** every online service once, with its provider and users (by id) */
  onlineServices: OnlineServiceEntry[]
  /** services merged by LeiKa key without a services.json entry, most offered first: the curator's list and merge report */
  uncurated: UncuratedService[]
  /** postal code -> member ids of cities holding it (sorted) */
  membersByPostalCode: ReadonlyMap<string, string[]>
}

export interface MergeInput {
  version: number
  builtAt: string
  region: RegionConfig
  lifeSituations: LifeSituation[]
  serviceCatalog: CatalogEntry[]
  members: MemberState[]
}
