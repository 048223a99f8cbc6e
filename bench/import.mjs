// XZuFi import bench: a generated ~100 MB export (10 000 Leistungen with
// offices, online services and Zuständigkeiten, names from the real catalog)
// through the full import (safe reader -> records -> mapping -> validation)
// for one member, next to saxes alone reading the same file. Each run is a
// fresh child process so maxRSS is that run's own. Targets (issue 14): < 20 s,
// RSS < 300 MB, import MB/s >= 0.5x parser MB/s. Run: npm run build && node bench/import.mjs
import { execFileSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateXzufi } from './xzufi-generate.mjs'

const file = process.env.XZUFI_BENCH_FILE ?? join(tmpdir(), 'dachportal-xzufi-bench.xml')
const root = fileURLToPath(new URL('..', import.meta.url))

if (process.argv[2] === '--child') {
  const mode = process.argv[3]
  const { createReadStream } = await import('node:fs')
  const t0 = performance.now()
  let extra = {}
  if (mode === 'parser') {
    const { SaxesParser } = await import('saxes')
    const parser = new SaxesParser({ xmlns: true, position: false })
    let elements = 0
    parser.on('opentag', () => { elements++ })
    const decoder = new TextDecoder()
    for await (const chunk of createReadStream(file)) parser.write(decoder.decode(chunk, { stream: true }))
    parser.close()
    extra = { elements }
  } else if (mode === 'sax') {
    // the alternative considered (see src/import/xml-reader.ts): sax 1.x, strict, xmlns
    const sax = (await import('sax')).default
    const parser = sax.parser(true, { xmlns: true })
    let elements = 0
    parser.onopentag = () => { elements++ }
    parser.ontext = () => {}
    const decoder = new TextDecoder()
    for await (const chunk of createReadStream(file)) parser.write(decoder.decode(chunk, { stream: true }))
    parser.close()
    extra = { elements }
  } else {
    const { run } = await import(join(root, 'dist/cli/import.js'))
    const lines = []
    const code = await run(['xzufi', file, '--member', 'gladbeck', '--out', join(tmpdir(), 'dachportal-xzufi-bench.json'), '--region', join(root, 'config/region.json')], () => {}, (l) => lines.push(l))
    extra = { code, summary: lines.slice(0, 2).join(' | ') }
  }
  const seconds = (performance.now() - t0) / 1000
  process.stdout.write(JSON.stringify({ mode, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024, ...extra }))
  process.exit(0)
}

if (!existsSync(file)) await generateXzufi(file, { count: 10_000 })
const mb = statSync(file).size / 1e6
const child = (mode) => JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', mode], { env: { ...process.env, XZUFI_BENCH_FILE: file }, maxBuffer: 1 << 20 }).toString())
const parser = child('parser')
const saxAlone = child('sax')
const full = child('import')
const result = {
  fileMB: Number(mb.toFixed(1)),
  parser: { seconds: Number(parser.seconds.toFixed(2)), mbPerS: Number((mb / parser.seconds).toFixed(1)), maxRssMB: Math.round(parser.maxRssMB) },
  sax: { seconds: Number(saxAlone.seconds.toFixed(2)), mbPerS: Number((mb / saxAlone.seconds).toFixed(1)) },
  import: { seconds: Number(full.seconds.toFixed(2)), mbPerS: Number((mb / full.seconds).toFixed(1)), maxRssMB: Math.round(full.maxRssMB), exit: full.code, summary: full.summary },
  ratio: Number((parser.seconds / full.seconds).toFixed(2)),
  note: 'shared 2-core machine under load from other work: compare ratios, not absolute times',
}
console.log(JSON.stringify(result, null, 2))
