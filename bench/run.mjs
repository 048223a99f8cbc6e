// The bench harness (`npm run bench`): runs every bench's run() one after
// another, prints its table, and writes a JSON summary to
// bench/results/latest.json. Filter by name: `node bench/run.mjs search proxy`.
// BENCH_DURATION (seconds per load run) shortens the autocannon benches.
// A filtered run replaces only its benches in latest.json/md; the others
// keep their earlier results, each marked with when and at which commit it ran.
// A failing bench is reported and the others still run; the exit code is 1.
// Targets: a bench's run() may return `targets: [{ name, target, value, met }]`
// (target/value strings, met boolean); all of them (earlier results' too)
// form the "Targets" table at the top of latest.md, `targets` in latest.json,
// and the last thing printed.
import { execFileSync } from 'node:child_process'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { availableParallelism, cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import { durationFromEnv } from './lib/autocannon.mjs'
import { markdownTable, markdownTargets, printTable, printTargets } from './lib/table.mjs'

// Heavy-memory and multi-process benches last, so they do not skew the others.
const BENCHES = ['catalog', 'search', 'insights', 'proxy', 'tracing', 'cold-start', 'propagation', 'search-libs', 'nrw-scale', 'open-scale', 'manifest-flood']
const RESULTS = new URL('./results/', import.meta.url)

function selected(argv) {
  const names = argv.filter((a) => !a.startsWith('-'))
  const unknown = names.filter((n) => !BENCHES.includes(n))
  if (unknown.length > 0) throw new Error(`unknown bench: ${unknown.join(', ')} (known: ${BENCHES.join(', ')})`)
  return names.length > 0 ? BENCHES.filter((b) => names.includes(b)) : BENCHES
}

function commit() {
  try {
    const root = fileURLToPath(new URL('..', import.meta.url))
    return execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return undefined
  }
}

async function main() {
  const names = selected(process.argv.slice(2))
  const durationSeconds = durationFromEnv()
  const summary = {
    startedAt: new Date().toISOString(),
    commit: commit(),
    node: process.version,
    cpus: `${availableParallelism()} x ${cpus()[0]?.model ?? 'unknown'}`,
    durationSeconds,
    benches: [],
  }
  let failed = 0
  for (const name of names) {
    const started = performance.now()
    console.log(`\n== ${name} ...`)
    try {
      const bench = await import(`./${name}.mjs`)
      const result = await bench.run({ durationSeconds })
      printTable(result)
      summary.benches.push({ bench: name, ranAt: summary.startedAt, commit: summary.commit, durationSeconds, seconds: Math.round((performance.now() - started) / 100) / 10, ...result })
    } catch (err) {
      failed++
      console.error(`bench ${name} failed: ${err?.stack ?? err}`)
      summary.benches.push({ bench: name, ranAt: summary.startedAt, commit: summary.commit, error: String(err?.message ?? err) })
    }
  }
  summary.finishedAt = new Date().toISOString()
  if (names.length < BENCHES.length) summary.benches = await withEarlier(summary.benches)
  summary.targets = targetsOf(summary)
  await mkdir(RESULTS, { recursive: true })
  // write then rename: a crash never leaves a half-written latest.json (*.tmp is gitignored)
  const tmp = new URL('latest.json.tmp', RESULTS)
  await writeFile(tmp, `${JSON.stringify(summary, null, 2)}\n`)
  await rename(tmp, new URL('latest.json', RESULTS))
  const md = [`# Benchmark results\n\n${summary.startedAt ?? ''}, Node ${process.version}, ${summary.cpus ?? '?'} CPUs, ${summary.durationSeconds ?? '?'} s per load run. Regenerate with \`npm run bench\`.\n`]
  if (summary.targets.length > 0) md.push(markdownTargets(summary.targets.map(labelled(summary.startedAt))))
  for (const bench of summary.benches ?? []) {
    if (!bench.rows) continue
    const earlier = bench.ranAt !== undefined && bench.ranAt !== summary.startedAt
    md.push(markdownTable(bench) + (earlier ? `\n_from an earlier run: ${bench.ranAt}, commit ${bench.commit ?? '?'}, ${bench.durationSeconds ?? '?'} s per load run_\n` : ''))
  }
  await writeFile(new URL('latest.md.tmp', RESULTS), md.join('\n'))
  await rename(new URL('latest.md.tmp', RESULTS), new URL('latest.md', RESULTS))
  printTargets(summary.targets.map(labelled(summary.startedAt)))
  console.log(`\nsummary: ${fileURLToPath(new URL('latest.json', RESULTS))}${failed ? ` (${failed} failed)` : ''}`)
  // child processes and pools are closed by each bench; exit explicitly regardless
  process.exit(failed ? 1 : 0)
}

/** Every bench's targets, each with its bench's name and when that bench ran. */
function targetsOf(summary) {
  return summary.benches.flatMap((b) => (Array.isArray(b.targets) ? b.targets : []).map((t) => ({
    name: String(t.name),
    target: String(t.target),
    value: String(t.value),
    met: typeof t.met === 'boolean' ? t.met : undefined,
    bench: b.bench,
    ranAt: b.ranAt ?? summary.startedAt,
  })))
}

/** The bench column says when a target comes from an earlier run (a filtered run keeps those). */
function labelled(startedAt) {
  return (target) => (target.ranAt === startedAt ? target : { ...target, bench: `${target.bench} (earlier run ${target.ranAt})` })
}

/** This run's benches, plus the earlier results of those it did not run (in harness order). */
async function withEarlier(fresh) {
  let previous
  try {
    previous = JSON.parse(await readFile(new URL('latest.json', RESULTS), 'utf8'))
  } catch {
    return fresh
  }
  const byName = new Map((previous.benches ?? []).map((b) => [b.bench, { ranAt: previous.startedAt, commit: previous.commit, durationSeconds: previous.durationSeconds, ...b }]))
  for (const b of fresh) byName.set(b.bench, b)
  return BENCHES.filter((name) => byName.has(name)).map((name) => byName.get(name))
}

main().catch((err) => {
  console.error(err?.message ?? err)
  process.exit(1)
})
