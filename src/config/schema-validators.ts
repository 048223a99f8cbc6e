// The region config schemas as one validator set: generated at build time
// into dist/config/validators.generated.js, or compiled at start
// (src/validation/standalone.ts).
import type { SchemaSet } from '../validation/standalone.js'
import { LifeSituationsFile, RegionConfig, ServiceCatalogFile, SynonymsFile } from './region-schema.js'

export const CONFIG_SCHEMAS = { region: RegionConfig, lifeSituations: LifeSituationsFile, services: ServiceCatalogFile, synonyms: SynonymsFile } satisfies SchemaSet
export const CONFIG_VALIDATORS_FILE = new URL('./validators.generated.js', import.meta.url).href
export const CONFIG_SCHEMAS_ORIGIN = 'src/config/region-schema.ts'
