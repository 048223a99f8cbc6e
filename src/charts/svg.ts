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

export interface HeatCell { fill: string; tooltip: string }

/** a grid of coloured cells with row labels; the table beside it carries the text */
export function heatMap(title: string, desc: string, rows: readonly { label: string; cells: readonly HeatCell[] }[]): string {
  const id = uid('heat')
  const labelW = 180
  const size = 12
  const cols = Math.max(1, ...rows.map((r) => r.cells.length))
  const width = labelW + cols * size + 8
  const height = rows.length * (size + 4) + 8
  const body = rows.map((row, i) => {
    const y = i * (size + 4) + 4
    const cells = row.cells.map((c, j) => `<rect x="${labelW + j * size}" y="${y}" width="${size - 1}" height="${size}" fill="${esc(c.fill)}"><title>${esc(c.tooltip)}</title></rect>`).join('')
    return `<text x="${labelW - 8}" y="${y + size - 1}" text-anchor="end" font-size="13" fill="#1b1b1b">${esc(row.label)}</text>${cells}`
  }).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}-t ${id}-d" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px">`
    + `<title id="${id}-t">${esc(title)}</title><desc id="${id}-d">${esc(desc)}</desc>${body}</svg>`
}
