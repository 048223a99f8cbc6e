// Prints bench rows as an aligned table.
const COLUMNS = ['label', 'rps', 'p50', 'p99', 'rssMb', 'ratio', 'note']

export function printTable({ name, rows }) {
  const cols = COLUMNS.filter((c) => rows.some((r) => r[c] !== undefined))
  const cell = (v) => (v === undefined ? '' : typeof v === 'number' ? String(Math.round(v * 100) / 100) : String(v))
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)))
  const line = (vals) => vals.map((v, i) => v.padEnd(widths[i])).join('  ')
  console.log(`\n${name}`)
  console.log(line(cols))
  console.log(line(widths.map((w) => '-'.repeat(w))))
  for (const r of rows) console.log(line(cols.map((c) => cell(r[c]))))
}

/** p-quantile (0..1) of a numeric array, in place sort. */
export function quantile(values, p) {
  if (values.length === 0) return 0
  values.sort((a, b) => a - b)
  return values[Math.min(values.length - 1, Math.floor(p * values.length))]
}

/** The same rows as a Markdown table (bench/results/latest.md). */
export function markdownTable({ name, rows }) {
  const cols = COLUMNS.filter((c) => rows.some((r) => r[c] !== undefined))
  const cell = (v) => (v === undefined ? '' : typeof v === 'number' ? String(Math.round(v * 100) / 100) : String(v).replace(/\|/g, '\\|'))
  return [`### ${name}`, '', `| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${cols.map((c) => cell(r[c])).join(' | ')} |`), ''].join('\n')
}
