// The member manifest: what a member city publishes about its services.
// TypeBox gives the JSON Schema (v2 served at /schemas/manifest.json, v1 at
// /schemas/manifest-v1.json) and the TypeScript types from one source. Rules
// JSON Schema cannot say (unique ids, known keys, allowed hosts, references
// to other members' online services) live in validate.ts and rules-v2.ts.
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
  onlineServices: 200,
  serves: 100,
  implements: 100,
  /** one section of a Leistungsbeschreibung (Voraussetzungen, Fristen, Hinweise): plain text, lines starting "- " are list items */
  sectionText: 4000,
  procedureSteps: 20,
  links: 10,
  feeItems: 10,
  contactPoints: 10,
} as const

/** The one slug rule (member ids, service ids, life situations): schemas, routes and proxy host labels use it. */
export const SLUG_PATTERN = '^[a-z0-9]+(?:-[a-z0-9]+)*$'
const SLUG = new RegExp(SLUG_PATTERN)
export const isSlug = (text: string): boolean => SLUG.test(text)

export const Slug = Type.String({
  pattern: SLUG_PATTERN,
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
const SectionText = (description: string) =>
  Type.String({ minLength: 1, maxLength: LIMITS.sectionText, description })

/** The URL of an entry in the manifest's `sources` (rules-v2.ts checks it is listed there), so an auditor can check the fact. */
const SourceRef = (what: string) =>
  Type.String({ format: 'uri', maxLength: LIMITS.url, description: `Quelle (source): where ${what} were taken from; must be the url of an entry in sources` })

// String enums (not unions of literals): one clear "must be one of" error
// and a plain `enum` in the published schema and OpenAPI.
function StringEnum<const T extends readonly string[]>(values: T, description?: string) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) })
}

export const Level = StringEnum(['stadt', 'kreis', 'land', 'bund'], 'Ebene: stadt, kreis, land or bund')
export type Level = Static<typeof Level>
export const LEVELS: readonly Level[] = ['stadt', 'kreis', 'land', 'bund']
/** city below district below state below federation: parents rank higher, general offerings are the highest */
export const LEVEL_RANK: Readonly<Record<Level, number>> = { stadt: 0, kreis: 1, land: 2, bund: 3 }

export const TrustLevel = StringEnum(['none', 'low', 'substantial', 'high'], 'Vertrauensniveau; eID needed from substantial')
export type TrustLevel = Static<typeof TrustLevel>

export const Audience = StringEnum(['residents', 'businesses'], 'Bürgerinnen und Bürger (residents) or Unternehmen (businesses)')
export type Audience = Static<typeof Audience>

const Address = Type.Object(
  {
    street: ShortText('Straße und Hausnummer (street and number)'),
    postalCode: Type.String({ pattern: '^[0-9]{5}$', description: 'Postleitzahl (postal code, 5 digits)' }),
    city: ShortText('Ort (city)'),
  },
  { additionalProperties: false, description: 'Anschrift (address) of the office' },
)

const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'

/**
 * A FIT-Connect destination: the responsible authority's delivery point for a
 * service, with the JWS that FIT-Connect's editorial side issued for it (the
 * gateway passes it on, never makes one). Declared per office (every service
 * that office is responsible for) or per service offering, never per shared
 * online service.
 */
export const FitConnectDestination = Type.Object(
  {
    destinationId: Type.String({ pattern: UUID_PATTERN, description: 'FIT-Connect destination id (UUID)' }),
    destinationSignature: Type.String({
      pattern: '^[a-zA-Z0-9\\-_]+?\\.[a-zA-Z0-9\\-_]+?\\.[a-zA-Z0-9\\-_]+$',
      maxLength: 16384,
      description: 'the JWS (compact serialisation) of the addressing information, as XZuFi or FIT-Connect issued it',
    }),
  },
  { additionalProperties: false, description: 'FIT-Connect-Zustellpunkt (destination) of the responsible authority, with its signed addressing information' },
)
export type FitConnectDestination = Static<typeof FitConnectDestination>

const officeFields = {
  id: Slug,
  name: ShortText('name of the office (Dienststelle)'),
  address: Type.Optional(Address),
  openingHours: Type.Optional(
    Type.Array(ShortText('one line, e.g. "Mo–Fr 8:00–12:00"'), { maxItems: LIMITS.openingHours, description: 'Öffnungszeiten (opening hours), one line each, as the source states them' }),
  ),
  phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9 ()/-]{5,30}$', description: 'Telefon (phone number), e.g. "+49 2043 99-0"' })),
  email: Type.Optional(Type.String({ format: 'email', maxLength: 254, description: 'E-Mail-Adresse (e-mail address) of the office' })),
  url: Type.Optional(Url('web page of the office')),
}
const OfficeV1 = Type.Object(officeFields, { additionalProperties: false })
export const Office = Type.Object(
  {
    ...officeFields,
    appointmentUrl: Type.Optional(Url('Terminvereinbarung (appointment booking): https, a host in allowedHosts; only when sourced')),
    accessibility: Type.Optional(ShortText('barrierefreier Zugang, as the source states it')),
    // additive (Leistungsbeschreibung)
    source: Type.Optional(SourceRef("this office's address, hours and contact data")),
    fitConnect: Type.Optional({ ...FitConnectDestination, description: 'FIT-Connect-Zustellpunkt (destination) for every service this office is responsible for' }),
  },
  { additionalProperties: false },
)
export type Office = Static<typeof Office>

const serviceFields = {
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
  fees: Type.Optional(ShortText('Gebühren (fees) in EUR or as text')),
  documents: Type.Optional(Type.Array(ShortText('document to bring or upload'), { maxItems: LIMITS.documents })),
  office: Type.Optional({ ...Slug, description: 'id of an entry in offices' }),
  updatedAt: Type.Optional(Type.String({ format: 'date-time' })),
}
const ServiceV1 = Type.Object(serviceFields, { additionalProperties: false })

/** A titled link (Formular, weiterführende Information); https on a declared host like every link. */
export const TitledLink = Type.Object(
  { title: ShortText('title as the source gives it'), url: Url('https, a host in allowedHosts') },
  { additionalProperties: false },
)
/** A legal basis: its citation, with a link where one is published (gesetze-im-internet.de, recht.nrw.de, ...). */
export const LegalBasis = Type.Object(
  { title: ShortText('citation, e.g. "§ 3 Bundesmeldegesetz (BMG)"'), url: Type.Optional(Url('the published text')) },
  { additionalProperties: false },
)

/** FIT-Connect Routing API 2.0.0 processingDuration units */
export const DURATION_UNITS = ['year', 'month', 'week', 'day', 'workday', 'hour', 'minute', 'second'] as const
export const DurationUnit = StringEnum(DURATION_UNITS, 'unit as FIT-Connect processingDuration: year, month, week, day, workday, hour, minute or second')

/** Bearbeitungsdauer: the source's text, and where it states one a range (FIT-Connect processingDuration: minDuration, maxDuration, unit). */
export const ProcessingTime = Type.Object(
  {
    text: Type.Optional(LongText('Bearbeitungsdauer as the source states it')),
    min: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000, description: 'shortest duration, in unit (FIT-Connect minDuration)' })),
    max: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000, description: 'longest duration, in unit (FIT-Connect maxDuration); not below min' })),
    unit: Type.Optional(DurationUnit),
  },
  { additionalProperties: false, minProperties: 1, description: 'Bearbeitungsdauer (processing time): text, or min/max with their unit (a number needs its unit, a unit needs a number, min <= max)' },
)
export type ProcessingTime = Static<typeof ProcessingTime>

/** One fee as a number the source states (modulKosten/kosten/betrag); `fees` keeps the text. */
export const FeeItem = Type.Object(
  {
    amount: Type.Number({ minimum: 0, maximum: 1000000, multipleOf: 0.01, description: 'amount in EUR' }),
    currency: Type.Literal('EUR', { description: 'Währung (currency): always EUR' }),
    text: Type.Optional(ShortText('what the amount is for, e.g. "Personalausweis ab 24 Jahren"')),
  },
  { additionalProperties: false, description: 'eine Gebühr (one fee) as an amount' },
)
export type FeeItem = Static<typeof FeeItem>

/**
 * The Leistungsbeschreibung (FIM / XZuFi text modules) of one service
 * offering, all optional and plain text (imported markup is reduced to text
 * and "- " list lines). What no source states is left out.
 */
const leistungsbeschreibung = {
  requirements: Type.Optional(SectionText('Voraussetzungen (XZuFi text module 09)')),
  procedure: Type.Optional(Type.Array(LongText('one step of the Verfahrensablauf (module 11), in order'), { minItems: 1, maxItems: LIMITS.procedureSteps, description: 'Verfahrensablauf (procedure, XZuFi text module 11): the steps in order' })),
  deadlines: Type.Optional(SectionText('Fristen (modulFrist)')),
  processingTime: Type.Optional(ProcessingTime),
  legalBasis: Type.Optional(Type.Array(LegalBasis, { minItems: 1, maxItems: LIMITS.links, description: 'Rechtsgrundlagen (module 07, Handlungsgrundlagen)' })),
  forms: Type.Optional(Type.Array(TitledLink, { minItems: 1, maxItems: LIMITS.links, description: 'Formulare (module 14)' })),
  furtherInformation: Type.Optional(Type.Array(TitledLink, { minItems: 1, maxItems: LIMITS.links, description: 'Weiterführende Informationen (module 15, weiterfuehrenderLink)' })),
  notes: Type.Optional(SectionText('Hinweise (module 16)')),
  feeItems: Type.Optional(Type.Array(FeeItem, { minItems: 1, maxItems: LIMITS.feeItems, description: 'Gebühren als Beträge (fees as amounts, modulKosten), beside the text in fees' })),
  contactPoints: Type.Optional(Type.Array({ ...Slug, description: 'id of an entry in offices' }, {
    minItems: 1, maxItems: LIMITS.contactPoints, uniqueItems: true,
    description: 'Ansprechpunkte (XZuFi rolle 02): offices residents may contact that are not the responsible office',
  })),
  fitConnect: Type.Optional({ ...FitConnectDestination, description: 'FIT-Connect-Zustellpunkt (destination) for this service offering' }),
  source: Type.Optional(SourceRef("this service's facts")),
}

/** How a service can be done (XZuFi: Kommunikationskanal, simplified). */
export const CHANNELS = ['online', 'in-person', 'post', 'phone', 'email'] as const
export const Channel = StringEnum(CHANNELS, 'online, in-person (vor Ort), post, phone or email')
export type Channel = Static<typeof Channel>

/** `<id>` of this manifest's own online service, or `<member>:<id>` of another member's. */
const ONLINE_SERVICE_REF = '^[a-z0-9]+(?:-[a-z0-9]+)*(?::[a-z0-9]+(?:-[a-z0-9]+)*)?$'

export const Service = Type.Object(
  {
    ...serviceFields,
    channels: Type.Optional(Type.Array(Channel, { minItems: 1, maxItems: CHANNELS.length, uniqueItems: true })),
    onlineService: Type.Optional(Type.String({
      pattern: ONLINE_SERVICE_REF,
      maxLength: 130,
      description: 'id of an entry in onlineServices, or "<member>:<id>" of another member\'s online service that lists this member in serves',
    })),
    // additive (XZuFi import): a member-local service keeps the LeiKa key it was imported with
    leikaKey: Type.Optional(Type.String({ pattern: '^99[0-9]{12}$', description: 'LeiKa key (14 digits) of a service without a catalog key: services of several members with the same key merge into one regional service' })),
    leikaName: Type.Optional(ShortText('the LeiKa Leistungsbezeichnung (XZuFi text module 02), the neutral name of a service merged by its LeiKa key')),
    ...leistungsbeschreibung,
  },
  { additionalProperties: false },
)
export type Service = Static<typeof Service>

const Links = Type.Object(
  {
    website: Type.Optional(Url('the city website')),
    servicePortal: Type.Optional(Url('the member’s own service portal')),
    councilInfo: Type.Optional(Url('council information system (Ratsinfosystem)')),
    app: Type.Optional(Url('the city app')),
  },
  { additionalProperties: false },
)

const Source = Type.Object(
  {
    what: ShortText('which facts'),
    source: LongText('where they come from'),
    url: Type.Optional(Url('the public page they were read on; services and offices name it in their source')),
  },
  { additionalProperties: false },
)

/** OZG Reifegrad: the model must be named, its level range differs (checked in rules-v2.ts). */
export const MATURITY_MODELS = { 'ozg-1.1': 4, 'ozg-2.0': 7 } as const
export type MaturityModel = keyof typeof MATURITY_MODELS
export const Maturity = Type.Object(
  {
    model: StringEnum(['ozg-1.1', 'ozg-2.0'], 'OZG-Reifegradmodell: ozg-1.1 (Stufen 0–4) or ozg-2.0 (Stufen 0–7)'),
    level: Type.Integer({ minimum: 0, maximum: 7, description: 'Stufe im genannten Modell' }),
  },
  { additionalProperties: false },
)
export type Maturity = Static<typeof Maturity>

/** User accounts that really exist for German online services. */
const ACCOUNTS = ['none', 'bundid', 'servicekonto-nrw', 'unternehmenskonto'] as const
export const Account = StringEnum(ACCOUNTS, 'Nutzerkonto: none, bundid (BundID), servicekonto-nrw (Servicekonto.NRW), unternehmenskonto (Mein Unternehmenskonto, ELSTER-based)')
export type Account = Static<typeof Account>

export const OnlineService = Type.Object(
  {
    id: Slug,
    name: ShortText('name of the online service, e.g. "Wirtschafts-Service-Portal.NRW"'),
    url: Url('entry link of the online service (https, a host in this member\'s allowedHosts)'),
    maturity: Type.Optional(Maturity),
    trustLevel: Type.Optional({ ...TrustLevel, description: 'eID Vertrauensniveau; only when a source backs it' }),
    account: Type.Optional(Type.Array(Account, { minItems: 1, maxItems: ACCOUNTS.length, uniqueItems: true, description: 'accounts the service accepts (any one of them)' })),
    serves: Type.Array(
      Type.String({ pattern: '^(?:[a-z0-9]+(?:-[a-z0-9]+)*|[0-9]{2,12})$', maxLength: 64, description: 'member id, or an ARS prefix (2–12 digits)' }),
      { minItems: 1, maxItems: LIMITS.serves, uniqueItems: true, description: 'whose residents may use it: member ids or ARS prefixes; a member may reference it only when listed here' },
    ),
    implements: Type.Optional(Type.Array(
      Type.String({ pattern: '^(?:[a-z0-9]+(?:-[a-z0-9]+)*|99[0-9]{12})$', maxLength: 64, description: 'service key (config/services.json) or 14-digit LeiKa key' }),
      { maxItems: LIMITS.implements, uniqueItems: true },
    )),
    // additive (routing): only a declared FIT-Connect destination is ever answered
    destinationId: Type.Optional(Type.String({
      pattern: UUID_PATTERN,
      description: 'FIT-Connect destination id (UUID) of this online service, when one is registered',
    })),
  },
  { additionalProperties: false },
)
export type OnlineService = Static<typeof OnlineService>

const manifestFields = {
  $schema: Type.Optional(Type.String({ maxLength: LIMITS.url })),
  member: Slug,
  updatedAt: Type.String({ format: 'date-time' }),
  sources: Type.Array(Source, { minItems: 1, maxItems: LIMITS.sources }),
  links: Links,
}

export const ManifestV1 = Type.Object(
  {
    ...manifestFields,
    schemaVersion: Type.Literal(1),
    offices: Type.Array(OfficeV1, { maxItems: LIMITS.offices }),
    services: Type.Array(ServiceV1, { maxItems: LIMITS.services }),
  },
  {
    $id: 'https://serviceportal.emscher-lippe.de/schemas/manifest-v1.json',
    title: 'dachportal member manifest (schema version 1)',
    additionalProperties: false,
  },
)
export type ManifestV1 = Static<typeof ManifestV1>

export const ManifestV2 = Type.Object(
  {
    ...manifestFields,
    schemaVersion: Type.Literal(2),
    onlineServices: Type.Optional(Type.Array(OnlineService, { maxItems: LIMITS.onlineServices })),
    offices: Type.Array(Office, { maxItems: LIMITS.offices }),
    services: Type.Array(Service, { maxItems: LIMITS.services }),
  },
  {
    $id: 'https://serviceportal.emscher-lippe.de/schemas/manifest.json',
    title: 'dachportal member manifest',
    additionalProperties: false,
  },
)
export type ManifestV2 = Static<typeof ManifestV2>

/** The current schema (what /schemas/manifest.json publishes). */
export const Manifest = ManifestV2
/**
 * What the store and the merge hold. v1 is a subset of v2, so a v1 manifest
 * stored before the upgrade (e.g. in Redis) is read as it is.
 */
export type Manifest = Omit<ManifestV2, 'schemaVersion'> & { schemaVersion: 1 | 2 }
