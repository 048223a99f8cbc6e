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

// Targets: a bench's run() may return `targets: [{ name, target, value, met }]`
// (strings, met boolean); the harness gathers them with the bench's name.
const TARGET_COLUMNS = ['name', 'target', 'value', 'met', 'bench']
const targetCells = (t) => [t.name, t.target, t.value, t.met === true ? 'yes' : t.met === false ? 'no' : '?', t.bench].map((v) => String(v ?? ''))

export function printTargets(targets) {
  if (targets.length === 0) return
  const rows = targets.map(targetCells)
  const widths = TARGET_COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)))
  const line = (vals) => vals.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd()
  console.log('\nTargets')
  console.log(line(TARGET_COLUMNS))
  console.log(line(widths.map((w) => '-'.repeat(w))))
  for (const r of rows) console.log(line(r))
}

/** The targets as a Markdown table (top of bench/results/latest.md). */
export function markdownTargets(targets) {
  const cell = (v) => v.replace(/\|/g, '\\|')
  return ['## Targets', '', `| ${TARGET_COLUMNS.join(' | ')} |`, `|${TARGET_COLUMNS.map(() => '---').join('|')}|`,
    ...targets.map((t) => `| ${targetCells(t).map(cell).join(' | ')} |`), ''].join('\n')
}

/** p50/p99 in ms of fn over the inputs, `rounds` times each (one process, no autocannon: pure functions). */
export function timings(fn, inputs, rounds) {
  const samples = []
  for (let r = 0; r < rounds; r++) for (const x of inputs) {
    const t0 = performance.now()
    fn(x)
    samples.push(performance.now() - t0)
  }
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) }
}
