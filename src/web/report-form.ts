// "Barriere melden": reading and checking the form (pure), and the report
// it becomes. Limits are told to the resident in plain German.
import { randomUUID } from 'node:crypto'
import type { AccessibilityReport } from '../store/types.js'

export const REPORT_LIMITS = { message: 3000, page: 500, contact: 200 } as const
/**
 * Whole form body: room for every field at its limit even in 3-byte
 * characters percent-encoded (x3), so an over-long field gets the precise
 * message; beyond this the request is cut off with TOO_LARGE_MESSAGE.
 */
export const REPORT_BODY_LIMIT = 64 * 1024

export interface ReportFields {
  meldung: string
  fundstelle: string
  kontakt: string
}

export interface FieldError {
  field: keyof ReportFields
  message: string
}

const LABEL: Record<keyof ReportFields, string> = { meldung: 'Ihre Meldung', fundstelle: 'Wo ist die Barriere?', kontakt: 'Ihre E-Mail-Adresse oder Telefonnummer' }
const LIMIT: Record<keyof ReportFields, number> = { meldung: REPORT_LIMITS.message, fundstelle: REPORT_LIMITS.page, kontakt: REPORT_LIMITS.contact }

const number = (n: number) => new Intl.NumberFormat('de-DE').format(n)

/** Form body (already parsed) -> trimmed text fields; anything else is ignored. */
export function readReportFields(body: unknown): ReportFields {
  const get = (key: string): string => {
    const value = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined
    // Control characters other than line breaks and tabs are never part of a report.
    return typeof value === 'string' ? value.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim() : ''
  }
  return { meldung: get('meldung'), fundstelle: get('fundstelle'), kontakt: get('kontakt') }
}

export function checkReport(fields: ReportFields): FieldError[] {
  const errors: FieldError[] = []
  if (fields.meldung === '') errors.push({ field: 'meldung', message: 'Bitte beschreiben Sie die Barriere im Feld „Ihre Meldung“.' })
  for (const field of ['meldung', 'fundstelle', 'kontakt'] as const) {
    const length = [...fields[field]].length
    if (length > LIMIT[field]) {
      errors.push({ field, message: `„${LABEL[field]}“ ist zu lang: höchstens ${number(LIMIT[field])} Zeichen, Sie haben ${number(length)} Zeichen eingegeben. Bitte kürzen Sie den Text.` })
    }
  }
  return errors
}

export function toReport(fields: ReportFields, retentionDays: number, now = new Date()): AccessibilityReport {
  const report: AccessibilityReport = {
    id: randomUUID(),
    receivedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + retentionDays * 24 * 3600 * 1000).toISOString(),
    message: fields.meldung,
  }
  if (fields.fundstelle !== '') report.page = fields.fundstelle
  if (fields.kontakt !== '') report.contact = fields.kontakt
  return report
}

export const TOO_LARGE_MESSAGE = `Ihre Meldung ist zu groß, um sie zu senden: Bitte kürzen Sie sie auf höchstens ${number(REPORT_LIMITS.message)} Zeichen und senden Sie sie noch einmal.`
