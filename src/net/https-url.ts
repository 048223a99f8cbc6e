// The one URL rule for everything the gateway links to or fetches from:
// https only (plain http only where a member opted into private networks,
// which only tests do), never a user name or password in the URL. Pure:
// callers word the refusal for their own audience.

export type HttpsUrlCheck =
  | { ok: true; url: URL; problem?: undefined }
  | { ok: false; problem: 'not-a-url' }
  | { ok: false; problem: 'not-https' | 'credentials'; url: URL }

export function checkHttpsUrl(raw: string, allowHttp = false): HttpsUrlCheck {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { ok: false, problem: 'not-a-url' }
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) return { ok: false, problem: 'not-https', url }
  if (url.username !== '' || url.password !== '') return { ok: false, problem: 'credentials', url }
  return { ok: true, url }
}

/** A member manifest given as a URL rather than a path beside region.json. */
export function isRemoteManifest(manifest: string): boolean {
  return /^https?:\/\//i.test(manifest)
}
