// JSON Schema validators from one of two sources with identical results:
// code that ajv generated at build time (ajv standalone code, written into
// dist/ by scripts/after-build.mjs), or, when that file is missing or was
// built from other schemas, ajv compiling the schemas at start. Compiling the
// region config and manifest schemas was ~40 % of a start's own work; the
// generated code needs neither ajv's compiler nor its meta-schema checks.
import { createHash } from 'node:crypto'
import type { ErrorObject } from 'ajv'
import type { TSchema } from '@sinclair/typebox'

export interface SchemaCheck<T = unknown> {
  (doc: unknown): doc is T
  errors?: ErrorObject[] | null
}

/** Named schemas that are validated together (one generated module per set). */
export type SchemaSet = Record<string, TSchema>

export type Checks<S extends SchemaSet> = { [K in keyof S]: SchemaCheck }

// Both sources use these options and formats; the hash covers them too.
const AJV_OPTIONS = { allErrors: true, strict: true, allowUnionTypes: true } as const
const FORMATS = ['uri', 'email', 'date-time'] as const

/** Identifies the schemas and options a generated file was built from. */
export function schemaHash(schemas: SchemaSet): string {
  return createHash('sha256').update(JSON.stringify([AJV_OPTIONS, FORMATS, schemas])).digest('hex')
}

async function newAjv(code?: { source: true; esm: true }) {
  // loaded only on this path: the generated code needs neither
  const { Ajv } = await import('ajv')
  const { default: addFormatsImport } = await import('ajv-formats')
  // ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
  const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default
  const ajv = new Ajv({ ...AJV_OPTIONS, ...(code ? { code } : {}) })
  addFormats(ajv, [...FORMATS])
  return ajv
}

/** The validators compiled now by ajv. */
export async function compileValidators<S extends SchemaSet>(schemas: S): Promise<Checks<S>> {
  const ajv = await newAjv()
  return Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, ajv.compile(schema)])) as unknown as Checks<S>
}

/** Source of an ES module exporting one validator per schema name, and schemaHash (ajv standalone). */
export async function generateValidatorsCode(schemas: SchemaSet, origin: string): Promise<string> {
  const ajv = await newAjv({ source: true, esm: true })
  for (const [name, schema] of Object.entries(schemas)) ajv.addSchema(schema, name)
  const { default: standaloneCode } = await import('ajv/dist/standalone/index.js')
  const generate = standaloneCode as unknown as typeof standaloneCode.default
  const code = generate(ajv, Object.fromEntries(Object.keys(schemas).map((name) => [name, name])))
  // ajv's ESM output still require()s its runtime helpers and the formats (CommonJS)
  const header = [
    `// Generated at build time by scripts/after-build.mjs from ${origin}. Do not edit.`,
    "import { createRequire } from 'node:module';",
    'const require = createRequire(import.meta.url);',
  ].join('\n')
  return `${header}\n${code.replace(/^"use strict";/, '')}\nexport const schemaHash = ${JSON.stringify(schemaHash(schemas))};\n`
}

/** The generated validators at `from` when present and built from these schemas, else compiled now. */
export async function loadValidators<S extends SchemaSet>(schemas: S, from: string): Promise<{ checks: Checks<S>; source: 'generated' | 'compiled' }> {
  const generated = await import(from).then((m: Record<string, unknown>) => m, () => undefined)
  const complete = generated !== undefined && Object.keys(schemas).every((name) => typeof generated[name] === 'function')
  if (complete && generated.schemaHash === schemaHash(schemas)) return { checks: generated as Checks<S>, source: 'generated' }
  return { checks: await compileValidators(schemas), source: 'compiled' }
}
