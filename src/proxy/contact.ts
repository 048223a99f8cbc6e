// How else residents reach a city: the `contact` member of the proxy's
// problem documents when an online service fails.

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
