// One responsible offering -> a FIT-Connect route in FITKO's field names.
// Only an offering whose member declares a destination (on the offering, else
// on its office) is a route: FIT-Connect requires destinationId and
// destinationSignature, and the gateway never invents or signs either. Texts
// from manifests go into FITKO's HTML "description" fields escaped. Pure.
import type { Offering } from '../catalog/types.js'
import type { FitConnectRoute } from './schemas.js'

/** Where the route's privacy, imprint and accessibility statements are (absolute https URLs), if known. */
export interface LegalUrls {
  privacyPolicyUrl?: string
  imprintUrl?: string
  accessibilityUrl?: string
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)
const paragraph = (text: string) => `<p>${escapeHtml(text)}</p>`
const list = (items: string[]) => `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`
const link = (title: string, url?: string) => (url === undefined ? escapeHtml(title) : `<a href="${escapeHtml(url)}">${escapeHtml(title)}</a>`)
const described = (html: string) => ({ description: { de: html } })

/** "Rathausplatz 1a" -> street "Rathausplatz", houseNumber "1a"; a street without a trailing number stays whole. */
export function splitStreet(line: string): { street: string; houseNumber?: string } {
  const match = /^(.*\S)\s+(\d+(?:\s?[a-zA-Z])?(?:\s?[-–/]\s?\d+(?:\s?[a-zA-Z])?)?)$/.exec(line.trim())
  return match ? { street: match[1]!, houseNumber: match[2]! } : { street: line.trim() }
}

type OfficeLike = NonNullable<Offering['office']>

function contactOf(office: OfficeLike): NonNullable<FitConnectRoute['contactPersons']>[number] | undefined {
  if (office.phone === undefined && office.email === undefined) return undefined
  return { name: office.name, ...(office.phone ? { tel: office.phone } : {}), ...(office.email ? { email: office.email } : {}) }
}

export function toFitConnectRoute(o: Offering, legal: LegalUrls): FitConnectRoute | undefined {
  const destination = o.fitConnect ?? o.office?.fitConnect
  if (destination === undefined) return undefined
  const office = o.office
  const contacts = [office, ...(o.contactPoints ?? [])].flatMap((c) => (c === undefined ? [] : [contactOf(c)])).filter((c) => c !== undefined)
  const time = o.processingTime
  const duration = time && (time.min !== undefined || time.max !== undefined) && time.unit !== undefined
    ? { ...(time.min !== undefined ? { minDuration: time.min } : {}), ...(time.max !== undefined ? { maxDuration: time.max } : {}), unit: time.unit }
    : undefined
  const further = [
    ...(o.furtherInformation ?? []).map((l) => link(l.title, l.url)),
    ...(o.infoUrl !== undefined ? [link('Informationen des Mitglieds', o.infoUrl)] : []),
  ]
  return {
    destinationId: destination.destinationId,
    destinationSignature: destination.destinationSignature,
    destinationName: office === undefined ? o.memberName : office.name.includes(o.memberName) ? office.name : `${o.memberName} - ${office.name}`,
    destinationShortName: office?.name ?? o.memberName,
    ...(contacts.length > 0 ? { contactPersons: contacts } : {}),
    ...(office?.address ? { address: { ...splitStreet(office.address.street), zip: office.address.postalCode, city: office.address.city } } : {}),
    ...legal,
    ...(further.length > 0 ? { furtherInformation: described(list(further)) } : {}),
    ...(o.documents?.length ? { requiredDocuments: described(list(o.documents.map(escapeHtml))) } : {}),
    ...(o.legalBasis?.length ? { legalBasis: described(list(o.legalBasis.map((l) => link(l.title, l.url)))) } : {}),
    ...(o.deadlines !== undefined ? { deadline: described(paragraph(o.deadlines)) } : {}),
    ...(duration ? { processingDuration: duration } : {}),
    origin: 'dachportal',
  }
}
