// The region config (config/region.json) is the trust boundary: it alone says
// which postal codes, hosts and upstream a member may claim. A manifest is
// content and can never widen any of this.
import { Type, type Static } from '@sinclair/typebox'
import { Level, Slug } from '../manifest/schema.js'

const Host = Type.String({
  pattern: '^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(:[0-9]{1,5})?$',
  description: 'lower-case host name, optionally with :port',
})

const ProxyOptions = Type.Object(
  {
    connectTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60000 })),
    headersTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 120000 })),
    bodyTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 600000 })),
    connections: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024 })),
    bodyLimitBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 100 * 1024 * 1024 })),
  },
  { additionalProperties: false },
)
type ProxyOptions = Static<typeof ProxyOptions>

const GrammarText = (description: string) => Type.String({ minLength: 1, maxLength: 250, description })

/**
 * The member's name in the forms German sentences need ("Zuständig ist die
 * Stadtverwaltung Gladbeck", "beim Kreis Recklinghausen"): articles and
 * contractions differ per member, so they are data, not string rules.
 * Missing forms are derived from the level (catalog/member-names.ts).
 */
export const MemberNames = Type.Object(
  {
    label: Type.Optional(GrammarText('as a heading or list entry, e.g. "Stadt Gladbeck", "Bund"')),
    nominative: Type.Optional(GrammarText('with article, e.g. "die Stadtverwaltung Gladbeck"')),
    accusative: Type.Optional(GrammarText('with article, after "an", e.g. "die Stadtverwaltung Gladbeck", "den Kreis Recklinghausen"')),
    at: Type.Optional(GrammarText('"bei" with dative, e.g. "bei der Stadtverwaltung Gladbeck", "beim Kreis Recklinghausen"')),
    from: Type.Optional(GrammarText('"von" with dative, e.g. "von der Stadtverwaltung Gladbeck", "vom Land Nordrhein-Westfalen"')),
  },
  { additionalProperties: false },
)
export type MemberNames = Static<typeof MemberNames>

export const MemberConfig = Type.Object(
  {
    id: Slug,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    names: Type.Optional(MemberNames),
    level: Level,
    ars: Type.String({ pattern: '^[0-9]{12}$', description: 'Amtlicher Regionalschlüssel' }),
    parent: Type.Union([Slug, Type.Null()]),
    postalCodes: Type.Array(Type.String({ pattern: '^[0-9]{5}$' }), { uniqueItems: true }),
    manifest: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'path relative to region.json, or https URL; beside xzufi a file that supplies what XZuFi lacks (links, sources)' })),
    xzufi: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://', description: 'https URL of the member\'s XZuFi 2.x export: fetched on refreshIntervalSeconds and imported as its manifest' })),
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

const Text = (maxLength: number, description?: string) => Type.String({ minLength: 1, maxLength, ...(description ? { description } : {}) })
const HttpsUrl = Type.String({ format: 'uri', pattern: '^https://', maxLength: 2048 })
const Email = Type.String({ pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$', maxLength: 254 })
const PostalAddress = Type.Object(
  { street: Text(200), postalCode: Type.String({ pattern: '^[0-9]{5}$' }), city: Text(100) },
  { additionalProperties: false },
)
const Authority = Type.Object(
  { name: Text(300), url: HttpsUrl, address: Type.Optional(PostalAddress), email: Type.Optional(Email), phone: Type.Optional(Text(50)) },
  { additionalProperties: false },
)

/**
 * Who runs the portal (Impressum § 5 DDG, Datenschutz Art. 13 DSGVO,
 * Erklärung zur Barrierefreiheit). Every field comes from the operator and
 * is never filled in by the gateway: what is missing, the pages name as
 * missing (src/web/operator.ts).
 */
export const Operator = Type.Object(
  {
    name: Text(300, 'the legal entity running the portal'),
    legalForm: Type.Optional(Text(200, 'e.g. Körperschaft des öffentlichen Rechts')),
    address: Type.Optional(PostalAddress),
    email: Type.Optional(Email),
    phone: Type.Optional(Text(50)),
    representative: Type.Optional(Text(300, 'person authorised to represent the operator, with function')),
    vatId: Type.Optional(Type.String({ pattern: '^DE[0-9]{9}$' })),
    responsibleForContent: Type.Optional(Text(300, 'verantwortlich für den Inhalt (§ 18 Abs. 2 MStV)')),
    dataProtectionOfficer: Type.Optional(Type.Object(
      { name: Type.Optional(Text(200)), email: Email, phone: Type.Optional(Text(50)), address: Type.Optional(PostalAddress) },
      { additionalProperties: false },
    )),
    supervisoryAuthority: Type.Optional(Authority),
    logRetentionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, description: 'how long server logs are kept' })),
    accessibility: Type.Optional(Type.Object(
      {
        status: Type.Union([Type.Literal('vollständig'), Type.Literal('teilweise'), Type.Literal('nicht')], { description: 'vereinbar mit BITV NRW' }),
        reviewedOn: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'date of the last review' }),
        method: Type.Optional(Text(500, 'how it was reviewed, e.g. Selbstbewertung, BITV-Test')),
        knownLimitations: Type.Array(Text(1000), { maxItems: 50 }),
        contact: Type.Optional(Type.Object({ email: Type.Optional(Email), phone: Type.Optional(Text(50)) }, { additionalProperties: false })),
      },
      { additionalProperties: false },
    )),
    arbitrationBody: Type.Optional(Authority),
    signLanguageVideos: Type.Optional(Type.Array(Type.Object(
      { title: Text(200), url: HttpsUrl, textAlternative: Text(5000, 'what the video says, as text') },
      { additionalProperties: false },
    ), { maxItems: 20 })),
  },
  { additionalProperties: false },
)
export type Operator = Static<typeof Operator>

export const RegionConfig = Type.Object(
  {
    $comment: Type.Optional(Type.String()),
    id: Slug,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    portalUrl: Type.Optional(Type.String({ format: 'uri' })),
    operator: Type.Optional(Operator),
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
    fallback: Type.Optional(Type.Boolean({ description: 'the Lebenslage of an imported member-local service the export does not classify (at most one)' })),
    serviceOrder: Type.Optional(Type.Array(Slug, { uniqueItems: true, description: 'service keys in the order the life event brings them (birth before school); others follow by name' })),
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
    withdrawn: Type.Optional(Type.Object(
      {
        since: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'no longer issued from this day' }),
        instead: Type.Array(Slug, { minItems: 1, description: 'service keys to offer instead' }),
        source: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
      },
      { additionalProperties: false, description: 'the service is no longer provided (e.g. Kinderreisepass since 2024-01-01)' },
    )),
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
