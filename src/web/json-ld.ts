// schema.org GovernmentService for a service page. JSON-LD is data, not
// script: browsers never execute it, so it works under `script-src 'self'`.
// The serialisation escapes <, >, & and the JS line separators so manifest
// text can never close the <script> element it sits in.
import type { Catalog, Offering, RegionalService } from '../catalog/types.js'

export function serviceJsonLd(catalog: Catalog, service: RegionalService, forYou: Offering | undefined, pageUrl: string | undefined): string {
  const doc: Record<string, unknown> = {
    '@context': 'https://schema.org',
    '@type': 'GovernmentService',
    name: service.name,
    description: service.summary,
    serviceType: service.name,
    areaServed: { '@type': 'AdministrativeArea', name: catalog.region.name },
  }
  if (pageUrl !== undefined) doc.url = pageUrl
  if (service.leikaKey !== undefined) {
    doc.identifier = { '@type': 'PropertyValue', propertyID: 'LeiKa', value: service.leikaKey }
  }
  const providers = forYou ? [forYou] : service.offerings
  doc.provider = providers.map((o) => ({ '@type': 'GovernmentOrganization', name: o.memberName }))
  if (forYou) doc.availableChannel = channel(forYou)
  return safeJson(doc)
}

function channel(offering: Offering): Record<string, unknown> {
  const out: Record<string, unknown> = { '@type': 'ServiceChannel' }
  if (offering.onlineUrl !== undefined) out.serviceUrl = offering.onlineUrl
  const office = offering.office
  if (office?.phone !== undefined) out.servicePhone = { '@type': 'ContactPoint', telephone: office.phone }
  if (office) {
    const location: Record<string, unknown> = { '@type': 'GovernmentOffice', name: office.name }
    if (office.address) {
      location.address = {
        '@type': 'PostalAddress',
        streetAddress: office.address.street,
        postalCode: office.address.postalCode,
        addressLocality: office.address.city,
      }
    }
    if (office.openingHours?.length) location.openingHours = office.openingHours
    out.serviceLocation = location
  }
  return out
}

/** JSON safe to place inside <script type="application/ld+json">. */
function safeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}
