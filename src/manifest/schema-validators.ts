// The manifest schemas (v2 and v1) as one validator set: generated at build
// time into dist/manifest/validators.generated.js, or compiled at start
// (src/validation/standalone.ts).
import type { SchemaSet } from '../validation/standalone.js'
import { Manifest, ManifestV1 } from './schema.js'

export const MANIFEST_SCHEMAS = { checkSchema: Manifest, checkSchemaV1: ManifestV1 } satisfies SchemaSet
export const MANIFEST_VALIDATORS_FILE = new URL('./validators.generated.js', import.meta.url).href
export const MANIFEST_SCHEMAS_ORIGIN = 'src/manifest/schema.ts'
