// Offering -> what a page shows: the online link only while the member is
// healthy; otherwise a notice with the member's phone, e-mail or website.
import type { Catalog, CatalogMember, Offering } from '../catalog/types.js'
import type { Office } from '../manifest/schema.js'
import { levelLabel, TRUST_LABEL } from './labels.js'
import { phoneHref } from './urls.js'

/** Proxy breaker state per member, as app.memberHealth reports it. */
export type HealthLookup = (memberId: string) => { state: string } | undefined

interface Contact {
  phone?: string
  phoneHref?: string
  email?: string
  website?: string
}

export interface Availability {
  online: boolean
  /** German notice when online services should not be used */
  notice?: string
  contact: Contact
}

interface OfficeView {
  name: string
  address?: string
  openingHours: string[]
  phone?: string
  phoneHref?: string
  email?: string
  url?: string
  appointmentUrl?: string
}

export interface OfferingView {
  member: string
  memberName: string
  levelLabel: string
  name: string
  summary: string
  goUrl?: string
  infoUrl?: string
  trustLabel?: string
  /** how to do it online: the (possibly shared) online service, in plain German; providerFrom: "vom Land Nordrhein-Westfalen" */
  online?: { name: string; providerName: string; providerFrom: string; shared: boolean; maturityText?: string; accountText?: string }
  /** the manifest says it cannot be done online (channels without "online") */
  offlineOnly: boolean
  fees?: string
  documents: string[]
  office?: OfficeView
  availability: Availability
}

export function availabilityOf(member: CatalogMember | undefined, health: HealthLookup): Availability {
  const contact = contactView(member)
  if (member === undefined) return { online: false, notice: 'Zu diesem Angebot liegen zurzeit keine aktuellen Angaben vor.', contact }
  const n = member.names
  if (health(member.id)?.state === 'open') {
    return { online: false, notice: `Die Online-Dienste ${n.from} sind zurzeit nicht erreichbar. Bitte wenden Sie sich direkt an ${n.accusative}.`, contact }
  }
  if (member.status === 'failed') {
    return { online: false, notice: `Die Angaben ${n.from} sind zurzeit gestört. Bitte wenden Sie sich direkt an ${n.accusative}.`, contact }
  }
  if (member.status === 'stale') {
    return { online: false, notice: `Die Angaben ${n.from} konnten zuletzt nicht aktualisiert werden und sind vielleicht nicht mehr aktuell. Bitte fragen Sie im Zweifel direkt ${n.at} nach.`, contact }
  }
  return { online: true, contact }
}

function contactView(member: CatalogMember | undefined): Contact {
  const contact: Contact = {}
  if (member?.contact?.phone !== undefined) {
    contact.phone = member.contact.phone
    contact.phoneHref = phoneHref(member.contact.phone)
  }
  if (member?.contact?.email !== undefined) contact.email = member.contact.email
  const website = member?.websiteUrl ?? member?.portalUrl
  if (website !== undefined) contact.website = website
  return contact
}

function officeView(office: Office): OfficeView {
  const view: OfficeView = { name: office.name, openingHours: office.openingHours ?? [] }
  if (office.address) view.address = `${office.address.street}, ${office.address.postalCode} ${office.address.city}`
  if (office.phone !== undefined) {
    view.phone = office.phone
    view.phoneHref = phoneHref(office.phone)
  }
  if (office.email !== undefined) view.email = office.email
  if (office.url !== undefined) view.url = office.url
  if (office.appointmentUrl !== undefined) view.appointmentUrl = office.appointmentUrl
  return view
}

export function offeringView(offering: Offering, catalog: Catalog, health: HealthLookup): OfferingView {
  const availability = availabilityOf(catalog.memberById.get(offering.member), health)
  const view: OfferingView = {
    member: offering.member,
    memberName: offering.memberName,
    levelLabel: levelLabel(offering.level),
    name: offering.name,
    summary: offering.summary,
    documents: offering.documents ?? [],
    availability,
    offlineOnly: offering.channels !== undefined && !offering.channels.includes('online'),
  }
  if (offering.onlineService) {
    const os = offering.onlineService
    const provider = catalog.memberById.get(os.provider)
    view.online = { name: os.name, providerName: os.providerName, providerFrom: provider?.names.from ?? `von ${os.providerName}`, shared: os.shared }
    if (os.maturityText !== undefined) view.online.maturityText = os.maturityText
    if (os.accountText !== undefined) view.online.accountText = os.accountText
  }
  if (offering.trustLevel !== undefined) view.trustLabel = TRUST_LABEL[offering.trustLevel] ?? offering.trustLevel
  if (availability.online && offering.goUrl !== undefined) view.goUrl = offering.goUrl
  if (offering.infoUrl !== undefined) view.infoUrl = offering.infoUrl
  if (offering.fees !== undefined) view.fees = offering.fees
  if (offering.office) {
    view.office = officeView(offering.office)
    // An office without its own line: the member's general contact.
    if (view.office.phone === undefined && view.office.email === undefined) {
      if (availability.contact.phone !== undefined) {
        view.office.phone = availability.contact.phone
        view.office.phoneHref = availability.contact.phoneHref as string
      }
      if (availability.contact.email !== undefined) view.office.email = availability.contact.email
    }
  }
  return view
}
