// A filter naming a member or life situation that does not exist is a client
// error (a typo, a stale link), not an empty result: 400 naming the parameter.
import type { Catalog } from '../catalog/types.js'
import { errors, withIssues, type Issue } from '../http/problem.js'

export function checkKnownFilters(
  catalog: Catalog,
  query: { member?: string | undefined; residentMember?: string | undefined; lifeSituation?: string | undefined },
): void {
  const issues: Issue[] = []
  for (const key of ['member', 'residentMember'] as const) {
    const id = query[key]
    if (id !== undefined && !catalog.memberById.has(id)) issues.push({ path: `/${key}`, in: 'querystring', message: `unbekanntes Mitglied: ${id}` })
  }
  if (query.lifeSituation !== undefined && !catalog.lifeSituationById.has(query.lifeSituation)) {
    issues.push({ path: '/lifeSituation', in: 'querystring', message: `unbekannte Lebenslage: ${query.lifeSituation}` })
  }
  if (issues.length > 0) throw withIssues(new errors.BAD_QUERY(issues.map((i) => i.message).join('; ')), issues)
}
