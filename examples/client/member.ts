// Member journey: a member city registers its manifest with its bearer token
// and checks its status. Validation: the manifest is typed as the contract's
// Manifest schema (tsc checks the shape), and the gateway validates again on
// PUT: 422 names every error with its JSON path and the previous manifest
// stays live, so a draft can be sent safely. An edit sends the ETag of the
// manifest it started from as If-Match: if a colleague stored another one
// meanwhile, the PUT is a 412 and nothing of theirs is overwritten.
import { fill, readJson, url, ProblemError, type Schemas } from './api.js'

export type Manifest = Schemas['Manifest']
export type Accepted = Schemas['ManifestAccepted']
export type MemberStatus = Schemas['MemberDetail']

export type Registration =
  /** etag: names the manifest now stored (If-Match for the next edit) */
  | { ok: true; accepted: Accepted; etag: string | null }
  /** 412: the stored manifest is no longer the one in ifMatch; etag names the current one */
  | { ok: false; status: number; errors: { path: string; message: string }[]; etag: string | null }

/** PUT the manifest; with ifMatch only over the manifest that ETag names. */
export async function registerManifest(base: string, member: string, token: string, manifest: Manifest, ifMatch?: string): Promise<Registration> {
  const res = await fetch(url(base, fill('/api/v1/admin/members/{id}/manifest', { id: member })), {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json',
      ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }),
    },
    body: JSON.stringify(manifest),
  })
  const etag = res.headers.get('etag')
  try {
    return { ok: true, accepted: await readJson<Accepted>(res), etag }
  } catch (err) {
    if (!(err instanceof ProblemError)) throw err
    return { ok: false, status: err.problem.status, errors: err.problem.errors ?? [], etag }
  }
}

/** The stored manifest and the ETag that names it. */
export async function readManifest(base: string, member: string, token: string): Promise<{ manifest: Manifest; etag: string | null }> {
  const res = await fetch(url(base, fill('/api/v1/admin/members/{id}/manifest', { id: member })), {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
  })
  return { manifest: await readJson<Manifest>(res), etag: res.headers.get('etag') }
}

/** read -> change -> PUT with If-Match: a 412 means someone else's edit came first (read again and redo the change). */
export async function editManifest(base: string, member: string, token: string, change: (manifest: Manifest) => Manifest): Promise<Registration> {
  const { manifest, etag } = await readManifest(base, member, token)
  return registerManifest(base, member, token, change(manifest), etag ?? undefined)
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
