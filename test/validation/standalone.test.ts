// The schema validators generated at build time (ajv standalone code) and the
// ones ajv compiles at start must agree on every document, for the manifest
// and the region config schemas; a missing or outdated generated file falls
// back to compiling.
import t, { type Test } from 'tap'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { compileValidators, generateValidatorsCode, loadValidators, schemaHash, type SchemaSet } from '../../src/validation/standalone.js'
import { MANIFEST_SCHEMAS } from '../../src/manifest/schema-validators.js'
import { CONFIG_SCHEMAS } from '../../src/config/schema-validators.js'
import { REPO } from '../helpers/region.js'

// inside the repository, so the generated code's require('ajv/...') resolves
const dir = await mkdtemp(join(REPO, '.tmp-validators-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))
const json = async (path: string) => JSON.parse(await readFile(join(REPO, path), 'utf8'))

async function generatedFile(name: string, schemas: SchemaSet): Promise<{ file: string; code: string }> {
  const code = await generateValidatorsCode(schemas, 'test')
  const file = join(dir, `${name}.mjs`)
  await writeFile(file, code)
  return { file, code }
}

/** Runs every validator of both sources on every document: same verdict, same ajv errors. */
async function compare(t: Test, schemas: SchemaSet, documents: Record<string, unknown>, name: string): Promise<number> {
  const { file } = await generatedFile(name, schemas)
  const generated = await loadValidators(schemas, pathToFileURL(file).href)
  t.equal(generated.source, 'generated', 'the generated file is used when its hash matches')
  const compiled = await compileValidators(schemas)
  let invalid = 0
  for (const [doc, value] of Object.entries(documents)) {
    for (const check of Object.keys(schemas)) {
      const a = generated.checks[check]!(value)
      const b = compiled[check]!(value)
      t.equal(a, b, `${doc} (${check}): same verdict`)
      // schemaPath and params included: the issue messages are built from them
      t.same(generated.checks[check]!.errors ?? [], compiled[check]!.errors ?? [], `${doc} (${check}): same errors`)
      if (!a) invalid++
    }
  }
  return invalid
}

t.test('manifests: generated and compiled validators report the same errors', async (t) => {
  const bottrop = await json('members/bottrop.json')
  const service = bottrop.services[0]
  const invalid = await compare(t, MANIFEST_SCHEMAS, {
    'a bundled manifest': bottrop,
    'v1 with wrong fields': { schemaVersion: 1, member: 'Bottrop!', services: 'none' },
    'unknown fields, bad types, bad formats': {
      ...bottrop,
      extra: true,
      updatedAt: 'gestern',
      links: { website: 'not a url' },
      services: [{ ...service, id: 'Nicht Slug', lifeSituations: 'x', onlineUrl: 42 }, { ...service, key: 7 }],
    },
    'empty object': {},
    'not an object': ['manifest'],
    null: null,
  }, 'manifest')
  t.ok(invalid >= 10, 'the documents exercise error paths')
})

t.test('region config: generated and compiled validators report the same errors', async (t) => {
  const region = await json('config/region.json')
  const invalid = await compare(t, CONFIG_SCHEMAS, {
    'region.json': region,
    'life-situations.json': await json('config/life-situations.json'),
    'services.json': await json('config/services.json'),
    'synonyms.json': await json('config/synonyms.json'),
    'a member with bad fields': { ...region, members: [{ ...region.members[0], id: 'X Y', upstream: 'kein url', postalCodes: ['1'] }, {}] },
    'empty object': {},
  }, 'config')
  t.ok(invalid >= 10, 'the documents exercise error paths')
})

t.test('a missing or outdated generated file: the validators are compiled at start', async (t) => {
  const missing = await loadValidators(MANIFEST_SCHEMAS, pathToFileURL(join(dir, 'absent.mjs')).href)
  t.equal(missing.source, 'compiled')
  t.notOk(missing.checks.checkSchema({}))
  const { code } = await generatedFile('fresh', MANIFEST_SCHEMAS)
  const stale = join(dir, 'stale.mjs')
  await writeFile(stale, code.replace(schemaHash(MANIFEST_SCHEMAS), 'built-from-older-schemas'))
  t.equal((await loadValidators(MANIFEST_SCHEMAS, pathToFileURL(stale).href)).source, 'compiled', 'another schema hash is not trusted')
})
