// Issue 24 item 1: the OpenAPI document and /schemas/manifest.json describe
// every field of the Leistungsbeschreibung and of an office's contact data:
// each with its German term (what city staff and the FIM texts call it) and
// every property inside it described too; the API's shapes are named
// components a generated client can use as types.
import t, { type Test } from 'tap'
import { realApp } from '../helpers/app.js'

type Json = Record<string, any>

/** field -> the German term its description names */
const SERVICE_TERMS: Record<string, RegExp> = {
  requirements: /Voraussetzungen/,
  procedure: /Verfahrensablauf/,
  deadlines: /Fristen/,
  processingTime: /Bearbeitungsdauer/,
  legalBasis: /Rechtsgrundlagen/,
  forms: /Formulare/,
  furtherInformation: /Weiterführende Informationen/,
  notes: /Hinweise/,
  fees: /Gebühren/,
  feeItems: /Gebühren/,
  contactPoints: /Ansprechpunkte/,
  fitConnect: /FIT-Connect/,
  source: /Quelle/,
}
const OFFICE_TERMS: Record<string, RegExp> = {
  name: /Dienststelle/,
  address: /Anschrift/,
  phone: /Telefon/,
  email: /E-Mail/,
  openingHours: /Öffnungszeiten/,
  appointmentUrl: /Termin/,
  accessibility: /[Bb]arrierefrei/,
  source: /Quelle/,
  fitConnect: /FIT-Connect/,
}

const app = await realApp(t)
const doc = (await app.inject('/docs/json')).json() as Json
const manifestSchema = (await app.inject('/schemas/manifest.json')).json() as Json
const components = doc.components.schemas as Json

/** the component a property refers to: a bare $ref, or allOf [$ref] where the property has its own description */
const refOf = (schema: Json | undefined): string | undefined => schema?.$ref ?? (schema?.allOf?.length === 1 ? schema.allOf[0].$ref : undefined)
/** a $ref to a component, resolved (refs in this document are local: openapi.test.ts) */
const resolve = (schema: Json): Json => { const ref = refOf(schema); return ref === undefined ? schema : components[ref.split('/').pop()!] }

/** every property below `schema` (through arrays and component refs) that has no description: their paths */
function undescribed(schema: Json, path: string, seen = new Set<Json>()): string[] {
  const target = resolve(schema)
  if (target === undefined || seen.has(target)) return []
  seen.add(target)
  const node = target.type === 'array' ? resolve(target.items) : target
  return Object.entries((node.properties ?? {}) as Json).flatMap(([name, property]) => {
    const own = typeof property.description === 'string' && property.description.length > 0
    const items = property.type === 'array' && typeof property.items?.description === 'string'
    return [...(own || items ? [] : [`${path}/${name}`]), ...undescribed(property, `${path}/${name}`, seen)]
  })
}

function checkTerms(t: Test, properties: Json, terms: Record<string, RegExp>, where: string): void {
  for (const [field, term] of Object.entries(terms)) {
    const property = properties[field]
    t.ok(property, `${where}: ${field} is listed`)
    t.match(property?.description ?? '', term, `${where}: ${field} is described with its German term ${term.source}`)
    t.same(undescribed(property ?? {}, `${where}/${field}`), [], `${where}: everything inside ${field} is described`)
  }
}

t.test('OpenAPI: the offering describes each Leistungsbeschreibung field', async (t) => {
  checkTerms(t, components.Offering.properties, SERVICE_TERMS, 'Offering')
})

t.test('OpenAPI: offices, processing time, fee items, links and FIT-Connect destinations are named components', async (t) => {
  for (const name of ['Office', 'ProcessingTime', 'FeeItem', 'LegalBasis', 'Link', 'FitConnectDestination']) {
    t.ok(components[name]?.description, `${name} is a described component`)
    t.same(undescribed(components[name] ?? {}, name), [], `every field of ${name} is described`)
  }
  const offering = components.Offering.properties
  t.equal(refOf(offering.office), '#/components/schemas/Office', 'the responsible office is an Office')
  t.equal(refOf(offering.contactPoints.items), '#/components/schemas/Office', 'contact points are Offices')
  t.equal(refOf(offering.processingTime), '#/components/schemas/ProcessingTime')
  t.equal(refOf(offering.feeItems.items), '#/components/schemas/FeeItem')
  t.equal(refOf(offering.legalBasis.items), '#/components/schemas/LegalBasis')
  t.equal(refOf(offering.forms.items), '#/components/schemas/Link')
  t.equal(refOf(offering.furtherInformation.items), '#/components/schemas/Link')
  t.equal(refOf(offering.fitConnect), '#/components/schemas/FitConnectDestination')
  t.equal(refOf(components.Office.properties.fitConnect), '#/components/schemas/FitConnectDestination')
  checkTerms(t, components.Office.properties, OFFICE_TERMS, 'Office')
  // a described $ref keeps its description (a bare one loses it in @fastify/swagger)
  t.match(components.RegionalService.properties.forYou, { description: /resident's own offering/ }, 'forYou says what it is')
  t.match(components.CompactService.properties.forYou, { description: /resident's own offering/ })
})

t.test('/schemas/manifest.json describes the same fields for the member cities', async (t) => {
  checkTerms(t, manifestSchema.properties.services.items.properties, SERVICE_TERMS, 'manifest service')
  checkTerms(t, manifestSchema.properties.offices.items.properties, OFFICE_TERMS, 'manifest office')
  // and the rules JSON Schema cannot state, in words (rules-description.ts checks them)
  const service = manifestSchema.properties.services.items.properties
  t.match(service.source.description, /sources/, 'a source must be listed in sources')
  t.match(service.contactPoints.description, /offices/, 'contact points name offices')
  t.match(service.forms.items.properties.url.description, /allowedHosts/, 'forms on allowed hosts')
  t.match(service.processingTime.description, /unit/, 'min/max need their unit')
  t.notMatch(JSON.stringify(manifestSchema), /\.ts\b/, 'no source file names in a published schema')
  t.same(doc.components.schemas.Manifest.properties.services.items.properties.requirements, service.requirements, 'the OpenAPI copy is the same schema')
})
