// Regional services merged by LeiKa key that config/services.json does not
// curate: their id, and the name, summary and Lebenslagen taken from the
// members' own texts, with what the members disagree on (the curator's list,
// GET /api/v1/admin/catalog/uncurated). Pure and deterministic.
import { LEVEL_RANK } from '../manifest/schema.js'
import type { Offering, UncuratedService } from './types.js'

const LEIKA_SERVICE_ID = /^leika-99[0-9]{12}$/

/** The regional id of an uncurated LeiKa key: stable and URL-safe (a slug). */
export const leikaServiceId = (leikaKey: string): string => `leika-${leikaKey}`

/** A regional service (catalog key or merged LeiKa key), not one member's local service. */
export const isRegionalService = (s: { id: string; key?: string }): boolean => s.key !== undefined || LEIKA_SERVICE_ID.test(s.id)

/** What the merge collects per uncurated group beside the offerings. */
export interface GroupTexts {
  /** the LeiKa Leistungsbezeichnung as each member's export gives it (manifest `leikaName`) */
  leikaNames: string[]
}

/** code-point order (stable ids) and German order (names): the merge sorts with the same two */
export const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
export const collator = new Intl.Collator('de', { sensitivity: 'base' })

/** Values by how many give them, most first; ties in German order. */
function tally(values: { value: string; member: string }[]): { name: string; count: number; members: string[] }[] {
  const by = new Map<string, string[]>()
  for (const v of values) by.set(v.value, [...(by.get(v.value) ?? []), v.member])
  return [...by].map(([name, members]) => ({ name, count: members.length, members: [...new Set(members)].sort(byString) }))
    .sort((a, b) => b.count - a.count || collator.compare(a.name, b.name) || byString(a.name, b.name))
}

export function uncuratedFacts(
  id: string,
  leikaKey: string,
  offerings: readonly Offering[],
  leikaNames: readonly string[],
  fallback: string | undefined,
): { name: string; summary: string; lifeSituations: string[]; report: UncuratedService } {
  const sorted = [...offerings].sort((a, b) => LEVEL_RANK[b.level] - LEVEL_RANK[a.level] || byString(a.member, b.member))
  const names = tally(sorted.map((o) => ({ value: o.name, member: o.member })))
  const official = tally(leikaNames.map((n) => ({ value: n, member: '' })))
  // the LeiKa Leistungsbezeichnung where an export gives it, else the name most members use (never an arbitrary one)
  const name = official[0]?.name ?? names[0]!.name
  // the most general offering under that name (a city's text often names the city)
  const summary = (sorted.find((o) => o.name === name) ?? sorted[0]!).summary
  const classified = [...new Set(sorted.flatMap((o) => o.lifeSituations))].filter((l) => l !== fallback)
  const lifeSituations = classified.length > 0 ? classified : fallback !== undefined ? [fallback] : []
  const disagreements: string[] = []
  const list = (t: ReturnType<typeof tally>) => t.map((n) => `"${n.name}" (${n.members.join(', ')})`).join('; ')
  if (names.length > 1) disagreements.push(`names differ: ${list(names)}`)
  if (official.length > 1) disagreements.push(`LeiKa names differ: ${official.map((n) => `"${n.name}" (${n.count})`).join('; ')}`)
  const sets = tally(sorted.map((o) => ({ value: [...o.lifeSituations].sort(byString).join(', '), member: o.member })))
  if (sets.length > 1) disagreements.push(`Lebenslagen differ: ${list(sets)}`)
  const report: UncuratedService = {
    id,
    leikaKey,
    name,
    nameSource: official.length > 0 ? 'leika' : 'members',
    offeringCount: offerings.length,
    members: [...new Set(offerings.map((o) => o.member))].sort(byString),
    names,
    lifeSituations,
    disagreements,
  }
  return { name, summary, lifeSituations, report }
}
