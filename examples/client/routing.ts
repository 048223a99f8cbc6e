// Routing journey: where to send a service request for an area. Two surfaces:
// - /api/v1/routes, FIT-Connect-like, for portal frontends: the responsible
//   member and office, its online service; a postal code is enough.
// - /fit-connect/v1/, compatible with FITKO's Routing API 2.0.0: a FIT-Connect
//   sender changes only its base URL. Find the area (/areas), then the routes
//   with their destinationId and destinationSignature (only where the member
//   declares a FIT-Connect destination: verify the signature before sending).
import { get, type Schemas } from './api.js'

/** The portal's own answer: who handles the service for a resident of this postal code. */
export async function portalRoutes(base: string, leikaKey: string, postalCode: string): Promise<Schemas['Route'][]> {
  const answer = await get(base, '/api/v1/routes', { leikaKey, postalCode })
  return answer.routes
}

export interface FitConnectResult {
  /** the first area /areas found for the search term, with its id (an ARS) */
  area?: Schemas['FitConnectArea']
  /** the routes for that area: each one a FIT-Connect destination */
  routes: Schemas['FitConnectRoute'][]
}

/** As a FIT-Connect sender would: area by name or postal code, then its routes. */
export async function fitConnectRoutes(base: string, leikaKey: string, areaTerm: string): Promise<FitConnectResult> {
  const found = await get(base, '/fit-connect/v1/areas', { areaSearchexpression: [areaTerm] })
  const area = found.areas[0]
  if (area === undefined) return { routes: [] }
  const answer = await get(base, '/fit-connect/v1/routes', { leikaKey, areaId: area.id })
  return { area, routes: answer.routes }
}
