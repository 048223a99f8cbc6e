// ARCHITECTURE.md stays true: its folder table ("may import") is the rule
// set, read from the document itself, and every import in src/ (static,
// dynamic and type-only) must follow it. Folders may not import each other
// in a loop, and every folder in src/ must be in the table.
import t from 'tap'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { REPO } from '../helpers/region.js'

const SRC = join(REPO, 'src')
// relative specifiers of static, type-only, side-effect and dynamic imports
const IMPORT_SPEC = /(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm

/** `| \`http/\` | job | \`config\`, \`manifest\` |` rows -> folder -> allowed folders */
function rulesOf(markdown: string): Map<string, Set<string>> {
  const rules = new Map<string, Set<string>>()
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Folders')) ?? ''
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim())
    if (cells.length < 5) continue
    const folder = /^`([a-z-]+)(?:\/|\.ts)`$/.exec(cells[1] ?? '')?.[1]
    if (!folder) continue
    const allowed = [...(cells[3] ?? '').matchAll(/`([a-z-]+)\/?`/g)].map((m) => m[1]!)
    rules.set(folder, new Set(allowed))
  }
  return rules
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.(ts|js)$/.test(name) && !name.endsWith('.d.ts') ? [path] : []
  })
}

const unitOf = (file: string) => {
  const parts = relative(SRC, file).split('/')
  return parts.length === 1 ? parts[0]!.replace(/\.(ts|js)$/, '') : parts[0]!
}

/** every cross-folder import: `from '../x/y.js'`, `import('../x.js')`, `import type` */
function imports(): Array<{ from: string; to: string; file: string }> {
  const found: Array<{ from: string; to: string; file: string }> = []
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(IMPORT_SPEC)) {
      const target = resolve(dirname(file), m[1]!)
      const from = unitOf(file)
      const to = unitOf(target)
      if (from !== to) found.push({ from, to, file: relative(REPO, file) })
    }
  }
  return found
}

const rules = rulesOf(readFileSync(join(REPO, 'ARCHITECTURE.md'), 'utf8'))
const edges = imports()

t.test('the rules parse: every unit in src/ has a row in ARCHITECTURE.md', async (t) => {
  t.ok(rules.size >= 10, `ARCHITECTURE.md's folder table read (${rules.size} rows)`)
  const units = new Set(sourceFiles(SRC).map(unitOf))
  for (const unit of units) t.ok(rules.has(unit), `${unit} is described in ARCHITECTURE.md`)
  for (const unit of rules.keys()) t.ok(units.has(unit), `ARCHITECTURE.md's ${unit} exists in src/`)
})

t.test('every import between folders is one ARCHITECTURE.md allows', async (t) => {
  const wrong = edges.filter((e) => !(rules.get(e.from)?.has(e.to) ?? false))
  t.same(wrong.map((e) => `${e.file} imports ${e.to}/ (${e.from}/ may import: ${[...(rules.get(e.from) ?? [])].join(', ') || 'nothing'})`), [])
})

t.test('no loop between folders, in the code or in the rules', async (t) => {
  const graph = new Map<string, Set<string>>()
  for (const [from, to] of rules) graph.set(from, new Set(to))
  for (const e of edges) graph.set(e.from, (graph.get(e.from) ?? new Set()).add(e.to))
  t.same(loopsIn(graph).map((loop) => loop.join(' -> ')), [])
})

t.test('no loop between files either (a type flowing back is a loop too)', async (t) => {
  const graph = new Map<string, string[]>()
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8')
    graph.set(file, [...text.matchAll(IMPORT_SPEC)].map((m) => resolve(dirname(file), m[1]!).replace(/\.js$/, '.ts')))
  }
  t.same(loopsIn(graph).map((loop) => loop.map((f) => relative(SRC, f)).join(' -> ')), [])
})

/** every cycle a depth-first walk meets, as the list of nodes around it */
function loopsIn(graph: Map<string, Iterable<string>>): string[][] {
  const loops: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const visit = (node: string, path: string[]) => {
    if (state.get(node) === 'done') return
    if (state.get(node) === 'open') {
      loops.push([...path.slice(path.indexOf(node)), node])
      return
    }
    state.set(node, 'open')
    for (const next of graph.get(node) ?? []) visit(next, [...path, node])
    state.set(node, 'done')
  }
  for (const node of graph.keys()) visit(node, [])
  return loops
}

t.test('the checker finds what it should (rules table, dynamic and type imports)', async (t) => {
  const parsed = rulesOf('## Folders\n| folder | job | may import |\n|---|---|---|\n| `a/` | x | `b`, `c/` |\n| `main.ts` | y | `a` |\n## Next\n| `z/` | no | `a` |\n')
  t.same([...parsed].map(([k, v]) => [k, [...v]]), [['a', ['b', 'c']], ['main', ['a']]])
  const sample = "import type { X } from '../b/x.js'\nconst y = await import('../c/y.js')\nimport '../d/side.js'\n"
  const specs = [...sample.matchAll(IMPORT_SPEC)].map((m) => m[1])
  t.same(specs, ['../b/x.js', '../c/y.js', '../d/side.js'])
  t.same(loopsIn(new Map([['index', ['sdk']], ['sdk', ['index']], ['types', []]])), [['index', 'sdk', 'index']], 'a two-file loop is found')
})
