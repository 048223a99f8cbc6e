// German UI labels for catalog values. Information is always given as text,
// never by colour alone.
import type { Level, TrustLevel } from '../manifest/schema.js'
import type { MemberStatus } from '../catalog/types.js'

const LEVEL_LABEL: Readonly<Record<Level, string>> = {
  stadt: 'Stadt',
  kreis: 'Kreis',
  land: 'Land',
  bund: 'Bund',
}

export const TRUST_LABEL: Readonly<Record<TrustLevel, string>> = {
  none: 'Ohne Anmeldung nutzbar',
  low: 'Anmeldung mit Benutzerkonto',
  substantial: 'Online-Ausweis (eID) erforderlich',
  high: 'Online-Ausweis (eID) erforderlich (hohes Vertrauensniveau)',
}

export const STATUS_LABEL: Readonly<Record<MemberStatus, string>> = {
  ok: 'Verfügbar',
  stale: 'Angaben veraltet',
  failed: 'Gestört',
}

export function levelLabel(level: string): string {
  return LEVEL_LABEL[level as Level] ?? level
}
