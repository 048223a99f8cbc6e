// Member tokens: the region config holds only SHA-256 hashes. A presented
// token is hashed and compared with every configured hash in constant time,
// without stopping at the first match, so the timing says nothing about
// which hash (if any) was close.
import crypto from 'node:crypto'

// the scheme is case-insensitive (RFC 9110 §11.1); the token class has both cases anyway
const BEARER = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i

/** The token of an `Authorization: Bearer <token>` header, else undefined. */
export function parseBearer(header: string | undefined): string | undefined {
  if (header === undefined || header.length > 4096) return undefined
  return BEARER.exec(header)?.[1]
}

/** Whether a configured token can be presented at all (RFC 6750 token68 syntax). */
export function isBearerToken(token: string): boolean {
  return parseBearer(`Bearer ${token}`) === token
}

export function sha256(token: string): Buffer {
  return crypto.createHash('sha256').update(token, 'utf8').digest()
}

export function sha256Hex(token: string): string {
  return sha256(token).toString('hex')
}

/** constant-time equality of a digest and a configured hex hash */
export function digestMatches(digest: Buffer, expectedHex: string): boolean {
  const expected = Buffer.from(expectedHex, 'hex')
  // equal-length buffers are required by timingSafeEqual; a malformed
  // configured hash is compared against itself so the work stays the same
  const other = expected.length === digest.length ? expected : digest
  return crypto.timingSafeEqual(digest, other) && other === expected
}

/**
 * The member a token belongs to (undefined = none). Compares against every
 * member with a token, always all of them.
 */
export function tokenOwner<M extends { tokenSha256?: string | undefined }>(token: string, members: readonly M[]): M | undefined {
  const digest = sha256(token)
  let owner: M | undefined
  for (const member of members) {
    if (member.tokenSha256 === undefined) continue
    if (digestMatches(digest, member.tokenSha256) && owner === undefined) owner = member
  }
  return owner
}
