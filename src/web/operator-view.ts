// German wording for operator data the region config does not provide yet
// (src/config/operator-gaps.ts). Plain statements, never placeholder data.
import type { OperatorField } from '../config/operator-gaps.js'

const MISSING_LABEL: Record<OperatorField, string> = {
  operator: 'Name des Betreibers dieses Portals',
  address: 'Postanschrift des Betreibers',
  contact: 'E-Mail-Adresse oder Telefonnummer des Betreibers',
  representative: 'Vertretungsberechtigte Person',
  dataProtectionOfficer: 'Kontakt der oder des Datenschutzbeauftragten',
  supervisoryAuthority: 'Zuständige Datenschutz-Aufsichtsbehörde',
  logRetentionDays: 'Wie lange die Server-Protokolle gespeichert werden',
  accessibility: 'Stand der Vereinbarkeit mit der BITV NRW und Datum der letzten Prüfung',
  arbitrationBody: 'Schlichtungsstelle für Barrierefreiheit',
  signLanguageVideos: 'Videos in Deutscher Gebärdensprache',
}

/** The missing fields among those a page needs, as German labels. */
export function missingLabels(gaps: readonly OperatorField[], page: readonly OperatorField[]): string[] {
  return page.filter((f) => gaps.includes(f)).map((f) => MISSING_LABEL[f])
}

export function formatDay(isoDate: string): string {
  const date = new Date(`${isoDate}T12:00:00Z`)
  if (Number.isNaN(date.getTime())) return isoDate
  return new Intl.DateTimeFormat('de-DE', { dateStyle: 'long', timeZone: 'Europe/Berlin' }).format(date)
}
