// Response and parameter schemas shared by the API routes: one source for
// validation, serialisation (fast-json-stringify) and the OpenAPI document.
import { Type, type TSchema } from '@sinclair/typebox'
import { Account, Audience, Channel, Level, Maturity, Office, Slug as ManifestSlug, TrustLevel } from '../manifest/schema.js'

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'urn:dachportal:problem:<code in kebab case>', examples: ['urn:dachportal:problem:service-not-found'] }),
    title: Type.String({ examples: ['Nicht gefunden'] }),
    status: Type.Integer({ examples: [404] }),
    detail: Type.Optional(Type.String({ description: 'German, for people; program against `code`', examples: ['Unbekannte Leistung: hundesteur'] })),
    instance: Type.Optional(Type.String({ examples: ['/api/v1/services/hundesteur'] })),
    code: Type.Optional(Type.String({ description: 'stable English key (DP_ERR_*)', examples: ['DP_ERR_SERVICE_NOT_FOUND'] })),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          path: Type.String({ examples: ['/postalCode'] }),
          in: Type.Optional(Type.String({ description: 'querystring, params, headers or body', examples: ['querystring'] })),
          message: Type.String({ examples: ['must match pattern "^[0-9]{5}$"'] }),
        }),
      ),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem document (application/problem+json)' },
)

export const problemResponses = {
  400: Type.Ref('Problem'),
  404: Type.Ref('Problem'),
} as const

/** The manifest's slug rule; without its description, which each parameter words itself. */
export const Slug = Type.String({ pattern: ManifestSlug.pattern, maxLength: ManifestSlug.maxLength })
export const PostalCode = Type.String({ pattern: '^[0-9]{5}$', description: 'Postleitzahl (5 Ziffern)', examples: ['45964'] })
export const Ars = Type.String({ pattern: '^[0-9]{12}$', description: 'Amtlicher Regionalschlüssel (12 Ziffern)', examples: ['055620014014'] })
export const ServiceId = Type.String({
  pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*(?::[a-z0-9]+(?:-[a-z0-9]+)*)?$',
  maxLength: 130,
  description: 'catalog key (e.g. hund-anmelden) or member:serviceId for member-local services',
  examples: ['hund-anmelden'],
})

export const Paging = {
  page: Type.Integer({ minimum: 1, maximum: 10000, default: 1, description: 'Seite (ab 1)' }),
  pageSize: Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Einträge pro Seite (max. 100)' }),
}

/** A paged list; `$id` names it in the OpenAPI components (register it with namedSchemas). */
export function Page<T extends TSchema>(item: T, description: string, $id: string) {
  return Type.Object(
    {
      items: Type.Array(item),
      total: Type.Integer(),
      page: Type.Integer(),
      pageSize: Type.Integer(),
    },
    { $id, description },
  )
}

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

export const OfferingOnlineServiceSchema = Type.Object(onlineServiceFields, { description: 'the online service of an offering (own or shared)' })

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

export const OfferingSchema = Type.Object(
  {
    member: Type.String({ examples: ['gladbeck'] }),
    memberName: Type.String({ examples: ['Gladbeck'] }),
    level: Level,
    serviceId: Type.String({ examples: ['hund-anmelden'] }),
    name: Type.String({ examples: ['Hund anmelden (Hundesteuer)'] }),
    summary: Type.String(),
    audiences: Type.Array(Audience),
    lifeSituations: Type.Array(Type.String()),
    onlineUrl: Type.Optional(Type.String({ examples: ['https://serviceportal.gladbeck.de/'] })),
    infoUrl: Type.Optional(Type.String()),
    goUrl: Type.Optional(Type.String({ examples: ['/go/gladbeck/hund-anmelden'] })),
    onlineService: Type.Optional(OfferingOnlineServiceSchema),
    channels: Type.Optional(Type.Array(Channel)),
    trustLevel: Type.Optional({ ...TrustLevel, description: 'only when the member states it (with a source)' }),
    fees: Type.Optional(Type.String({ examples: ['37,00 € (ab 24 Jahren)'] })),
    documents: Type.Optional(Type.Array(Type.String())),
    office: Type.Optional(Office),
    updatedAt: Type.Optional(Type.String()),
  },
  { $id: 'Offering', description: 'Angebot einer Leistung durch ein Verbundmitglied' },
)

export const RegionalServiceSchema = Type.Object(
  {
    id: Type.String({ examples: ['hund-anmelden'] }),
    key: Type.Optional(Type.String({ examples: ['hund-anmelden'] })),
    name: Type.String({ examples: ['Hund anmelden (Hundesteuer)'] }),
    leikaKey: Type.Optional(Type.String({ examples: ['99102013104000'] })),
    summary: Type.String({ examples: ['Wer einen Hund hält, meldet ihn zur Hundesteuer an.'] }),
    synonyms: Type.Array(Type.String(), { examples: [['Hundemarke', 'Hundesteuer']] }),
    lifeSituations: Type.Array(Type.String(), { examples: [['tiere']] }),
    levels: Type.Array(Level),
    audiences: Type.Array(Audience),
    offeringCount: Type.Integer(),
    offerings: Type.Array(Type.Ref('Offering')),
    forYou: Type.Optional(Type.Ref('Offering', { description: 'the offering for the resident (with postalCode)' })),
  },
  { $id: 'RegionalService', description: 'regionale Leistung mit den Angeboten aller Mitglieder' },
)

export const MemberSchema = Type.Object(
  {
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

export const MemberMetaSchema = Type.Object({
  source: Type.Optional(Type.String({ examples: ['file'] })),
  etag: Type.Optional(Type.String()),
  lastModified: Type.Optional(Type.String()),
  fetchedAt: Type.Optional(Type.String()),
  acceptedAt: Type.Optional(Type.String()),
  lastError: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
})

export const LifeSituationSchema = Type.Object(
  {
    id: Type.String({ examples: ['familie-kind'] }),
    label: Type.String({ examples: ['Familie und Kind'] }),
    description: Type.String(),
    ozgTopic: Type.String({ examples: ['Familie & Kind'] }),
    serviceCount: Type.Integer(),
  },
  { $id: 'LifeSituation', description: 'Lebenslage' },
)

export const sharedSchemas = [Problem, OfferingSchema, RegionalServiceSchema, MemberSchema, LifeSituationSchema, OnlineServiceSchema]
