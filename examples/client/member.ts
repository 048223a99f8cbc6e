// Member journey: a member city registers its manifest with its bearer token
// and checks its status. Validation: the manifest is typed as the contract's
// Manifest schema (tsc checks the shape), and the gateway validates again on
// PUT: 422 names every error with its JSON path and the previous manifest
// stays live, so a draft can be sent safely.
import { fill, readJson, url, ProblemError, type Schemas } from './api.js'

export type Manifest = Schemas['Manifest']
export type Accepted = Schemas['ManifestAccepted']
export type MemberStatus = Schemas['MemberDetail']

export type Registration =
  | { ok: true; accepted: Accepted }
  | { ok: false; status: number; errors: { path: string; message: string }[] }

export async function registerManifest(base: string, member: string, token: string, manifest: Manifest): Promise<Registration> {
  const res = await fetch(url(base, fill('/api/v1/admin/members/{id}/manifest', { id: member })), {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(manifest),
  })
  try {
    return { ok: true, accepted: await readJson<Accepted>(res) }
  } catch (err) {
    if (!(err instanceof ProblemError)) throw err
    return { ok: false, status: err.problem.status, errors: err.problem.errors ?? [] }
  }
}

export async function memberStatus(base: string, member: string): Promise<MemberStatus> {
  const res = await fetch(url(base, fill('/api/v1/members/{id}', { id: member })), { headers: { accept: 'application/json' } })
  return readJson<MemberStatus>(res)
}

export interface MemberResult { registration: Registration; status: MemberStatus }

/** validate + register (one PUT: 422 with every error, or 200 and live) -> status */
export async function memberJourney(base: string, member: string, token: string, manifest: Manifest): Promise<MemberResult> {
  const registration = await registerManifest(base, member, token, manifest)
  const status = await memberStatus(base, member)
  return { registration, status }
}
