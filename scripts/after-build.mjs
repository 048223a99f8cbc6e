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
import { cp, rm, writeFile } from 'node:fs/promises'

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
for (const dir of ['templates', 'assets']) {
  const to = new URL(`dist/web/${dir}/`, root)
  // a file removed from src/ must not live on in dist/
  await rm(to, { recursive: true, force: true })
  await cp(new URL(`src/web/${dir}/`, root), to, { recursive: true })
}
