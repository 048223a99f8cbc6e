// Fastify's route serializers (fast-json-stringify) and validators (ajv),
// generated at build time instead of at every start. Compiling them was the
// largest part of a start (about 300 ms of CPU on this machine, issue 26).
//
// scripts/after-build.mjs builds the app once with recordingCompilers(): each
// compiled schema's standalone code is kept, keyed by a hash of the schema
// and of the shared schemas it can $ref, and written as one CommonJS module.
// generatedCompilers() serves a start from that module; a schema it does not
// hold (another region config, a route that only some settings register, a
// stale dist/) is compiled then as before, so the result is always the one
// Fastify's own compilers give.
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import type { FastifyServerOptions } from 'fastify'

type SchemaController = NonNullable<FastifyServerOptions['schemaController']>
export type CompilersFactory = NonNullable<SchemaController['compilersFactory']>
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>
type SerializerFactory = NonNullable<CompilersFactory['buildSerializer']>

/** Standalone code per key, as written by the build. */
export interface CompiledCode {
  serializers: Map<string, string>
  validators: Map<string, string>
}

/** The generated module: one factory per key, evaluated only when a route asks for it. */
interface GeneratedModule {
  serializers: Record<string, () => unknown>
  validators: Record<string, () => unknown>
}

const require = createRequire(import.meta.url)

// Fastify's defaults, loaded only when a schema has to be compiled now.
function defaultSerializerFactory(): SerializerFactory {
  const selector = require('@fastify/fast-json-stringify-compiler') as { SerializerSelector: () => SerializerFactory }
  return selector.SerializerSelector()
}

function defaultValidatorFactory(): ValidatorFactory {
  const selector = require('@fastify/ajv-compiler') as () => ValidatorFactory
  return selector()
}

/** Entries in code-point order of their keys (a stable key and a stable generated file). */
const byKey = ([a]: [string, unknown], [b]: [string, unknown]): number => (a < b ? -1 : a > b ? 1 : 0)

const hash = (text: string): string => createHash('sha256').update(text).digest('base64url')

// Every encapsulated context passes a fresh copy of the same shared schemas
// (about 1 MB of JSON here): each schema object is hashed once.
const sharedHashes = new WeakMap<object, string>()

/** The shared schemas a route schema may $ref, and the compiler options (Ajv's coercion, say): part of every key, as they shape the code. */
function sharedKey(external: unknown, options: unknown): string {
  const parts: string[] = []
  for (const [id, schema] of Object.entries((external ?? {}) as Record<string, unknown>).sort(byKey)) {
    let part = typeof schema === 'object' && schema !== null ? sharedHashes.get(schema) : undefined
    if (part === undefined) {
      part = hash(JSON.stringify(schema))
      if (typeof schema === 'object' && schema !== null) sharedHashes.set(schema, part)
    }
    parts.push(`${id}=${part}`)
  }
  parts.push(JSON.stringify(options ?? {}))
  return hash(parts.join('\n'))
}

/** One schema's key: its JSON text (symbols such as TypeBox's Kind play no part in the code) under the shared schemas. */
function schemaKey(shared: string, schema: unknown): string {
  return hash(`${shared}\n${JSON.stringify(schema)}`)
}

/** A schema the generated module lacks, compiled now. */
export type OnCompile = (kind: 'serializer' | 'validator', route: { method?: string | undefined; url?: string | undefined }) => void

/** Compilers that serve generated code where the module at `file` has it; undefined when it cannot be read. */
export function generatedCompilers(file: string, onCompile?: OnCompile): CompilersFactory | undefined {
  let generated: GeneratedModule
  try {
    generated = require(file) as GeneratedModule
  } catch {
    return undefined
  }
  return {
    buildSerializer: served(generated.serializers, defaultSerializerFactory, 'serializer', onCompile),
    buildValidator: served(generated.validators, defaultValidatorFactory, 'validator', onCompile),
  }
}

/** One kind of compiler: the module's code for a known schema, else Fastify's compiler (created on the first miss). */
function served<F extends SerializerFactory | ValidatorFactory>(table: Record<string, () => unknown>, defaults: () => F, kind: 'serializer' | 'validator', onCompile: OnCompile | undefined): F {
  const factory = (external: unknown, options: unknown) => {
    const shared = sharedKey(external, options)
    let fallback: ((route: { schema?: unknown; method?: string; url?: string }) => unknown) | undefined
    return (route: { schema?: unknown; method?: string; url?: string }) => {
      const restore = table[schemaKey(shared, route.schema)]
      if (restore !== undefined) return restore()
      fallback ??= (defaults() as unknown as (e: unknown, o: unknown) => typeof fallback)(external, options)
      onCompile?.(kind, route)
      return fallback!(route)
    }
  }
  return factory as unknown as F
}

/** Compilers that compile as Fastify does and record each schema's standalone code in `into` (build time). */
export function recordingCompilers(into: CompiledCode): CompilersFactory {
  const buildSerializer: SerializerFactory = (external, options) => {
    const shared = sharedKey(external, options)
    const toCode = defaultSerializerFactory()(external, { ...options, mode: 'standalone' })
    return (route) => {
      const code = toCode(route) as unknown as string
      into.serializers.set(schemaKey(shared, route.schema), code)
      return evaluate(code) as ReturnType<ReturnType<SerializerFactory>>
    }
  }
  const buildValidator: ValidatorFactory = (external, options) => {
    const shared = sharedKey(external, options)
    const { default: standaloneCode } = require('ajv/dist/standalone/index.js') as typeof import('ajv/dist/standalone/index.js')
    const ajvOptions = options as { customOptions?: Record<string, unknown> } | undefined
    const compile = defaultValidatorFactory()(external, { ...ajvOptions, customOptions: { ...ajvOptions?.customOptions, code: { source: true } } })
    const reference = (require('@fastify/ajv-compiler') as { AjvReference: symbol }).AjvReference
    const ajv = (compile as unknown as Record<symbol, { ajv: Parameters<typeof standaloneCode>[0] }>)[reference]?.ajv
    if (ajv === undefined) throw new Error('route-compilers: @fastify/ajv-compiler no longer exposes its Ajv instance')
    return (route) => {
      const validate = compile(route)
      into.validators.set(schemaKey(shared, route.schema), standaloneCode(ajv, validate as unknown as Parameters<typeof standaloneCode>[1]))
      return validate
    }
  }
  return { buildSerializer, buildValidator }
}

/** Evaluates one piece of standalone code (a CommonJS module body) the way the generated module does. */
function evaluate(code: string): unknown {
  const module = { exports: {} as unknown }
  // eslint-disable-next-line no-new-func
  new Function('module', 'exports', 'require', code)(module, module.exports, require)
  return module.exports
}

// A serializer with anyOf/if branches restores an Ajv instance with its
// schemas (about 8 ms each, ten routes here): done when a branch is first
// decided, not at start. The generated code only calls getSchemaValidator.
const EAGER_VALIDATOR = 'const validator = Validator.restoreFromState(validatorState)'
const LAZY_VALIDATOR = 'let restored; const validator = { getSchemaValidator: (ref) => (restored ??= Validator.restoreFromState(validatorState)).getSchemaValidator(ref) }'

/** Source of the generated CommonJS module holding `code`. */
export function generatedModuleSource(code: CompiledCode, origin: string): string {
  const entries = (map: Map<string, string>) => [...map].sort(byKey)
    .map(([key, body]) => [key, body.replaceAll(EAGER_VALIDATOR, LAZY_VALIDATOR)])
    .map(([key, body]) => `${JSON.stringify(key)}: () => {\nconst module = { exports: {} };\n(function (module, exports) {\n${body}\n})(module, module.exports);\nreturn module.exports;\n},`)
    .join('\n')
  return [
    `// Generated at build time by scripts/after-build.mjs from ${origin}. Do not edit.`,
    "'use strict';",
    `exports.serializers = {\n${entries(code.serializers)}\n};`,
    `exports.validators = {\n${entries(code.validators)}\n};`,
    '',
  ].join('\n')
}
