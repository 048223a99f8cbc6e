// The catalog's shapes that are also API answers, as TypeBox schemas: one
// source for the TypeScript types (catalog/types.ts derives them with
// Static), response serialisation (fast-json-stringify drops any field a
// schema lacks, so type and schema must not drift) and the OpenAPI document.
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox'
import {
  Account, Audience, Channel, FeeItem, FitConnectDestination, LegalBasis, Level, Maturity, Office, ProcessingTime, SLUG_PATTERN, TitledLink, TrustLevel,
} from '../manifest/schema.js'

const SLUG_BODY = SLUG_PATTERN.slice(1, -1)
/** A regional service's id: its catalog key, leika-<LeiKa key> for an uncurated one, or member:serviceId for a member-local service (all slugs). */
export const ServiceId = Type.String({
  pattern: `^${SLUG_BODY}(?::${SLUG_BODY})?$`,
  maxLength: 130,
  description: 'catalog key (e.g. hund-anmelden), leika-<LeiKa key> for a service merged by its LeiKa key without a catalog entry, or member:serviceId for member-local services',
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

/**
 * `$ref`s with their static type, so Static<> of a schema using them stays
 * exact. A described one is allOf [$ref]: @fastify/swagger drops every
 * keyword beside a bare $ref, so its description would never reach the document.
 */
const ref = <T>(id: string, description?: string) =>
  Type.Unsafe<T>(description === undefined ? Type.Ref(id) : { allOf: [Type.Ref(id)], description })

/**
 * A manifest shape as a named API component: the manifest's own field
 * schemas (so type and answer cannot drift), each described for API readers
 * (German term, English meaning) or replaced by a $ref; a field without its
 * entry fails tsc.
 */
function named<T extends TObject>(schema: T, $id: string, description: string, fields: Record<keyof T['properties'] & string, string | TSchema>): T {
  const properties = Object.fromEntries(Object.entries(schema.properties).map(([key, field]): [string, TSchema] => {
    const entry = fields[key as keyof T['properties'] & string]
    return [key, typeof entry === 'string' ? { ...field, description: entry } : entry]
  }))
  return Type.Object(properties, { $id, description }) as unknown as T
}

export const FitConnectDestinationSchema = named(FitConnectDestination, 'FitConnectDestination', 'FIT-Connect-Zustellpunkt (destination): where the responsible authority receives applications, with the addressing information its editorial system signed', {
  destinationId: 'Zustellpunkt-ID (destination id, UUID)',
  destinationSignature: 'signierte Adressierungsinformation (JWS, compact serialisation) as XZuFi or FIT-Connect issued it; the gateway passes it on unchanged',
})

export const OfficeSchema = named(Office, 'Office', 'Dienststelle (office): the responsible office (Zuständige Stelle) of an offering or an Ansprechpunkt, with the contact data its member\'s manifest states', {
  id: 'id of the office in its member\'s manifest',
  name: 'Name der Dienststelle (name of the office)',
  address: 'Anschrift (postal address)',
  openingHours: 'Öffnungszeiten (opening hours), one line each, as the source states them',
  phone: 'Telefon (phone number)',
  email: 'E-Mail-Adresse (e-mail address)',
  url: 'Webseite (web page) of the office',
  appointmentUrl: 'Terminvereinbarung (appointment booking link)',
  accessibility: 'Barrierefreiheit (barrierefreier Zugang, accessibility) as the source states it',
  source: 'Quelle (source): the public page this office\'s data were taken from',
  fitConnect: Type.Optional(ref<FitConnectDestination>('FitConnectDestination', 'FIT-Connect-Zustellpunkt (destination) for every service this office is responsible for')),
})

export const ProcessingTimeSchema = named(ProcessingTime, 'ProcessingTime', 'Bearbeitungsdauer (processing time): the source\'s text, and a range where it states one (as FIT-Connect processingDuration)', {
  text: 'Bearbeitungsdauer as the source states it, e.g. "etwa zwei Wochen"',
  min: 'shortest duration in unit (FIT-Connect minDuration)',
  max: 'longest duration in unit (FIT-Connect maxDuration)',
  unit: 'Einheit (unit): year, month, week, day, workday, hour, minute or second',
})

export const FeeItemSchema = named(FeeItem, 'FeeItem', 'eine Gebühr (one fee) as an amount', {
  amount: 'Betrag (amount) in EUR',
  currency: 'Währung (currency): always EUR',
  text: 'wofür (what the amount is for), e.g. "Personalausweis ab 24 Jahren"',
})

export const LegalBasisSchema = named(LegalBasis, 'LegalBasis', 'Rechtsgrundlage (legal basis): a citation, with a link where the text is published', {
  title: 'Zitat (citation), e.g. "§ 3 Bundesmeldegesetz (BMG)"',
  url: 'Link to the published text',
})

export const LinkSchema = named(TitledLink, 'Link', 'Link mit Titel (titled link): a Formular or a weiterführende Information', {
  title: 'Titel (title) as the source gives it',
  url: 'Adresse (URL, https)',
})

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
  fees: Type.Optional(Type.String({ description: 'Gebühren (fees) as text', examples: ['37,00 € (ab 24 Jahren)'] })),
  documents: Type.Optional(Type.Array(Type.String())),
  office: Type.Optional(ref<Office>('Office', 'Zuständige Stelle (responsible office)')),
  updatedAt: Type.Optional(Type.String()),
  // the Leistungsbeschreibung, as the member's manifest states it (plain text; lines starting "- " are list items)
  requirements: Type.Optional(Type.String({ description: 'Voraussetzungen (requirements): plain text, lines starting "- " are list items' })),
  procedure: Type.Optional(Type.Array(Type.String({ description: 'one step' }), { description: 'Verfahrensablauf (procedure): the steps in order' })),
  deadlines: Type.Optional(Type.String({ description: 'Fristen (deadlines): plain text, lines starting "- " are list items' })),
  processingTime: Type.Optional(ref<ProcessingTime>('ProcessingTime', 'Bearbeitungsdauer (processing time)')),
  legalBasis: Type.Optional(Type.Array(ref<Static<typeof LegalBasis>>('LegalBasis'), { description: 'Rechtsgrundlagen (legal basis)' })),
  forms: Type.Optional(Type.Array(ref<Static<typeof TitledLink>>('Link'), { description: 'Formulare (forms), on the member\'s own hosts' })),
  furtherInformation: Type.Optional(Type.Array(ref<Static<typeof TitledLink>>('Link'), { description: 'Weiterführende Informationen (further information)' })),
  notes: Type.Optional(Type.String({ description: 'Hinweise (notes): plain text, lines starting "- " are list items' })),
  feeItems: Type.Optional(Type.Array(ref<FeeItem>('FeeItem'), { description: 'Gebühren als Beträge (fees as amounts), beside the text in fees' })),
  contactPoints: Type.Optional(Type.Array(ref<Office>('Office'), {
    description: 'Ansprechpunkte (contact points): offices residents may contact that are not the responsible office',
  })),
  fitConnect: Type.Optional(ref<FitConnectDestination>('FitConnectDestination', 'FIT-Connect-Zustellpunkt (destination) of this offering, where its manifest declares one')),
  source: Type.Optional(Type.String({ description: 'Quelle (source): the public page the facts of this offering were taken from' })),
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

const FOR_YOU = 'the resident\'s own offering: of the most local member responsible for them (Stadt, Kreis, Land, Bund) that offers it; only when a postal code (or resident member, search: or member filter) was given and such an offering exists'

const regionalServiceFields = {
  id: Type.String({ description: 'catalog key; leika-<LeiKa key> for a service merged across members by its LeiKa key without a catalog entry; member:serviceId for member-local services', examples: ['hund-anmelden'] }),
  key: Type.Optional(Type.String({ examples: ['hund-anmelden'] })),
  name: Type.String({ examples: ['Hund anmelden (Hundesteuer)'] }),
  leikaKey: Type.Optional(Type.String({ examples: ['99102013104000'] })),
  summary: Type.String({ examples: ['Wer einen Hund hält, meldet ihn zur Hundesteuer an.'] }),
  synonyms: Type.Array(Type.String(), { examples: [['Hundemarke', 'Hundesteuer']] }),
  lifeSituations: Type.Array(Type.String(), { examples: [['tiere']] }),
  levels: Type.Array(Level),
  audiences: Type.Array(Audience),
  offeringCount: Type.Integer({ description: 'how many members offer it' }),
  withdrawn: Type.Optional(Type.Object({
    since: Type.String({ format: 'date', description: 'no longer provided from this day', examples: ['2024-01-01'] }),
    instead: Type.Array(Type.String(), { description: 'ids of the services to use instead', examples: [['reisepass', 'personalausweis']] }),
    source: Type.Optional(Type.String({ description: 'where the withdrawal is stated' })),
  }, { description: 'eingestellt (withdrawn): the service is no longer provided (e.g. the Kinderreisepass since 2024-01-01)' })),
  offerings: Type.Array(ref<Offering>('Offering'), { description: 'every offering (search hits: a bounded list, forYou first)' }),
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

export const UncuratedServiceSchema = Type.Object(
  {
    id: Type.String({ description: 'leika-<LeiKa key>', examples: ['leika-99123456789000'] }),
    leikaKey: Type.String({ examples: ['99123456789000'] }),
    name: Type.String({ description: 'the name the portal shows', examples: ['Sondernutzungserlaubnis beantragen'] }),
    nameSource: Type.Union([Type.Literal('leika'), Type.Literal('members')], {
      description: 'leika: the LeiKa Leistungsbezeichnung an export gives; members: the name most members use',
    }),
    offeringCount: Type.Integer({ description: 'how many members offer it' }),
    members: Type.Array(Type.String(), { examples: [['bottrop', 'gladbeck']] }),
    names: Type.Array(Type.Object({
      name: Type.String(),
      count: Type.Integer(),
      members: Type.Array(Type.String()),
    }), { description: 'the names members use, most used first' }),
    lifeSituations: Type.Array(Type.String(), { description: 'Lebenslagen derived from the exports\' classification, else the fallback', examples: [['weitere-leistungen']] }),
    disagreements: Type.Array(Type.String(), { description: 'where members disagree (names, Lebenslagen)' }),
  },
  { $id: 'UncuratedService', description: 'regionale Leistung ohne Eintrag in services.json, zusammengeführt über den LeiKa-Schlüssel' },
)
export type UncuratedService = Static<typeof UncuratedServiceSchema>

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
