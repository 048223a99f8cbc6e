// How else residents reach a city: the `contact` member of the proxy's
// problem documents when an online service fails.
import type { Catalog } from '../catalog/types.js'

export interface MemberContact {
  name: string
  phone?: string
  email?: string
  portalUrl?: string
  websiteUrl?: string
}

export type ContactLookup = (memberId: string) => MemberContact | undefined

/** The `contact` extension member: how else to reach the city. */
export function contactOf(memberId: string, lookup: ContactLookup): { name: string; contact: MemberContact } {
  let found: MemberContact | undefined
  try {
    found = lookup(memberId)
  } catch {
    found = undefined
  }
  const contact = found ?? { name: memberId }
  return { name: contact.name, contact }
}

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
