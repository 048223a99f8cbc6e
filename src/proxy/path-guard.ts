// Decides whether the raw path after `/cities/<member>` stays inside the
// member's prefix. Works on the raw request target (before any decoding), so
// every encoding trick is seen exactly as the upstream would see it. Strict on
// purpose: a browser never needs to encode '.', '/', '\' or NUL, so anything
// that does is treated as an attack rather than normalised.

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Returns null when the path is fine, otherwise a short reason (no user data). */
export function checkProxyPath(url: string, prefix: string): string | null {
  if (!url.startsWith(prefix)) return 'nicht kanonischer Präfix'
  let end = url.indexOf('?', prefix.length)
  if (end === -1) end = url.length
  const start = prefix.length
  if (start === end) return null
  if (url.charCodeAt(start) !== 0x2f) return 'nicht kanonischer Präfix'
  let segStart = start + 1
  let slow = false
  for (let i = segStart; i <= end; i++) {
    const c = i === end ? 0x2f : url.charCodeAt(i)
    if (c === 0x2f) {
      const reason = checkSegment(url, segStart, i, slow, i === end)
      if (reason !== null) return reason
      segStart = i + 1
      slow = false
    } else if (c <= 0x20 || c >= 0x7f || c === 0x5c || c === 0x23) {
      return c === 0x5c ? 'Backslash' : 'unzulässiges Zeichen'
    } else if (c === 0x25 || c === 0x3b) {
      slow = true
    }
  }
  return null
}

function checkSegment(url: string, from: number, to: number, slow: boolean, last: boolean): string | null {
  if (from === to) return last ? null : 'doppelter Schrägstrich'
  if (!slow) return isDotSegment(url.slice(from, to)) ? 'Punktsegment' : null
  const decoded = decodeSegment(url.slice(from, to))
  if (decoded === null) return 'unzulässige Kodierung'
  // Servlet containers drop ';params' before resolving: '..;x' means '..'.
  const semi = decoded.indexOf(';')
  const bare = semi === -1 ? decoded : decoded.slice(0, semi)
  if (isDotSegment(bare)) return 'Punktsegment'
  if (hasNonAscii(decoded)) {
    // Some servers apply NFKC: fullwidth '．．' or '／' would become '..' or '/'.
    const folded = decoded.normalize('NFKC')
    if (folded.includes('/') || folded.includes('\\') || folded.includes('..') || folded === '.') {
      return 'unzulässige Kodierung'
    }
  }
  return null
}

function isDotSegment(s: string): boolean {
  return s === '.' || s === '..'
}

function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7e) return true
  return false
}

/** Percent-decodes one segment; null for anything a well-behaved client never sends. */
function decodeSegment(seg: string): string | null {
  const bytes: number[] = []
  for (let i = 0; i < seg.length; i++) {
    const c = seg.charCodeAt(i)
    if (c !== 0x25) {
      bytes.push(c)
      continue
    }
    const b = hexByte(seg, i + 1)
    if (b < 0) return null
    if (b < 0x20 || b === 0x7f || b === 0x2e || b === 0x2f || b === 0x5c) return null
    bytes.push(b)
    i += 2
  }
  let decoded: string
  try {
    // fatal: rejects overlong forms (%c0%ae, %e0%80%ae), surrogates, truncation.
    decoded = utf8.decode(Uint8Array.from(bytes))
  } catch {
    return null
  }
  // Still percent-encoded after one decode: double encoding (%252e, %25%32%65).
  for (let i = decoded.indexOf('%'); i !== -1; i = decoded.indexOf('%', i + 1)) {
    if (hexByte(decoded, i + 1) >= 0) return null
  }
  return decoded
}

function hexByte(s: string, i: number): number {
  if (i + 1 >= s.length) return -1
  const h = hexDigit(s.charCodeAt(i))
  const l = hexDigit(s.charCodeAt(i + 1))
  return h < 0 || l < 0 ? -1 : h * 16 + l
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  const lower = c | 0x20
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10
  return -1
}
