// Module hooks: `./x.js` in TypeScript source means `./x.ts` (NodeNext), and
// .ts files are transpiled by TypeScript's transpileModule (types removed,
// nothing checked: that is `npm run lint`), as ts-node did, so coverage maps
// the same way as tsc's dist/ maps of the gateway processes tests start.
// What makes it fast: the output is cached on disk by content, so each module
// is transpiled once for the whole suite instead of once per test process,
// and TypeScript itself is loaded only on a miss.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

// the project's TypeScript is all ES modules in .ts files (package.json type: module)
const TS = /\.ts$/
const require = createRequire(import.meta.url)
// the project's node_modules/.cache (this file's real path is tools/tap-ts/ in the project)
const CACHE = fileURLToPath(new URL('../../node_modules/.cache/dachportal-tap-ts/', import.meta.url))
// a change to this file (the compiler options) or to TypeScript starts a new cache
const SALT = `${require('typescript/package.json').version}\0${readFileSync(fileURLToPath(import.meta.url), 'utf8')}`
let ts

function compilerOptions(typescript) {
  return {
    target: typescript.ScriptTarget.ES2022,
    module: typescript.ModuleKind.ESNext,
    esModuleInterop: true,
    resolveJsonModule: true,
    inlineSourceMap: true,
    inlineSources: true,
  }
}

function transpile(file, source) {
  const key = createHash('sha256').update(`${SALT}\0${file}\0${source}`).digest('hex')
  const cached = join(CACHE, `${key}.js`)
  try {
    return readFileSync(cached, 'utf8')
  } catch {
    // a miss: transpile and store below
  }
  ts ??= require('typescript')
  const { outputText } = ts.transpileModule(source, { fileName: file, compilerOptions: compilerOptions(ts) })
  mkdirSync(CACHE, { recursive: true })
  // two test processes may write the same entry: each writes its own file, then renames
  const temporary = `${cached}.${process.pid}`
  writeFileSync(temporary, outputText)
  renameSync(temporary, cached)
  return outputText
}

export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL
  if (parent !== undefined && parent.startsWith('file:') && TS.test(new URL(parent).pathname) && /^\.{1,2}\/.*\.js$/.test(specifier)) {
    const target = new URL(specifier, parent)
    if (!existsSync(target)) {
      const typescriptFile = new URL(target.href.replace(/js$/, 'ts'))
      if (existsSync(typescriptFile)) return { url: typescriptFile.href, shortCircuit: true }
    }
  }
  return nextResolve(specifier, context)
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !TS.test(new URL(url).pathname) || url.includes('/node_modules/')) return nextLoad(url, context)
  const file = fileURLToPath(url)
  return { format: 'module', source: transpile(file, readFileSync(file, 'utf8')), shortCircuit: true }
}
