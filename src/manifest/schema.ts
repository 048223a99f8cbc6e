// The member manifest: what a member city publishes about its services.
// TypeBox gives the JSON Schema (served at /schemas/manifest.json) and the
// TypeScript types from one source. Rules JSON Schema cannot say (unique ids,
// known keys, allowed hosts) live in validate.ts.
import { Type, type Static } from '@sinclair/typebox'

export const LIMITS = {
  services: 500,
  offices: 100,
  sources: 50,
  synonyms: 30,
  documents: 30,
  lifeSituations: 10,
  openingHours: 14,
  shortText: 200,
  longText: 2000,
  url: 2048,
} as const

export const Slug = Type.String({
  pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$',
  minLength: 1,
  maxLength: 64,
  description: 'lower-case slug (a-z, 0-9, single hyphens)',
})

const ShortText = (description: string) =>
  Type.String({ minLength: 1, maxLength: LIMITS.shortText, description })
const LongText = (description: string) =>
  Type.String({ minLength: 1, maxLength: LIMITS.longText, description })
const Url = (description: string) =>
  Type.String({ format: 'uri', maxLength: LIMITS.url, description })

// String enums (not unions of literals): one clear "must be one of" error
// and a plain `enum` in the published schema and OpenAPI.
function StringEnum<const T extends readonly string[]>(values: T, description?: string) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) })
}

export const Level = StringEnum(['stadt', 'kreis', 'land', 'bund'], 'Ebene: stadt, kreis, land or bund')
export type Level = Static<typeof Level>
export const LEVELS: readonly Level[] = ['stadt', 'kreis', 'land', 'bund']

export const TrustLevel = StringEnum(['none', 'low', 'substantial', 'high'], 'Vertrauensniveau; eID needed from substantial')
export type TrustLevel = Static<typeof TrustLevel>

export const Audience = StringEnum(['residents', 'businesses'], 'Bürgerinnen und Bürger (residents) or Unternehmen (businesses)')
export type Audience = Static<typeof Audience>

export const Address = Type.Object(
  {
    street: ShortText('street and number'),
    postalCode: Type.String({ pattern: '^[0-9]{5}$' }),
    city: ShortText('city'),
  },
  { additionalProperties: false },
)

export const Office = Type.Object(
  {
    id: Slug,
    name: ShortText('name of the office (Dienststelle)'),
    address: Type.Optional(Address),
    openingHours: Type.Optional(
      Type.Array(ShortText('one line, e.g. "Mo–Fr 8:00–12:00"'), { maxItems: LIMITS.openingHours }),
    ),
    phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9 ()/-]{5,30}$', description: 'phone number' })),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    url: Type.Optional(Url('web page of the office')),
  },
  { additionalProperties: false },
)
export type Office = Static<typeof Office>

export const Service = Type.Object(
  {
    id: Slug,
    key: Type.Optional({ ...Slug, description: "key in the region's service catalog (config/services.json)" }),
    name: ShortText('German name as residents know it'),
    synonyms: Type.Optional(Type.Array(ShortText('colloquial name'), { maxItems: LIMITS.synonyms })),
    summary: LongText('one or two sentences in plain German'),
    audiences: Type.Array(Audience, { minItems: 1, maxItems: 2, uniqueItems: true }),
    lifeSituations: Type.Array(Slug, { minItems: 1, maxItems: LIMITS.lifeSituations, uniqueItems: true }),
    onlineUrl: Type.Optional(Url('where the service can be started online (https, declared host)')),
    infoUrl: Type.Optional(Url('page with more information (https, declared host)')),
    trustLevel: Type.Optional(TrustLevel),
    fees: Type.Optional(ShortText('fees in EUR or as text')),
    documents: Type.Optional(Type.Array(ShortText('document to bring or upload'), { maxItems: LIMITS.documents })),
    office: Type.Optional({ ...Slug, description: 'id of an entry in offices' }),
    updatedAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
)
export type Service = Static<typeof Service>

export const Links = Type.Object(
  {
    website: Type.Optional(Url('the city website')),
    servicePortal: Type.Optional(Url('the member’s own service portal')),
    councilInfo: Type.Optional(Url('council information system (Ratsinfosystem)')),
    app: Type.Optional(Url('the city app')),
  },
  { additionalProperties: false },
)

export const Source = Type.Object(
  { what: ShortText('which facts'), source: LongText('where they come from') },
  { additionalProperties: false },
)

export const Manifest = Type.Object(
  {
    $schema: Type.Optional(Type.String({ maxLength: LIMITS.url })),
    schemaVersion: Type.Literal(1),
    member: Slug,
    updatedAt: Type.String({ format: 'date-time' }),
    sources: Type.Array(Source, { minItems: 1, maxItems: LIMITS.sources }),
    links: Links,
    offices: Type.Array(Office, { maxItems: LIMITS.offices }),
    services: Type.Array(Service, { maxItems: LIMITS.services }),
  },
  {
    $id: 'https://serviceportal.emscher-lippe.de/schemas/manifest.json',
    title: 'dachportal member manifest',
    additionalProperties: false,
  },
)
export type Manifest = Static<typeof Manifest>
