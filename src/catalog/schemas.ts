// The catalog's shapes that are also API answers, as TypeBox schemas: one
// source for the TypeScript types (catalog/types.ts derives them with
// Static), response serialisation (fast-json-stringify drops any field a
// schema lacks, so type and schema must not drift) and the OpenAPI document.
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Account, Audience, Channel, FeeItem, FitConnectDestination, LegalBasis, Level, Maturity, Office, ProcessingTime, SLUG_PATTERN, TitledLink, TrustLevel } from '../manifest/schema.js'

const SLUG_BODY = SLUG_PATTERN.slice(1, -1)
/** A regional service's id: its catalog key, or member:serviceId for a member-local service (both slugs). */
export const ServiceId = Type.String({
  pattern: `^${SLUG_BODY}(?::${SLUG_BODY})?$`,
  maxLength: 130,
  description: 'catalog key (e.g. hund-anmelden) or member:serviceId for member-local services',
  examples: ['hund-anmelden'],
})

const onlineServiceFields = {
  id: Type.String({ description: '<provider>:<id>', examples: ['nrw:wirtschafts-service-portal'] }),
  provider: Type.String({ examples: ['nrw'] }),
  providerName: Type.String({ examples: ['Land Nordrhein-Westfalen'] }),
  name: Type.String({ examples: ['Wirtschafts-Service-Portal.NRW'] }),
  url: Type.String({ examples: ['https://service.wirtschaft.nrw/online-antraege'] }),
  shared: Type.Boolean({ description: 'offering: provided by another member; list: used by members other than the provider' }),
  maturity: Type.Optional(Maturity),
  maturityText: Type.Optional(Type.String({ examples: ['vollständig online, Nachweise werden hochgeladen'] })),
  account: Type.Optional(Type.Array(Account)),
  accountText: Type.Optional(Type.String({ examples: ['Anmeldung mit BundID oder Servicekonto.NRW'] })),
  destinationId: Type.Optional(Type.String({ description: 'FIT-Connect destination (UUID) id, only when the provider\'s manifest declares one' })),
}

const OfferingOnlineServiceSchema = Type.Object(onlineServiceFields, { description: 'the online service of an offering (own or shared)' })
export type OfferingOnlineService = Static<typeof OfferingOnlineServiceSchema>

export const OnlineServiceSchema = Type.Object(
  {
    ...onlineServiceFields,
    serves: Type.Array(Type.String(), { description: 'member ids or ARS prefixes the provider serves' }),
    implements: Type.Array(Type.String(), { description: 'service keys or LeiKa keys' }),
    users: Type.Array(Type.Object({
      member: Type.String({ examples: ['gladbeck'] }),
      memberName: Type.String({ examples: ['Gladbeck'] }),
      serviceId: Type.String({ examples: ['gewerbe-anmelden'] }),
      goUrl: Type.String({ examples: ['/go/gladbeck/gewerbe-anmelden'] }),
    }), { description: 'members whose offerings use it (the provider included), each with its /go link' }),
  },
  { $id: 'OnlineService', description: 'Onlinedienst: built once by its provider, used by the members it serves' },
)
export type OnlineServiceEntry = Static<typeof OnlineServiceSchema>
type OnlineServiceUser = OnlineServiceEntry['users'][number]

const offeringFields = {
  member: Type.String({ examples: ['gladbeck'] }),
  memberName: Type.String({ examples: ['Gladbeck'] }),
  level: Level,
  serviceId: Type.String({ examples: ['hund-anmelden'] }),
  name: Type.String({ examples: ['Hund anmelden (Hundesteuer)'] }),
  summary: Type.String(),
  audiences: Type.Array(Audience),
  lifeSituations: Type.Array(Type.String()),
  synonyms: Type.Array(Type.String(), { description: 'colloquial names this member gives the service' }),
  onlineUrl: Type.Optional(Type.String({ examples: ['https://serviceportal.gladbeck.de/'] })),
  infoUrl: Type.Optional(Type.String()),
  goUrl: Type.Optional(Type.String({ description: '/go/{member}/{serviceId}, when the offering can be done online', examples: ['/go/gladbeck/hund-anmelden'] })),
  onlineService: Type.Optional(OfferingOnlineServiceSchema),
  channels: Type.Optional(Type.Array(Channel)),
  trustLevel: Type.Optional({ ...TrustLevel, description: 'only when the member states it (with a source)' }),
  fees: Type.Optional(Type.String({ examples: ['37,00 € (ab 24 Jahren)'] })),
  documents: Type.Optional(Type.Array(Type.String())),
  office: Type.Optional(Office),
  updatedAt: Type.Optional(Type.String()),
  // the Leistungsbeschreibung, as the member's manifest states it (plain text)
  requirements: Type.Optional(Type.String({ description: 'Voraussetzungen' })),
  procedure: Type.Optional(Type.Array(Type.String(), { description: 'Verfahrensablauf, in order' })),
  deadlines: Type.Optional(Type.String({ description: 'Fristen' })),
  processingTime: Type.Optional(ProcessingTime),
  legalBasis: Type.Optional(Type.Array(LegalBasis, { description: 'Rechtsgrundlagen' })),
  forms: Type.Optional(Type.Array(TitledLink, { description: 'Formulare' })),
  furtherInformation: Type.Optional(Type.Array(TitledLink, { description: 'Weiterführende Informationen' })),
  notes: Type.Optional(Type.String({ description: 'Hinweise' })),
  feeItems: Type.Optional(Type.Array(FeeItem, { description: 'fees as amounts, beside the text in fees' })),
  contactPoints: Type.Optional(Type.Array(Office, { description: 'Ansprechpunkte: offices residents may contact that are not the responsible office' })),
  fitConnect: Type.Optional(FitConnectDestination),
  source: Type.Optional(Type.String({ description: 'the public page the facts of this offering were taken from' })),
}

/** The named fields of a field table, in its order (compact views are subsets of the full ones). */
function pick<F extends Record<string, TSchema>, K extends keyof F>(fields: F, keys: readonly K[]): Pick<F, K> {
  return Object.fromEntries(Object.entries(fields).filter(([k]) => keys.includes(k as K))) as Pick<F, K>
}

export const OfferingSchema = Type.Object(offeringFields, { $id: 'Offering', description: 'Angebot einer Leistung durch ein Verbundmitglied' })
export type Offering = Static<typeof OfferingSchema>

export const COMPACT_OFFERING_FIELDS = ['member', 'memberName', 'level', 'serviceId', 'name', 'onlineUrl', 'goUrl', 'trustLevel'] as const
export const CompactOfferingSchema = Type.Object(pick(offeringFields, COMPACT_OFFERING_FIELDS), {
  $id: 'CompactOffering',
  description: 'Angebot, kurz (view=compact): who offers it and the deep link; the whole offering is at /api/v1/services/{id}',
})
export type CompactOffering = Static<typeof CompactOfferingSchema>

/** `$ref`s with their static type, so Static<> of a schema using them stays exact. */
const ref = <T>(id: string, description: string) => Type.Unsafe<T>(Type.Ref(id, { description }))
const FOR_YOU = 'the resident\'s own offering: of the most local member responsible for them (Stadt, Kreis, Land, Bund) that offers it; only when a postal code (or resident member, search: or member filter) was given and such an offering exists'

const regionalServiceFields = {
  id: Type.String({ description: 'catalog key, or member:serviceId for member-local services', examples: ['hund-anmelden'] }),
  key: Type.Optional(Type.String({ examples: ['hund-anmelden'] })),
  name: Type.String({ examples: ['Hund anmelden (Hundesteuer)'] }),
  leikaKey: Type.Optional(Type.String({ examples: ['99102013104000'] })),
  summary: Type.String({ examples: ['Wer einen Hund hält, meldet ihn zur Hundesteuer an.'] }),
  synonyms: Type.Array(Type.String(), { examples: [['Hundemarke', 'Hundesteuer']] }),
  lifeSituations: Type.Array(Type.String(), { examples: [['tiere']] }),
  levels: Type.Array(Level),
  audiences: Type.Array(Audience),
  offeringCount: Type.Integer({ description: 'how many members offer it' }),
  offerings: Type.Array(ref<Offering>('Offering', 'every offering (search hits: a bounded list, forYou first)')),
}

export const COMPACT_SERVICE_FIELDS = ['id', 'key', 'name', 'leikaKey', 'summary', 'lifeSituations', 'levels', 'offeringCount'] as const
const compactServiceFields = pick(regionalServiceFields, COMPACT_SERVICE_FIELDS)

/** A regional service as the merged catalog holds it. */
export const CatalogServiceSchema = Type.Object(regionalServiceFields)
type CatalogService = Static<typeof CatalogServiceSchema>

export const RegionalServiceSchema = Type.Object(
  { ...regionalServiceFields, forYou: Type.Optional(ref<Offering>('Offering', FOR_YOU)) },
  { $id: 'RegionalService', description: 'regionale Leistung mit den Angeboten aller Mitglieder (view=full)' },
)
export type RegionalServiceAnswer = Static<typeof RegionalServiceSchema>

export const CompactServiceSchema = Type.Object(
  { ...compactServiceFields, forYou: Type.Optional(ref<CompactOffering>('CompactOffering', FOR_YOU)) },
  { $id: 'CompactService', description: 'regionale Leistung, kurz (view=compact): no offerings but the resident\'s own; all of them at /api/v1/services/{id}' },
)
export type CompactService = Static<typeof CompactServiceSchema>

const memberFields = {
  id: Type.String({ examples: ['gladbeck'] }),
  name: Type.String({ examples: ['Gladbeck'] }),
  level: Level,
  ars: Type.String({ examples: ['055620014014'] }),
  parent: Type.Union([Type.String(), Type.Null()], { examples: ['kreis-recklinghausen'] }),
  postalCodes: Type.Array(Type.String(), { examples: [['45964', '45966', '45968']] }),
  portalUrl: Type.Optional(Type.String({ examples: ['https://serviceportal.gladbeck.de/'] })),
  websiteUrl: Type.Optional(Type.String({ examples: ['https://www.gladbeck.de/'] })),
  status: Type.Union([Type.Literal('ok'), Type.Literal('stale'), Type.Literal('failed')]),
  serviceCount: Type.Integer(),
}

/** A member as the merged catalog holds it (plus contact and meta, catalog/types.ts). */
export const CatalogMemberSchema = Type.Object(memberFields)

export const MemberSchema = Type.Object(
  {
    ...memberFields,
    proxy: Type.Optional(
      Type.Object({
        state: Type.String({ examples: ['closed'] }),
        lastError: Type.Optional(Type.String()),
        lastErrorAt: Type.Optional(Type.String()),
      }, { description: 'health of the proxied endpoints (members with an upstream only)' }),
    ),
  },
  { $id: 'Member', description: 'Verbundmitglied' },
)

export const LifeSituationSchema = Type.Object(
  {
    id: Type.String({ examples: ['familie-kind'] }),
    name: Type.String({ examples: ['Familie und Kind'] }),
    label: Type.String({ deprecated: true, description: 'deprecated: the same as name (kept for older clients)', examples: ['Familie und Kind'] }),
    description: Type.String(),
    ozgTopic: Type.String({ examples: ['Familie & Kind'] }),
    serviceCount: Type.Integer(),
  },
  { $id: 'LifeSituation', description: 'Lebenslage' },
)
export type LifeSituationEntry = Static<typeof LifeSituationSchema>
