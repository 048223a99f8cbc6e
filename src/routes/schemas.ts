// Response and parameter schemas shared by the API routes: one source for
// validation, serialisation (fast-json-stringify) and the OpenAPI document.
import { Type, type TSchema } from '@sinclair/typebox'
import { Slug as ManifestSlug } from '../manifest/schema.js'
import {
  CompactOfferingSchema, CompactServiceSchema, FeeItemSchema, FitConnectDestinationSchema, LegalBasisSchema, LifeSituationSchema, LinkSchema, MemberSchema,
  OfferingSchema, OfficeSchema, OnlineServiceSchema, ProcessingTimeSchema, RegionalServiceSchema,
} from '../catalog/schemas.js'
import { VIEWS, type View } from '../catalog/views.js'

const Problem = Type.Object(
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
export { ServiceId } from '../catalog/schemas.js'

/** One paging rule for every list (search too): pages 1..1000 of 1..100 entries, 20 by default. */
const MAX_PAGE = 1000
export const Paging = {
  page: Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 1, description: 'Seite (ab 1)' }),
  pageSize: Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Einträge pro Seite (max. 100)' }),
}

/** A paged list; `$id` names it in the OpenAPI components (register it with namedSchemas). */
export function Page<T extends TSchema>(item: T, description: string, $id?: string) {
  return Type.Object(
    {
      items: Type.Array(item),
      total: Type.Integer(),
      page: Type.Integer(),
      pageSize: Type.Integer(),
    },
    $id === undefined ? { description } : { $id, description },
  )
}

/** `view=compact|full` on service lists (catalog/views.ts). */
export const ViewParam = Type.Unsafe<View>({
  type: 'string',
  enum: [...VIEWS],
  default: 'full',
  description: 'full (default): every service with all its offerings; compact: without offerings, only the resident\'s own as forYou (short), for lean lists',
  examples: ['compact'],
})

/** A page of services as documented (either view; named ServicePage), and the concrete page per view that serialises it. */
export const ServicePage = Page(
  Type.Union([Type.Ref('RegionalService'), Type.Ref('CompactService')], { description: 'RegionalService (view=full) or CompactService (view=compact)' }),
  'regional services, in the view asked for', 'ServicePage',
)
export const SERVICE_PAGE: Record<View, TSchema> = {
  full: Page(Type.Ref('RegionalService'), 'regional services'),
  compact: Page(Type.Ref('CompactService'), 'regional services, compact'),
}

export const MemberMetaSchema = Type.Object({
  source: Type.Optional(Type.String({ examples: ['file'] })),
  etag: Type.Optional(Type.String()),
  lastModified: Type.Optional(Type.String()),
  fetchedAt: Type.Optional(Type.String()),
  acceptedAt: Type.Optional(Type.String()),
  lastError: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  importReport: Type.Optional(Type.Object({
    xzufiVersion: Type.String({ examples: ['2.2.0'] }),
    read: Type.Object({}, { additionalProperties: Type.Integer(), description: 'objects read, per XZuFi class', examples: [{ leistungen: 412, organisationseinheiten: 21, onlinedienste: 9 }] }),
    mapped: Type.Object({}, { additionalProperties: Type.Integer(), description: 'what became the manifest', examples: [{ services: 380, catalogServices: 70, localServices: 310, offices: 21, onlineServices: 9 }] }),
    dropped: Type.Integer({ description: 'objects not imported; the reasons are among the notes' }),
    notes: Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), { description: 'one line per dropped object or unmapped fact; at most 50 and an "and N more" line' }),
  }, { description: 'members with an XZuFi feed: the report of the last import (also of a failed one, beside errors)' })),
})

export const sharedSchemas = [
  Problem, FitConnectDestinationSchema, OfficeSchema, ProcessingTimeSchema, FeeItemSchema, LegalBasisSchema, LinkSchema,
  OfferingSchema, CompactOfferingSchema, RegionalServiceSchema, CompactServiceSchema, MemberSchema, LifeSituationSchema, OnlineServiceSchema,
]
