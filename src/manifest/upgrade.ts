// v1 -> v2 manifest conversion. Pure. Every v1 document is a valid v2 one once
// its version says so: v2 only adds optional fields (onlineServices, channels,
// onlineService, appointmentUrl, accessibility). Meanings are not guessed: a
// v1 onlineUrl stays an onlineUrl (moving a portal front page to
// links.servicePortal is the member's decision, see README).
import type { ManifestV1, ManifestV2 } from './schema.js'

const V1_SCHEMA = 'https://serviceportal.emscher-lippe.de/schemas/manifest-v1.json'
const V2_SCHEMA = 'https://serviceportal.emscher-lippe.de/schemas/manifest.json'

export function upgradeManifest(v1: ManifestV1): ManifestV2 {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(v1)) {
    if (key === 'schemaVersion') out[key] = 2
    else if (key === '$schema') out[key] = value === V1_SCHEMA ? V2_SCHEMA : value
    else out[key] = value
  }
  return out as ManifestV2
}
