// Route serializers and validators generated at build time answer exactly as
// the ones Fastify compiles at start: the app is built once recording the
// standalone code, the module is written as the build writes it, and an app
// served from it must give the same status and bytes on answers that pass
// through serializers (lists, one service, search, problems) and validators
// (bad queries). A schema the module lacks is compiled, never an error.
import t from 'tap'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { buildApp } from '../../src/app.js'
import { MemoryStore } from '../../src/store/memory-store.js'
import { generatedCompilers, generatedModuleSource, recordingCompilers, type CompiledCode, type CompilersFactory } from '../../src/validation/route-compilers.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'
import { REPO } from '../helpers/region.js'

const URLS = [
  '/api/v1/services?postalCode=45964',
  '/api/v1/services?postalCode=45964&view=compact&pageSize=5',
  '/api/v1/services/personalausweis?postalCode=45964',
  '/api/v1/services/fuehrungszeugnis',
  '/api/v1/life-situations/familie-kind?postalCode=45711',
  '/api/v1/search?q=personalausweis&postalCode=45964',
  '/api/v1/suggest?q=hund',
  '/api/v1/responsibility?postalCode=45964',
  '/api/v1/members',
  '/api/v1/services?postalcode=45964', // undeclared parameter: 400 from the validator
  '/api/v1/services?pageSize=0', // out of range
  '/api/v1/services/gibt-es-nicht', // 404 problem
  '/ready',
]

// inside the repository, so the generated code's require('fast-json-stringify/…') resolves
const dir = await mkdtemp(join(REPO, '.tmp-route-compilers-'))
const dataDir = await mkdtemp(join(tmpdir(), 'dp-route-compilers-'))
t.teardown(async () => {
  await rm(dir, { recursive: true, force: true })
  await rm(dataDir, { recursive: true, force: true })
})

async function app(compilers: CompilersFactory | undefined): Promise<FastifyInstance> {
  const built = await buildApp({
    ...(compilers === undefined ? {} : { compilers }),
    store: new MemoryStore(),
    settings: { regionConfig: join(REPO, 'config', 'region.json'), dataDir, pressure: NO_LOAD_SHEDDING },
  })
  await built.ready()
  return built
}

async function answers(built: FastifyInstance): Promise<Array<{ url: string; status: number; body: string }>> {
  const out = []
  for (const url of URLS) {
    const res = await built.inject({ url, headers: { accept: 'application/json' } })
    out.push({ url, status: res.statusCode, body: res.body })
  }
  return out
}

async function writeModule(name: string, code: CompiledCode): Promise<string> {
  const file = join(dir, `${name}.cjs`)
  await writeFile(file, generatedModuleSource(code, 'test'))
  return file
}

// Fastify's own compilers (the source tree has no generated module next to app.ts)
const reference = await app(undefined)
t.teardown(() => reference.close())
const expected = await answers(reference)

t.test('an app served from the recorded code answers byte for byte as Fastify compiling at start', async (t) => {
  const code: CompiledCode = { serializers: new Map(), validators: new Map() }
  const recording = await app(recordingCompilers(code))
  t.same(await answers(recording), expected, 'recording compiles as Fastify does')
  await recording.close()
  t.ok(code.serializers.size > 10 && code.validators.size > 10, `recorded ${code.serializers.size} serializers, ${code.validators.size} validators`)

  const compiled: string[] = []
  const compilers = generatedCompilers(await writeModule('full', code), (kind, route) => compiled.push(`${kind} ${route.method} ${route.url}`))
  t.ok(compilers, 'the module loads')
  const generated = await app(compilers)
  t.teardown(() => generated.close())
  t.same(compiled, [], 'every schema of the same start comes from the module')
  t.same(await answers(generated), expected)
})

t.test('a schema the module lacks is compiled at start, with the same answers', async (t) => {
  const compiled: string[] = []
  const compilers = generatedCompilers(await writeModule('empty', { serializers: new Map(), validators: new Map() }), (kind) => compiled.push(kind))
  const generated = await app(compilers)
  t.teardown(() => generated.close())
  t.ok(compiled.includes('serializer') && compiled.includes('validator'), 'both kinds fall back')
  t.same(await answers(generated), expected)
})

t.test('no module (or an unreadable one): undefined, so Fastify keeps its own compilers', async (t) => {
  t.equal(generatedCompilers(join(dir, 'missing.cjs')), undefined)
  const broken = join(dir, 'broken.cjs')
  await writeFile(broken, 'this is not javascript (')
  t.equal(generatedCompilers(broken), undefined)
})

t.test('the serializers with anyOf branches restore their Ajv only when a branch is decided', async (t) => {
  const source = generatedModuleSource({ serializers: new Map([['k', "const validator = Validator.restoreFromState(validatorState)\nmodule.exports = 1"]]), validators: new Map() }, 'test')
  t.notMatch(source, 'const validator = Validator.restoreFromState(validatorState)')
  t.match(source, 'restored ??= Validator.restoreFromState(validatorState)')
})

t.test('other compiler options make other code: the module is not used for them', async (t) => {
  const schema = {
    querystring: { type: 'object', properties: { n: { type: 'integer' } } },
    response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } },
  }
  const small = async (ajv: FastifyServerOptions['ajv'], compilers: CompilersFactory | undefined): Promise<FastifyInstance> => {
    const f = Fastify({ ajv, ...(compilers === undefined ? {} : { schemaController: { compilersFactory: compilers } }) })
    f.get('/', { schema }, async (request) => ({ n: (request.query as { n?: number }).n }))
    await f.ready()
    return f
  }
  const code: CompiledCode = { serializers: new Map(), validators: new Map() }
  await (await small({ customOptions: { coerceTypes: true } }, recordingCompilers(code))).close()
  const file = await writeModule('options', code)
  const same: string[] = []
  const restored = await small({ customOptions: { coerceTypes: true } }, generatedCompilers(file, (kind) => same.push(kind)))
  t.teardown(() => restored.close())
  t.same(same, [], 'the same options: served from the module')
  t.same((await restored.inject('/?n=7')).json(), { n: 7 }, 'coerced as recorded')
  const other: string[] = []
  const strict = await small({ customOptions: { coerceTypes: false } }, generatedCompilers(file, (kind) => other.push(kind)))
  t.teardown(() => strict.close())
  t.ok(other.length > 0 && other.every((kind) => kind === 'validator'), 'other Ajv options: the validators (GET and its HEAD) are compiled now, the serializers still come from the module')
  t.equal((await strict.inject('/?n=7')).statusCode, 400, 'without coercion "7" is no integer')
})
