#!/usr/bin/env node
// Runs after `tsc -p tsconfig.build.json` (npm run build, prepare, prestart,
// test, bench; the Dockerfile through npm ci): the parts of dist/ that tsc
// does not write.
// 1. dist/manifest/validators.generated.js: the manifest schema validators as
//    ajv standalone code, so a start does not compile them (cold start). A
//    missing or outdated file is not an error: the app then compiles them.
// 2. dist/web/templates and dist/web/assets: copies of src/web/…, so the
//    compiled app never reads from src/.
import { cp, rm, writeFile } from 'node:fs/promises'

const root = new URL('../', import.meta.url)
const { generateValidatorsCode } = await import(new URL('dist/manifest/schema-validators.js', root).href)
await writeFile(new URL('dist/manifest/validators.generated.js', root), await generateValidatorsCode())
for (const dir of ['templates', 'assets']) {
  const to = new URL(`dist/web/${dir}/`, root)
  // a file removed from src/ must not live on in dist/
  await rm(to, { recursive: true, force: true })
  await cp(new URL(`src/web/${dir}/`, root), to, { recursive: true })
}
