// XZuFi text modules carry HTML fragments (escaped inside the XML). The
// portal shows plain text only: tags are removed (script/style with their
// content), block elements become paragraph breaks, list items become lines,
// entities are decoded last so decoded "<" can never become markup again
// (the portal escapes on output anyway). Pure.

const DROP_WITH_CONTENT = /<(script|style|iframe|object|template|noscript)\b[^>]*>[\s\S]*?<\/\1\s*>/gi
const BLOCK = /<\/?(?:p|div|h[1-6]|ul|ol|table|tr|section|article|blockquote|pre)\b[^>]*>/gi
const LINE = /<(?:br|li|dt|dd)\b[^>]*\/?>|<\/(?:li|dt|dd)\s*>/gi
const TAG = /<\/?[a-zA-Z][^>]*>|<!--[\s\S]*?-->/g
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', shy: '', ndash: '–', mdash: '—', bdquo: '„', ldquo: '“', rdquo: '”', euro: '€', auml: 'ä', ouml: 'ö', uuml: 'ü', Auml: 'Ä', Ouml: 'Ö', Uuml: 'Ü', szlig: 'ß', sect: '§', hellip: '…' }

const NEEDS_FULL_PASS = /[<&\n\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (all, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10)
      // no control characters, no surrogates
      return code >= 0x20 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : ''
    }
    return NAMED[body] ?? all
  })
}

/** Paragraphs of plain text (blank-line separated), whitespace collapsed. */
export function toPlainText(html: string): string {
  // most names and short texts carry no markup, entity, line break or control character:
  // what the full path below makes of them, without its seven passes
  if (!NEEDS_FULL_PASS.test(html)) return html.replace(/[ \t\r\u00a0]+/g, ' ').trim()
  const marked = html
    .replace(DROP_WITH_CONTENT, ' ')
    .replace(BLOCK, '\n\n')
    .replace(LINE, '\n')
    .replace(TAG, ' ')
    // a stray "<" left by broken markup stays text
  return decodeEntities(marked)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .split(/\n\s*\n/)
    .map((para) => para.split('\n').map((line) => line.replace(/[ \t\r\u00a0]+/g, ' ').trim()).filter(Boolean).join('\n'))
    .filter(Boolean)
    .join('\n\n')
}

/** Lines of a list-like text module (one document per <li> or line). */
export function toLines(html: string): string[] {
  return toPlainText(html).split('\n').map((l) => l.replace(/^[-•*–]\s*/, '').trim()).filter(Boolean)
}

/** At most `max` characters, cut after the last full sentence that fits; a word cut with "…" otherwise. */
export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat.length <= max) return flat
  const head = flat.slice(0, max)
  let cut = -1
  for (const m of head.matchAll(/[.!?](?=\s|$)/g)) cut = m.index
  if (cut >= 20) return head.slice(0, cut + 1)
  const space = head.lastIndexOf(' ', max - 1)
  return `${head.slice(0, space > 0 ? space : max - 1).trimEnd()}…`
}

/**
 * Plain text for a section field (Voraussetzungen, Hinweise): paragraphs and
 * lines kept, list items as "- " lines (the manifest's list convention), at
 * most `max` characters, cut at a line or word end.
 */
export function toSectionText(html: string, max: number): string {
  const text = toPlainText(html.replace(/<\/li\s*>/gi, '').replace(/<li\b[^>]*>/gi, '<br>- '))
  if (text.length <= max) return text
  const head = text.slice(0, max - 1)
  const line = head.lastIndexOf('\n')
  const cut = line >= max / 2 ? line : head.lastIndexOf(' ')
  return `${head.slice(0, cut > 0 ? cut : max - 1).trimEnd()}…`
}
