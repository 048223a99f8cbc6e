// Which operator data the region config does not provide yet. The gateway
// never fills these in: the start-up warning and the legal pages name them.
import type { Operator } from './region-schema.js'

const OPERATOR_FIELDS = [
  'operator', 'address', 'contact', 'representative', 'dataProtectionOfficer', 'supervisoryAuthority',
  'logRetentionDays', 'accessibility', 'arbitrationBody', 'signLanguageVideos',
] as const
export type OperatorField = (typeof OPERATOR_FIELDS)[number]

/** The fields still missing, in OPERATOR_FIELDS order; the whole list when there is no operator block. */
export function operatorGaps(operator: Operator | undefined): OperatorField[] {
  if (operator === undefined) return [...OPERATOR_FIELDS]
  const present: Record<OperatorField, boolean> = {
    operator: true,
    address: operator.address !== undefined,
    contact: operator.email !== undefined || operator.phone !== undefined,
    representative: operator.representative !== undefined,
    dataProtectionOfficer: operator.dataProtectionOfficer !== undefined,
    supervisoryAuthority: operator.supervisoryAuthority !== undefined,
    logRetentionDays: operator.logRetentionDays !== undefined,
    accessibility: operator.accessibility !== undefined,
    arbitrationBody: operator.arbitrationBody !== undefined,
    signLanguageVideos: (operator.signLanguageVideos ?? []).length > 0,
  }
  return OPERATOR_FIELDS.filter((f) => !present[f])
}
