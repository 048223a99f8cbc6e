// An XZuFi import report as a member's status carries it: counts and one line
// per dropped object (expired ones with their date), unmapped fact or unknown code, bounded like validation errors (a
// Land's export can drop thousands of Leistungen; the status stays small).
import type { ImportSummary } from '../catalog/types.js'
import type { ImportReport } from '../import/xzufi-map.js'
import { boundIssues } from '../manifest/issues.js'

export function summarizeImport(report: ImportReport): ImportSummary {
  const notes = [
    ...report.dropped.map((d) => ({ path: '', message: `dropped ${d.kind} ${d.id}${d.name ? ` "${d.name}"` : ''}: ${d.reason}` })),
    ...report.notMapped.map((n) => ({ path: '', message: `not mapped: ${n.what} in ${n.count} service(s)` })),
    ...report.unknownCodes.map((u) => ({ path: '', message: `unknown code: ${u.what} (${u.count} time(s))` })),
  ]
  return {
    xzufiVersion: report.xzufiVersion,
    read: { ...report.read },
    mapped: { ...report.mapped },
    dropped: report.dropped.length,
    notes: boundIssues(notes),
  }
}
