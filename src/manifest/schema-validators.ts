// The two manifest schema validators (v2 and v1), from one of two sources
// with identical results: code that ajv generated at build time
// (dist/manifest/validators.generated.js, written by scripts/after-build.mjs
// with ajv's standalone code generation), or, when that file is missing or
// was built from other schemas, ajv compiling them at start. The build-time
// code saves a cold start ajv's compile of the largest schema (~100 ms).
import { createHash } from 'node:crypto'
import type { ErrorObject } from 'ajv'
import { Manifest, ManifestV1, type Manifest as ManifestType, type ManifestV1 as ManifestV1Type } from './schema.js'

export interface SchemaCheck<T> {
  (doc: unknown): doc is T
  errors?: ErrorObject[] | null
}

export interface ManifestValidators {
  checkSchema: SchemaCheck<ManifestType>
  checkSchemaV1: SchemaCheck<ManifestV1Type>
}

// Both sources use these options and formats; the hash covers them too.
const AJV_OPTIONS = { allErrors: true, strict: true, allowUnionTypes: true } as const
const FORMATS = ['uri', 'email', 'date-time'] as const
const GENERATED = new URL('./validators.generated.js', import.meta.url).href

/** Identifies the schemas and options a generated file was built from. */
export function schemaHash(): string {
  return createHash('sha256').update(JSON.stringify([AJV_OPTIONS, FORMATS, Manifest, ManifestV1])).digest('hex')
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
export async function compileValidators(): Promise<ManifestValidators> {
  const ajv = await newAjv()
  return { checkSchema: ajv.compile<ManifestType>(Manifest), checkSchemaV1: ajv.compile<ManifestV1Type>(ManifestV1) }
}

/** Source of an ES module exporting checkSchema, checkSchemaV1 and schemaHash (ajv standalone). */
export async function generateValidatorsCode(): Promise<string> {
  const ajv = await newAjv({ source: true, esm: true })
  ajv.addSchema(Manifest, 'manifest')
  ajv.addSchema(ManifestV1, 'manifestV1')
  const { default: standaloneCode } = await import('ajv/dist/standalone/index.js')
  const code = (standaloneCode as unknown as typeof standaloneCode.default)(ajv, { checkSchema: 'manifest', checkSchemaV1: 'manifestV1' })
  // ajv's ESM output still require()s its runtime helpers and the formats (CommonJS)
  const header = [
    '// Generated at build time by scripts/after-build.mjs from src/manifest/schema.ts. Do not edit.',
    "import { createRequire } from 'node:module';",
    'const require = createRequire(import.meta.url);',
  ].join('\n')
  return `${header}\n${code.replace(/^"use strict";/, '')}\nexport const schemaHash = ${JSON.stringify(schemaHash())};\n`
}

/** The generated validators when present and built from these schemas, else compiled now. */
export async function loadValidators(from: string = GENERATED): Promise<ManifestValidators & { source: 'generated' | 'compiled' }> {
  const generated = await import(from).then((m: Partial<ManifestValidators> & { schemaHash?: string }) => m, () => undefined)
  if (generated?.checkSchema && generated.checkSchemaV1 && generated.schemaHash === schemaHash()) {
    return { checkSchema: generated.checkSchema, checkSchemaV1: generated.checkSchemaV1, source: 'generated' }
  }
  return { ...await compileValidators(), source: 'compiled' }
}
