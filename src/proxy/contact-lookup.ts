import type { Catalog } from '../catalog/types.js'
import type { MemberContact } from './problem.js'

/** How else residents reach a city when its online service fails (from the live catalog). */
export function memberContact(catalog: Catalog, id: string): MemberContact | undefined {
  const member = catalog.memberById.get(id)
  if (!member) return undefined
  const contact: MemberContact = { name: member.name }
  if (member.contact?.phone) contact.phone = member.contact.phone
  if (member.contact?.email) contact.email = member.contact.email
  if (member.portalUrl) contact.portalUrl = member.portalUrl
  if (member.websiteUrl) contact.websiteUrl = member.websiteUrl
  return contact
}
