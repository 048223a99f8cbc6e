// Server-side SVG charts: plain strings, no JS. Every chart is role="img"
// with a <title> and a <desc> that says what it shows in words; the same
// numbers are always also given as a table next to it.
const XML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
const esc = (s: string | number) => String(s).replace(/[&<>"']/g, (c) => XML[c]!)

let counter = 0
const uid = (name: string) => `${name}-${++counter}`

export interface Bar { label: string; value: number }

/** horizontal bars, labelled with their values (readable without colour) */
export function barChart(title: string, desc: string, bars: readonly Bar[]): string {
  const id = uid('chart')
  const rowH = 24
  const labelW = 260
  const barW = 360
  const max = Math.max(1, ...bars.map((b) => b.value))
  const height = Math.max(1, bars.length) * rowH + 8
  const rows = bars.map((b, i) => {
    const y = i * rowH + 4
    const w = Math.max(1, Math.round((b.value / max) * barW))
    const label = b.label.length > 38 ? `${b.label.slice(0, 37)}…` : b.label
    return `<text x="${labelW - 8}" y="${y + 16}" text-anchor="end" font-size="14" fill="#1b1b1b">${esc(label)}</text>`
      + `<rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 8}" fill="#0b4f8a"/>`
      + `<text x="${labelW + w + 6}" y="${y + 16}" font-size="14" fill="#1b1b1b">${esc(b.value)}</text>`
  }).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}-t ${id}-d" viewBox="0 0 ${labelW + barW + 60} ${height}" width="100%" style="max-width:${labelW + barW + 60}px">`
    + `<title id="${id}-t">${esc(title)}</title><desc id="${id}-d">${esc(desc)}</desc>${rows}</svg>`
}

/**
 * How a cell is told apart without its colour: dark colours that each have
 * 3:1 against white cannot also have 3:1 against each other (WCAG 1.4.11
 * allows either), so every kind gets its own mark, drawn in white on the
 * colour (as much contrast as the colour has against white) or, for
 * `outline`, as the colour around a white cell.
 */
export type HeatMark = 'solid' | 'stripes' | 'dots' | 'outline'
export interface HeatCell { fill: string; mark?: HeatMark; tooltip: string }

const WHITE = '#ffffff'

/** <pattern> for a fill and mark (white marks on a 4 px grid); none for solid and outline */
function markPattern(id: string, fill: string, mark: HeatMark): string {
  const bg = `<rect width="4" height="4" fill="${esc(fill)}"/>`
  if (mark === 'stripes') return `<pattern id="${id}" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">${bg}<rect width="1.5" height="4" fill="${WHITE}"/></pattern>`
  if (mark === 'dots') return `<pattern id="${id}" width="4" height="4" patternUnits="userSpaceOnUse">${bg}<circle cx="2" cy="2" r="1" fill="${WHITE}"/></pattern>`
  return ''
}

/** Patterns for the distinct (fill, mark) pairs of some cells, and each cell's rect attributes. */
function markPainter(prefix: string) {
  const ids = new Map<string, string>()
  const defs: string[] = []
  return {
    defs: () => (defs.length === 0 ? '' : `<defs>${defs.join('')}</defs>`),
    rect(x: number, y: number, w: number, h: number, cell: Pick<HeatCell, 'fill' | 'mark'>): string {
      const mark = cell.mark ?? 'solid'
      if (mark === 'outline') return `x="${x + 1}" y="${y + 1}" width="${w - 2}" height="${h - 2}" fill="${WHITE}" stroke="${esc(cell.fill)}" stroke-width="2"`
      if (mark === 'solid') return `x="${x}" y="${y}" width="${w}" height="${h}" fill="${esc(cell.fill)}"`
      const key = `${cell.fill} ${mark}`
      let id = ids.get(key)
      if (id === undefined) {
        id = `${prefix}-m${ids.size}`
        ids.set(key, id)
        defs.push(markPattern(id, cell.fill, mark))
      }
      return `x="${x}" y="${y}" width="${w}" height="${h}" fill="url(#${id})"`
    },
  }
}

/** a legend swatch: the same colour and mark as the heat map's cells, decorative (the label says it) */
export function heatSwatch(cell: Pick<HeatCell, 'fill' | 'mark'>, size = 14): string {
  const painter = markPainter(uid('swatch'))
  const rect = painter.rect(0, 0, size, size, cell)
  return `<svg width="${size}" height="${size}" aria-hidden="true" focusable="false">${painter.defs()}<rect ${rect}/></svg>`
}

/** a grid of coloured, marked cells with row labels; the table beside it carries the text */
export function heatMap(title: string, desc: string, rows: readonly { label: string; cells: readonly HeatCell[] }[]): string {
  const id = uid('heat')
  const labelW = 180
  const size = 12
  const cols = Math.max(1, ...rows.map((r) => r.cells.length))
  const width = labelW + cols * size + 8
  const height = rows.length * (size + 4) + 8
  const painter = markPainter(id)
  const body = rows.map((row, i) => {
    const y = i * (size + 4) + 4
    const cells = row.cells.map((c, j) => `<rect ${painter.rect(labelW + j * size, y, size - 1, size, c)}><title>${esc(c.tooltip)}</title></rect>`).join('')
    return `<text x="${labelW - 8}" y="${y + size - 1}" text-anchor="end" font-size="13" fill="#1b1b1b">${esc(row.label)}</text>${cells}`
  }).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}-t ${id}-d" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px">`
    + `<title id="${id}-t">${esc(title)}</title><desc id="${id}-d">${esc(desc)}</desc>${painter.defs()}${body}</svg>`
}
