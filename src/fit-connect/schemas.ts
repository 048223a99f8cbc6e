// The answers of /fit-connect/v1/ as TypeBox schemas, field for field those of
// FITKO's Routing API 2.0.0 (routing-api.yaml: route, route-result, area,
// area-result, info), named (`FitConnect*`) for the OpenAPI document. The
// serializer drops what a schema lacks, so these list every field we send;
// test/fit-connect/conformance.test.ts checks real answers against FITKO's own
// document, so a drift here fails there.
import { Type, type Static } from '@sinclair/typebox'
import { DURATION_UNITS } from '../manifest/schema.js'

const HttpsUri = (description: string) => Type.String({ format: 'uri', pattern: '^https://.+', description })
/** FITKO's "Textuelle Beschreibung": HTML per language code (we send `de`, escaped text in simple markup) */
const Described = (description: string) => Type.Object({
  description: Type.Record(Type.String(), Type.String(), { description: 'HTML per language (de)' }),
}, { description })
const PlaceAddress = (description: string) => Type.Object({
  street: Type.Optional(Type.String({ description: 'Straßenname ohne Hausnummer' })),
  houseNumber: Type.Optional(Type.String()),
  additional: Type.Optional(Type.String()),
  zip: Type.Optional(Type.String()),
  city: Type.Optional(Type.String()),
}, { description })

export const FitConnectRoute = Type.Object({
  destinationId: Type.String({ format: 'uuid', description: 'the responsible member\'s FIT-Connect destination, as its manifest declares it (offering, else its office)' }),
  destinationSignature: Type.String({ description: 'the JWS FIT-Connect issued for it, passed on unchanged (the gateway never signs)' }),
  destinationName: Type.Optional(Type.String({ description: 'member and office' })),
  destinationShortName: Type.Optional(Type.String({ description: 'the office' })),
  contactPersons: Type.Optional(Type.Array(Type.Object({
    name: Type.Optional(Type.String()),
    tel: Type.Optional(Type.String()),
    fax: Type.Optional(Type.String()),
    email: Type.Optional(Type.String({ format: 'email' })),
  }), { minItems: 1, maxItems: 500, description: 'the responsible office, then the Ansprechpunkte, each with phone or e-mail' })),
  address: Type.Optional(PlaceAddress('Hausanschrift of the office (street and number split)')),
  privacyPolicyUrl: Type.Optional(HttpsUri('Datenschutzerklärung (the portal operator\'s, when PUBLIC_ORIGIN is https)')),
  imprintUrl: Type.Optional(HttpsUri('Impressum (likewise)')),
  accessibilityUrl: Type.Optional(HttpsUri('Erklärung zur Barrierefreiheit (likewise)')),
  furtherInformation: Type.Optional(Described('Weiterführende Informationen')),
  requiredDocuments: Type.Optional(Described('Erforderliche Unterlagen')),
  legalBasis: Type.Optional(Described('Rechtsgrundlagen')),
  deadline: Type.Optional(Described('Fristen')),
  processingDuration: Type.Optional(Type.Object({
    minDuration: Type.Optional(Type.Integer()),
    maxDuration: Type.Optional(Type.Integer()),
    unit: Type.Optional(Type.Union(DURATION_UNITS.map((u) => Type.Literal(u)))),
  }, { description: 'Bearbeitungsdauer, when the manifest states it as numbers' })),
  origin: Type.Optional(Type.String({ description: 'source system: dachportal (the members\' manifests)' })),
}, { $id: 'FitConnectRoute', description: 'a FIT-Connect route (Routing API 2.0.0 `route`)' })
export type FitConnectRoute = Static<typeof FitConnectRoute>

const paging = {
  count: Type.Integer({ minimum: 0, maximum: 500 }),
  offset: Type.Integer({ minimum: 0 }),
  totalCount: Type.Integer({ minimum: 0 }),
}

export const FitConnectRouteResult = Type.Object(
  { ...paging, routes: Type.Array(Type.Ref('FitConnectRoute'), { maxItems: 500 }) },
  { $id: 'FitConnectRouteResult', description: 'Routing API 2.0.0 `route-result`' },
)

export const FitConnectArea = Type.Object({
  id: Type.String({ pattern: '^\\d{1,}', description: 'the area\'s ARS (Stadt 12, Kreis 5, Land 2 digits): use as areaId', examples: ['055620014014'] }),
  name: Type.String({ examples: ['Gladbeck'] }),
  type: Type.String({ examples: ['Kreisangehörige Stadt'] }),
}, { $id: 'FitConnectArea', description: 'Routing API 2.0.0 `area`' })
export type FitConnectArea = Static<typeof FitConnectArea>

export const FitConnectAreaResult = Type.Object(
  { ...paging, areas: Type.Array(Type.Ref('FitConnectArea'), { maxItems: 500 }) },
  { $id: 'FitConnectAreaResult', description: 'Routing API 2.0.0 `area-result`' },
)

export const FitConnectInfo = Type.Object({
  version: Type.Object({ major: Type.Integer(), minor: Type.Integer(), patch: Type.Integer() }),
}, { $id: 'FitConnectInfo', description: 'Routing API 2.0.0 `info`: the version of the Routing API served' })

export const fitConnectSchemas = [FitConnectRoute, FitConnectRouteResult, FitConnectArea, FitConnectAreaResult, FitConnectInfo]
