// Manifest validation: cheap structural limits first (structure.ts), then the
// JSON Schema (ajv, allErrors) plus the rules a schema cannot say. Pure: the
// caller passes what the region allows. Returns the problems with their JSON
// paths, at most MAX_ISSUES and then one "and N more" entry; never throws.
import type { ErrorObject } from 'ajv'
import { Manifest, ManifestV1, type Manifest as ManifestType, type ManifestV1 as ManifestV1Type } from './schema.js'
import { checkV2Rules, type SharedOnlineService } from './rules-v2.js'
import { upgradeManifest } from './upgrade.js'
import { checkUrl } from './url-safety.js'
import { checkStructure, FALLBACK_MAX_NODES, schemaMaxNodes } from './structure.js'
import { boundIssues } from './issues.js'
import { loadValidators } from '../validation/standalone.js'
import { MANIFEST_SCHEMAS, MANIFEST_VALIDATORS_FILE } from './schema-validators.js'
import type { Issue } from '../http/problem.js'

/** `errors` is bounded (see issues.ts); `total` counts every error found when more were. */
export type Result<T> = { ok: true; value: T } | { ok: false; errors: Issue[]; total?: number }

/** What the region config allows this manifest to reference. */
export interface ValidationContext {
  /** member id from the region config (the manifest must claim it) */
  memberId?: string
  /** hosts the member's links may point to; undefined = not checked (unknown member) */
  allowedHosts?: readonly string[]
  lifeSituationIds: ReadonlySet<string>
  serviceKeys: ReadonlySet<string>
  /** v2: region members (id -> ARS) for provider ids and ARS prefixes in serves */
  members?: ReadonlyMap<string, { ars: string }>
  /** v2: other members' current online services; absent = cross-member references not checked */
  onlineServicesOf?: (memberId: string) => readonly SharedOnlineService[] | undefined | null
}

// generated at build time when available (validation/standalone.ts)
const { checkSchema, checkSchemaV1 } = (await loadValidators(MANIFEST_SCHEMAS, MANIFEST_VALIDATORS_FILE)).checks
// no valid manifest holds more values than this (from the schema's maxItems)
const MAX_NODES = Math.min(FALLBACK_MAX_NODES, schemaMaxNodes(Manifest))
const MAX_NODES_V1 = Math.min(FALLBACK_MAX_NODES, schemaMaxNodes(ManifestV1))

/** Validates a v2 manifest, or a v1 one (v1 rules) and returns it converted to v2. */
export function validateManifest(doc: unknown, context: ValidationContext): Result<ManifestType> {
  const v1 = (doc as { schemaVersion?: unknown } | null)?.schemaVersion === 1
  // A flood (150 000 empty services) is refused here, before ajv would collect an error per field.
  const structural = v1 ? checkStructure(doc, ManifestV1, MAX_NODES_V1) : checkStructure(doc, Manifest, MAX_NODES)
  if (structural.length > 0) return { ok: false, errors: boundIssues(structural), total: structural.length }
  const check = v1 ? checkSchemaV1 : checkSchema
  const schemaOk = check(doc)
  const v2Errors = v1 ? [] : checkV2Rules(doc, context)
  // a v2 rule's German explanation replaces the schema's message for the same path
  const v2Paths = new Set(v2Errors.map((e) => e.path))
  const schemaErrors = schemaOk ? [] : (check.errors ?? []).map(schemaIssue).filter((e) => !v2Paths.has(e.path))
  // The rules run on schema-invalid documents too, so one pass reports every error.
  const errors = dedupe([...schemaErrors, ...checkRules(asLoose(doc), context), ...v2Errors])
  if (!schemaOk || errors.length > 0) return { ok: false, errors: boundIssues(errors), total: errors.length }
  return { ok: true, value: v1 ? upgradeManifest(doc as ManifestV1Type) : doc as ManifestType }
}

/** Shape the rules can walk safely whatever the document holds. */
function asLoose(doc: unknown): ManifestType {
  const obj = (v: unknown): Record<string, any> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, any> : {})
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined)
  const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
  const root = obj(doc)
  const links = Object.fromEntries(Object.entries(obj(root.links)).filter(([, v]) => typeof v === 'string'))
  return {
    member: str(root.member) ?? '',
    links,
    offices: arr(root.offices).map((o) => ({ id: str(obj(o).id) ?? '', url: str(obj(o).url), appointmentUrl: str(obj(o).appointmentUrl) })),
    services: arr(root.services).map((raw) => {
      const s = obj(raw)
      return {
        id: str(s.id) ?? '',
        key: str(s.key),
        lifeSituations: arr(s.lifeSituations).map((x) => str(x)), // keeps indexes for the paths
        office: str(s.office),
        onlineUrl: str(s.onlineUrl),
        infoUrl: str(s.infoUrl),
      }
    }),
  } as unknown as ManifestType
}

function checkRules(manifest: ManifestType, context: ValidationContext): Issue[] {
  const errors: Issue[] = []
  if (context.memberId !== undefined && manifest.member !== '' && manifest.member !== context.memberId) {
    errors.push({ path: '/member', message: `must be "${context.memberId}" (the member this manifest is registered for), got "${manifest.member}"` })
  }
  const checkLink = (path: string, url: string | undefined) => {
    if (url === undefined) return
    const problem = checkUrl(url, context.allowedHosts)
    if (problem) errors.push({ path, message: problem })
  }
  for (const [name, url] of Object.entries(manifest.links)) checkLink(`/links/${name}`, url)

  const officeIds = new Set<string>()
  manifest.offices.forEach((office, i) => {
    if (officeIds.has(office.id)) errors.push({ path: `/offices/${i}/id`, message: `duplicate office id "${office.id}"` })
    officeIds.add(office.id)
    checkLink(`/offices/${i}/url`, office.url)
    checkLink(`/offices/${i}/appointmentUrl`, office.appointmentUrl)
  })

  const serviceIds = new Set<string>()
  const keys = new Set<string>()
  manifest.services.forEach((service, i) => {
    const at = `/services/${i}`
    if (serviceIds.has(service.id)) errors.push({ path: `${at}/id`, message: `duplicate service id "${service.id}"` })
    serviceIds.add(service.id)
    if (service.key !== undefined) {
      if (!context.serviceKeys.has(service.key)) {
        errors.push({ path: `${at}/key`, message: `"${service.key}" is not a key of the region's service catalog (config/services.json)` })
      } else if (keys.has(service.key)) {
        // one offering per member and catalog key: the region shows each member once per service
        errors.push({ path: `${at}/key`, message: `key "${service.key}" is already used by another service of this manifest` })
      }
      keys.add(service.key)
    }
    service.lifeSituations.forEach((id: string | undefined, j) => {
      if (id !== undefined && !context.lifeSituationIds.has(id)) {
        errors.push({ path: `${at}/lifeSituations/${j}`, message: `"${id}" is not a known life situation (config/life-situations.json)` })
      }
    })
    if (service.office !== undefined && !officeIds.has(service.office)) {
      errors.push({ path: `${at}/office`, message: `no office with id "${service.office}" in /offices` })
    }
    checkLink(`${at}/onlineUrl`, service.onlineUrl)
    checkLink(`${at}/infoUrl`, service.infoUrl)
  })
  return errors
}

function schemaIssue(error: ErrorObject): Issue {
  const path = error.instancePath
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return { path: `${path}/${pointerToken(String(params.missingProperty))}`, message: 'is required' }
    case 'additionalProperty':
    case 'additionalProperties':
      return { path: `${path}/${pointerToken(String(params.additionalProperty))}`, message: 'is not allowed here (unknown field)' }
    case 'type':
      return { path, message: `must be of type ${String(params.type)}` }
    case 'const':
      return { path, message: `must be ${JSON.stringify(params.allowedValue)}` }
    case 'enum':
      return { path, message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}` }
    case 'pattern':
      return { path, message: `has an invalid format (expected ${describePattern(String(params.pattern))})` }
    case 'format':
      return { path, message: `must be a valid ${String(params.format)}` }
    case 'maxItems':
      return { path, message: `must have at most ${String(params.limit)} entries` }
    case 'minItems':
      return { path, message: `must have at least ${String(params.limit)} entr${params.limit === 1 ? 'y' : 'ies'}` }
    case 'maxLength':
      return { path, message: `must be at most ${String(params.limit)} characters long` }
    case 'minLength':
      return { path, message: 'must not be empty' }
    case 'uniqueItems':
      return { path, message: 'must not contain duplicates' }
    default:
      return { path, message: error.message ?? 'is invalid' }
  }
}

/** RFC 6901: ajv escapes instancePath, not the property names it reports */
function pointerToken(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1')
}

function describePattern(pattern: string): string {
  if (pattern.startsWith('^[a-z0-9]+')) return 'a lower-case slug such as "hund-anmelden"'
  if (pattern === '^[0-9]{5}$') return 'a 5-digit postal code'
  return `pattern ${pattern}`
}

// A union type error reports once per branch; one message per path is enough.
function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>()
  return issues.filter((issue) => {
    const k = `${issue.path}\u0000${issue.message}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}
