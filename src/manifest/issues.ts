// Bounds on validation issues wherever they go: a 422 answer, a member's
// stored status, the public member document, a log line. A flood of errors
// (900 006 once, 55 MB) must never be collected, stored or served whole.
import type { Issue } from '../http/problem.js'

/** Issues listed per answer, status and log line; the rest are counted in one last entry. */
export const MAX_ISSUES = 50
const MAX_PATH = 300
const MAX_MESSAGE = 300
/** a member's lastError as stored and served */
export const MAX_LAST_ERROR = 2000

/**
 * At most MAX_ISSUES issues, each path and message cut to a bounded length
 * (messages quote the document), then one entry "and N more error(s)".
 * Applying it to its own output changes nothing.
 */
export function boundIssues(issues: readonly Issue[]): Issue[] {
  const bounded = issues.length === MAX_ISSUES + 1 && isSummary(issues[MAX_ISSUES]!)
  const shown = issues.slice(0, bounded ? MAX_ISSUES + 1 : MAX_ISSUES).map((i) => ({ path: cut(String(i.path), MAX_PATH), message: cut(String(i.message), MAX_MESSAGE) }))
  const more = issues.length - shown.length
  if (more > 0) shown.push({ path: '', message: `and ${more} more error(s) not listed` })
  return shown
}

function isSummary(issue: Issue): boolean {
  return issue.path === '' && /^and \d+ more error\(s\) not listed$/.test(String(issue.message))
}

export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}
