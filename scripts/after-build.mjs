#!/usr/bin/env node
// Runs after `tsc -p tsconfig.build.json` (npm run build, prepare, prestart,
// test, bench; the Dockerfile through npm ci): the parts of dist/ that tsc
// does not write.
// 1. dist/{config,manifest}/validators.generated.js: the region config and
//    manifest schema validators as ajv standalone code, so a start does not
//    compile them (cold start). A missing or outdated file is not an error:
//    the app then compiles them (src/validation/standalone.ts).
// 2. dist/web/templates and dist/web/assets: copies of src/web/…, so the
//    compiled app never reads from src/.
import { existsSync } from 'node:fs'
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = new URL('../', import.meta.url)
const dist = (path) => new URL(`dist/${path}`, root).href
const { generateValidatorsCode } = await import(dist('validation/standalone.js'))
const config = await import(dist('config/schema-validators.js'))
const manifest = await import(dist('manifest/schema-validators.js'))
for (const [schemas, file, origin] of [
  [config.CONFIG_SCHEMAS, config.CONFIG_VALIDATORS_FILE, config.CONFIG_SCHEMAS_ORIGIN],
  [manifest.MANIFEST_SCHEMAS, manifest.MANIFEST_VALIDATORS_FILE, manifest.MANIFEST_SCHEMAS_ORIGIN],
]) {
  await writeFile(new URL(file), await generateValidatorsCode(schemas, origin))
}
// (2, first: building the app below reads the portal's assets)
for (const dir of ['templates', 'assets']) {
  const to = new URL(`dist/web/${dir}/`, root)
  // a file removed from src/ must not live on in dist/
  await rm(to, { recursive: true, force: true })
  await cp(new URL(`src/web/${dir}/`, root), to, { recursive: true })
}
// 3. dist/route-compilers.generated.cjs: every route's response serializer and
//    request validator as standalone code, recorded while building the app
//    once with the bundled region (no network, in-memory store, a throwaway
//    data dir). A start with other settings compiles what this lacks.
{
  const { buildApp, ROUTE_COMPILERS_FILE } = await import(dist('app.js'))
  const { recordingCompilers, generatedModuleSource } = await import(dist('validation/route-compilers.js'))
  const { MemoryStore } = await import(dist('store/memory-store.js'))
  // the embedded defaults, whatever this shell's environment says (NODE_ENV=production would ask for secrets)
  const { ENV_VARS } = await import(dist('config/env.js'))
  for (const name of ENV_VARS) delete process.env[name]
  const regionConfig = fileURLToPath(new URL('config/region.json', root))
  if (!existsSync(regionConfig)) {
    // a build without the region (an image stage that copies config/ later): every start compiles, as before
    await rm(ROUTE_COMPILERS_FILE, { force: true })
    console.warn(`after-build: ${regionConfig} missing, route serializers and validators will be compiled at start`)
  } else {
    const code = { serializers: new Map(), validators: new Map() }
    const dataDir = await mkdtemp(join(tmpdir(), 'dp-build-'))
    try {
      const app = await buildApp({ compilers: recordingCompilers(code), store: new MemoryStore(), settings: { dataDir, regionConfig } })
      await app.ready()
      await app.close()
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
    await writeFile(ROUTE_COMPILERS_FILE, generatedModuleSource(code, 'the routes of src/ (buildApp with the bundled region)'))
  }
}
// 4. dist/main.js as one bundle (scripts/bundle.mjs), last: it bundles what
//    tsc wrote. esbuild is a devDependency; where it is missing (an install
//    without dev dependencies) tsc's main.js stays, which runs the same code.
const bundler = await import('./bundle.mjs').catch((err) => {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && /esbuild/.test(String(err.message))) return undefined
  throw err
})
if (bundler === undefined) console.warn('after-build: esbuild not installed, dist/main.js left unbundled')
else await bundler.bundleMain()
