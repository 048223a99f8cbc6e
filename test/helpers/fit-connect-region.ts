// A small region whose manifests declare FIT-Connect destinations (test
// values: the UUIDs and JWS below are made up, no FIT-Connect system issued
// them), for the /fit-connect/v1/ surface and /api/v1/routes. alpha declares
// it on its office, beta on the offering, gamma not at all; the Kreis on the
// office of a service of its own.
import { manifest, makeRegion, service, type TempRegion } from './region.js'
import { sharingMembers } from './shared-service.js'

export const HUND = '99102013104000'
export const DEST_ALPHA = '3f2504e0-4f89-41d3-9a0c-0305e82c3301'
export const DEST_BETA = '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d'
export const DEST_KREIS = '1b4e28ba-2fa1-41d2-883f-0016d3cca427'
/** header.payload.signature in base64url: the shape FIT-Connect's pattern wants, signed by nobody */
export const SIG = 'eyJhbGciOiJQUzUxMiJ9.eyJkZXN0aW5hdGlvbklkIjoidGVzdCJ9.dGVzdC1zaWduYXR1cmU'
const SOURCE = (id: string) => `https://www.${id}.example/quelle`

function city(id: string, office: Record<string, unknown>, offering: Record<string, unknown>) {
  return {
    ...manifest(id, [service('hund', { key: 'hund-anmelden', name: 'Hund anmelden', lifeSituations: ['tiere'], office: 'steueramt', ...offering } as never)], {
      sources: [{ what: 'Testdaten', source: 'für einen Test erfunden', url: SOURCE(id) }] as never,
      offices: [{ id: 'steueramt', name: `Steueramt ${id[0]!.toUpperCase()}${id.slice(1)}`, ...office }] as never,
    }),
    schemaVersion: 2 as const,
  }
}

export async function fitConnectRegion(): Promise<TempRegion> {
  const alpha = city('alpha', {
    address: { street: 'Rathausplatz 1a', postalCode: '44575', city: 'Alpha' },
    phone: '+49 2305 1060', email: 'steueramt@alpha.example',
    fitConnect: { destinationId: DEST_ALPHA, destinationSignature: SIG },
  }, {
    documents: ['Personalausweis', 'Nachweis <Haftpflicht> & Chip'],
    legalBasis: [{ title: '§ 1 Hundesteuersatzung', url: 'https://www.alpha.example/satzung' }],
    deadlines: 'Innerhalb von 14 Tagen nach Anschaffung.',
    processingTime: { text: 'etwa eine Woche', min: 3, max: 5, unit: 'workday' },
    furtherInformation: [{ title: 'Hundesteuer', url: 'https://www.alpha.example/hundesteuer' }],
    source: SOURCE('alpha'),
  })
  const beta = city('beta', { address: { street: 'Markt', postalCode: '45711', city: 'Beta' } }, {
    fitConnect: { destinationId: DEST_BETA, destinationSignature: SIG },
  })
  const gamma = city('gamma', { phone: '02043 990' }, {})
  const kreis = {
    ...manifest('kreis', [service('lkw', { name: 'Kreisleistung', leikaKey: '99123456760610', lifeSituations: ['mobilitaet-verkehr'], office: 'amt' } as never)], {
      offices: [{ id: 'amt', name: 'Straßenverkehrsamt', fitConnect: { destinationId: DEST_KREIS, destinationSignature: SIG } }] as never,
    }),
    schemaVersion: 2 as const,
  }
  return makeRegion(sharingMembers(), { kreis: kreis as never, alpha: alpha as never, beta: beta as never, gamma: gamma as never, delta: null })
}
