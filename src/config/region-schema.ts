// The region config (config/region.json) is the trust boundary: it alone says
// which postal codes, hosts and upstream a member may claim. A manifest is
// content and can never widen any of this.
import { Type, type Static } from '@sinclair/typebox'
import { Level, Slug } from '../manifest/schema.js'

const Host = Type.String({
  pattern: '^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(:[0-9]{1,5})?$',
  description: 'lower-case host name, optionally with :port',
})

export const ProxyOptions = Type.Object(
  {
    connectTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60000 })),
    headersTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 120000 })),
    bodyTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 600000 })),
    connections: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024 })),
    bodyLimitBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 100 * 1024 * 1024 })),
  },
  { additionalProperties: false },
)
export type ProxyOptions = Static<typeof ProxyOptions>

export const MemberConfig = Type.Object(
  {
    id: Slug,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    level: Level,
    ars: Type.String({ pattern: '^[0-9]{12}$', description: 'Amtlicher Regionalschlüssel' }),
    parent: Type.Union([Slug, Type.Null()]),
    postalCodes: Type.Array(Type.String({ pattern: '^[0-9]{5}$' }), { uniqueItems: true }),
    manifest: Type.String({ minLength: 1, maxLength: 2048, description: 'path relative to region.json, or https URL' }),
    allowedHosts: Type.Array(Host, { minItems: 1, uniqueItems: true }),
    upstream: Type.Optional(Type.String({ format: 'uri' })),
    tokenSha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
    allowPrivateNetwork: Type.Optional(Type.Boolean({ description: 'tests only: allow loopback/private manifest and upstream addresses' })),
    refreshIntervalSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 86400 })),
    proxy: Type.Optional(ProxyOptions),
    sameOriginTrusted: Type.Optional(Type.Boolean({
      description: 'also proxy under /cities/<id>/ on the portal\'s own origin: the member\'s pages then share that origin (its scripts can read the portal\'s and every other trusted member\'s pages and cookies). Otherwise the path form redirects to <id>.<PROXY_BASE_DOMAIN>.',
    })),
  },
  { additionalProperties: false },
)
export type MemberConfig = Static<typeof MemberConfig>

export const RegionConfig = Type.Object(
  {
    $comment: Type.Optional(Type.String()),
    id: Slug,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    portalUrl: Type.Optional(Type.String({ format: 'uri' })),
    members: Type.Array(MemberConfig, { minItems: 1, maxItems: 2000 }),
  },
  { additionalProperties: false },
)
export type RegionConfig = Static<typeof RegionConfig>

export const LifeSituation = Type.Object(
  {
    id: Slug,
    label: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.String({ minLength: 1, maxLength: 500 }),
    ozgTopic: Type.String({ minLength: 1, maxLength: 100, description: 'OZG Themenfeld this life situation maps to' }),
  },
  { additionalProperties: false },
)
export type LifeSituation = Static<typeof LifeSituation>
export const LifeSituationsFile = Type.Object(
  { $comment: Type.Optional(Type.String()), lifeSituations: Type.Array(LifeSituation, { minItems: 1 }) },
  { additionalProperties: false },
)

export const CatalogEntry = Type.Object(
  {
    key: Slug,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    summary: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'region-neutral description (a member\'s text often names its city)' })),
    synonyms: Type.Array(Type.String({ minLength: 1, maxLength: 100 })),
    lifeSituations: Type.Array(Slug, { minItems: 1 }),
    leikaKey: Type.Optional(Type.String({ pattern: '^[0-9]{14}$' })),
    leikaSource: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
)
export type CatalogEntry = Static<typeof CatalogEntry>
export const ServiceCatalogFile = Type.Object(
  { $comment: Type.Optional(Type.String()), services: Type.Array(CatalogEntry, { minItems: 1 }) },
  { additionalProperties: false },
)

export const SynonymsFile = Type.Object(
  {
    $comment: Type.Optional(Type.String()),
    synonyms: Type.Array(
      Type.Object(
        {
          term: Type.String({ minLength: 1, maxLength: 60, description: 'what residents type' }),
          means: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, description: 'official terms' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)
