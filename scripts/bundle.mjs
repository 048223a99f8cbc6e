// Part of the build (scripts/after-build.mjs): dist/main.js, the entry that
// `npm start` and the image run, becomes one ES module holding src/main.ts
// and all of our modules it imports, plus the pure-JavaScript packages that
// load many small files (issue 26: resolving and loading ~170 modules of our
// own and ~600 of theirs was most of a cold start). Tests import the
// unbundled modules in dist/ (each file as tsc wrote it); test/main.test.ts
// starts this bundle.
//
// Packages stay external (loaded from node_modules at run time) where they
// read their own files or start workers: swagger-ui and @fastify/static
// serve files from their package folder, pino starts transports by path.
// Our modules that find files next to themselves (templates, assets,
// generated validators) get their own URL back: import.meta.url is rewritten
// per module to the module's original place in dist/.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const DIST = fileURLToPath(new URL('../dist/', import.meta.url))
const ENTRY = `${DIST}main.js`

/** Packages loaded from node_modules at run time (see above), and everything they alone load. */
const EXTERNAL = [
  '@fastify/swagger-ui', '@fastify/static', 'pino', 'pino-*', 'thread-stream', 'sonic-boom',
  // optional at run time, loaded lazily: keep them out of the parse
  '@opentelemetry/*', 'ioredis', 'undici', '@fastify/http-proxy', '@fastify/reply-from', 'ajv', 'ajv-formats', 'ajv/*', 'tldts',
]

/** import.meta.url of each bundled module, as it was before bundling (a path under dist/ or node_modules/). */
const ownUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8')
      if (!source.includes('import.meta.url')) return { contents: source, loader: 'js' }
      const rel = `./${relative(DIST, args.path).split('\\').join('/')}`
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'js' }
    })
  },
}

/** Chunk files of the bundle, next to it in dist/ (so that each module's own URL stays right). */
const CHUNK_PREFIX = 'main-chunk-'

/** First line of the bundle's banner: marks a main.js that is a bundle already. */
const MARK = '// dist/main.js bundled by scripts/bundle.mjs'

/** Bundles dist/main.js in place; returns the files written (none when tsc has not rewritten it since). */
export async function bundleMain() {
  if ((await readFile(ENTRY, 'utf8')).includes(MARK)) return []
  const { outputFiles } = await build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    outdir: DIST,
    // what main loads with import() (tracing, the Redis store) becomes a chunk
    // loaded then, with the packages only it needs: a default start loads neither
    splitting: true,
    chunkNames: `${CHUNK_PREFIX}[hash]`,
    external: EXTERNAL,
    plugins: [ownUrl],
    // CommonJS packages inside an ES module bundle still call require() for Node's built-ins
    banner: { js: `${MARK}\n` + "import { createRequire as __dpCreateRequire } from 'node:module';\nconst require = __dpCreateRequire(import.meta.url);" },
    legalComments: 'none',
    // through tsc's maps back to src/: stack traces (--enable-source-maps) and test coverage of a started gateway name src/*.ts
    sourcemap: 'linked',
    logLevel: 'warning',
  })
  // chunks (and their maps) of an earlier build must not linger
  for (const name of await readdir(DIST)) {
    if (name.startsWith(CHUNK_PREFIX)) await rm(join(DIST, name))
  }
  for (const file of outputFiles) await writeFile(file.path, file.contents)
  return outputFiles.map((file) => relative(DIST, file.path))
}
