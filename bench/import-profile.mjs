// Import profile of a cold start: which packages a default start loads (the
// real region, embedded store) and what each costs. Every start is a fresh
// process: it imports dist/app.js and runs buildApp once, while a module hook
// records every package the start resolves. Cost per package is attributed
// incrementally in a second fresh process: the loaded packages are imported
// one after another (fastify first, it is shared), each row is the time that
// import added, and the last row is dist/app.js on top of them (our own code
// plus buildApp). Build first: npx tsc -p tsconfig.build.json.
// BENCH_IMPORT_RUNS sets the number of runs (median per row, default 3).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { printTable, quantile } from './lib/table.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const APP = pathToFileURL(join(ROOT, 'dist/app.js')).href
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))

// The resolve hook runs on the loader thread; it appends each resolved URL to a file.
const HOOK = `
import { appendFileSync } from 'node:fs'
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  appendFileSync(process.env.DP_IMPORT_LOG, specifier + '\\t' + result.url + '\\n')
  return result
}`

/** The packages (by name) a default start resolves, and the wall time of import + buildApp. */
function loadedPackages(dataDir) {
  const log = join(dataDir, 'resolved.txt')
  const script = `
    import { register } from 'node:module'
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOK)}))
    const t0 = performance.now()
    const { buildApp } = await import(${JSON.stringify(APP)})
    const t1 = performance.now()
    const app = await buildApp({ settings: { dataDir: ${JSON.stringify(dataDir)} } })
    await app.ready()
    const t2 = performance.now()
    await app.close()
    console.log(JSON.stringify({ importMs: t1 - t0, buildMs: t2 - t1 }))
    process.exit(0)`
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, DP_IMPORT_LOG: log, NODE_ENV: 'production', SESSION_SECRET: 'bench-only-session-secret-of-at-least-32-characters' }, encoding: 'utf8' })
  const timing = JSON.parse(out.trim().split('\n').pop())
  // package name -> the first bare specifier that loaded it (a subpath such as @orama/stemmers/german)
  const names = new Map()
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const [specifier = '', url = ''] = line.split('\t')
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)
    // only the project's own direct dependencies (their dependencies count towards them)
    if (m && m[1] in (PKG.dependencies ?? {}) && !url.includes(`/node_modules/${m[1]}/node_modules/`) && specifier.startsWith(m[1]) && !names.has(m[1])) names.set(m[1], specifier)
  }
  return { timing, names }
}

/** ms each package import adds in the given order, then dist/app.js + buildApp on top. */
function incremental(order, dataDir) {
  const script = `
    const out = {}
    let t = performance.now()
    for (const name of ${JSON.stringify(order)}) {
      await import(name)
      const now = performance.now(); out[name] = now - t; t = now
    }
    const { buildApp } = await import(${JSON.stringify(APP)})
    const app = await buildApp({ settings: { dataDir: ${JSON.stringify(dataDir)} } })
    await app.ready()
    out['dist/app.js + buildApp (own code, rest)'] = performance.now() - t
    await app.close()
    console.log(JSON.stringify(out))
    process.exit(0)`
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production', SESSION_SECRET: 'bench-only-session-secret-of-at-least-32-characters' }, encoding: 'utf8' })
  return JSON.parse(out.trim().split('\n').pop())
}

export async function run({ runs = Number(process.env.BENCH_IMPORT_RUNS ?? 3) } = {}) {
  const samples = {}
  const totals = { import: [], build: [] }
  let names = []
  for (let i = 0; i < runs; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'dp-bench-imports-'))
    try {
      const loaded = loadedPackages(dataDir)
      names = [...loaded.names.keys()]
      totals.import.push(loaded.timing.importMs)
      totals.build.push(loaded.timing.buildMs)
      const order = ['fastify', ...[...loaded.names.values()].filter((n) => n !== 'fastify').sort()]
      for (const [name, ms] of Object.entries(incremental(order, dataDir))) (samples[name] ??= []).push(ms)
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
  const r = (x) => Math.round(x)
  const rows = Object.entries(samples)
    .map(([label, ms]) => ({ label, p50: r(quantile(ms, 0.5)) }))
    .sort((a, b) => b.p50 - a.p50)
  rows.push({ label: 'total: import dist/app.js (all of it, first process)', p50: r(quantile(totals.import, 0.5)) })
  rows.push({ label: 'total: buildApp + ready (first process)', p50: r(quantile(totals.build, 0.5)) })
  const notLoaded = Object.keys(PKG.dependencies ?? {}).filter((n) => !names.includes(n))
  return {
    name: `import profile of a default start (${runs} runs, median ms each package adds; not loaded: ${notLoaded.join(', ') || 'none'})`,
    rows,
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) printTable(await run())
