// The manifest schema validators generated at build time (ajv standalone code)
// and the ones ajv compiles at start must agree on every document; a missing
// or outdated generated file falls back to compiling.
import t from 'tap'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { compileValidators, generateValidatorsCode, loadValidators, schemaHash } from '../../src/manifest/schema-validators.js'
import { REPO } from '../helpers/region.js'

// inside the repository, so the generated code's require('ajv/...') resolves
const dir = await mkdtemp(join(REPO, '.tmp-validators-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))
const code = await generateValidatorsCode()
const file = join(dir, 'validators.generated.mjs')
await writeFile(file, code)

const bottrop = JSON.parse(await readFile(join(REPO, 'members', 'bottrop.json'), 'utf8'))
const service = bottrop.services[0]
const documents: Record<string, unknown> = {
  'a bundled manifest': bottrop,
  'v1 with a wrong version field': { schemaVersion: 1, member: 'Bottrop!', services: 'none' },
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
}

t.test('generated and compiled validators report the same errors for every document', async (t) => {
  const generated = await loadValidators(pathToFileURL(file).href)
  t.equal(generated.source, 'generated', 'the generated file is used when its hash matches')
  const compiled = await compileValidators()
  let invalid = 0
  for (const [name, doc] of Object.entries(documents)) {
    for (const which of ['checkSchema', 'checkSchemaV1'] as const) {
      const a = generated[which](doc)
      const errorsA = generated[which].errors ?? []
      const b = compiled[which](doc)
      const errorsB = compiled[which].errors ?? []
      t.equal(a, b, `${name} (${which}): same verdict`)
      // schemaPath and params included: the issue messages are built from them
      t.same(errorsA, errorsB, `${name} (${which}): same errors`)
      if (!a) invalid++
    }
  }
  t.ok(invalid >= 10, 'the documents exercise error paths')
  t.ok(generated.checkSchema(bottrop), 'a bundled manifest is valid')
})

t.test('a missing or outdated generated file: the validators are compiled at start', async (t) => {
  const missing = await loadValidators(pathToFileURL(join(dir, 'absent.mjs')).href)
  t.equal(missing.source, 'compiled')
  t.notOk(missing.checkSchema({}))
  const stale = join(dir, 'stale.mjs')
  await writeFile(stale, code.replace(schemaHash(), 'built-from-older-schemas'))
  t.equal((await loadValidators(pathToFileURL(stale).href)).source, 'compiled', 'another schema hash is not trusted')
})
