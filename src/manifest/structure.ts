// Cheap structural limits, checked before the deep (ajv) validation: a
// manifest of 150 000 empty services once made ajv collect 900 000 errors,
// block the event loop for seconds and store 55 MB of them. One linear walk
// over the parsed JSON, guided only by the schema's own `maxItems` and
// `properties`, rejects such a document with a handful of issues instead.
// Generic on purpose: no field names, so schema changes need nothing here.

import type { Issue } from '../http/problem.js'

/** The JSON Schema subset the walk follows (what TypeBox emits). */
interface SchemaNode {
  type?: unknown
  properties?: Record<string, SchemaNode>
  additionalProperties?: unknown
  items?: SchemaNode
  maxItems?: number
  anyOf?: SchemaNode[]
  oneOf?: SchemaNode[]
}

/** Used when the schema does not bound the document (an array without maxItems, open objects). */
export const FALLBACK_MAX_NODES = 200_000
const MAX_DEPTH = 64
/** structural issues reported at most (the document is rejected anyway) */
const MAX_ISSUES = 50

/**
 * The most JSON values (objects, arrays, scalars) a document valid against
 * `schema` can hold, or Infinity when the schema leaves it open.
 */
export function schemaMaxNodes(schemaObject: object, depth = 0): number {
  const schema = schemaObject as SchemaNode
  if (depth > MAX_DEPTH) return Infinity
  const branches = schema.anyOf ?? schema.oneOf
  if (branches !== undefined) return Math.max(0, ...branches.map((b) => schemaMaxNodes(b, depth + 1)))
  if (schema.type === 'object' || schema.properties !== undefined) {
    if (schema.additionalProperties !== false) return Infinity
    let n = 1
    for (const property of Object.values(schema.properties ?? {})) n += schemaMaxNodes(property, depth + 1)
    return n
  }
  if (schema.type === 'array') {
    if (typeof schema.maxItems !== 'number') return Infinity
    return 1 + schema.maxItems * (schema.items === undefined ? Infinity : schemaMaxNodes(schema.items, depth + 1))
  }
  return 1
}

interface Frame {
  value: unknown
  schema: SchemaNode | undefined
  path: string
  depth: number
}

/**
 * Issues for arrays longer than their schema's `maxItems`, documents with more
 * values than any valid one can have (`maxNodes`), and nesting deeper than 64.
 * Empty when the deep validation may run. Arrays that are too long are not
 * descended into, and the walk stops after `maxNodes` values: linear, bounded.
 */
export function checkStructure(doc: unknown, schemaObject: object, maxNodes: number): Issue[] {
  const schema = schemaObject as SchemaNode
  const issues: Issue[] = []
  const stack: Frame[] = [{ value: doc, schema, path: '', depth: 0 }]
  let nodes = 0
  while (stack.length > 0 && issues.length < MAX_ISSUES) {
    const { value, schema: node, path, depth } = stack.pop()!
    nodes++
    if (value === null || typeof value !== 'object') continue
    if (depth >= MAX_DEPTH) {
      issues.push({ path, message: `is nested more than ${MAX_DEPTH} levels deep` })
      continue
    }
    const next = node !== undefined && node.anyOf === undefined && node.oneOf === undefined ? node : undefined
    if (Array.isArray(value)) {
      const max = next?.type === 'array' ? next.maxItems : undefined
      if (max !== undefined && value.length > max) {
        issues.push({ path, message: `must have at most ${max} entries (has ${value.length})` })
        continue
      }
      if (tooMany(nodes + stack.length + value.length, maxNodes, issues)) break
      const items = next?.type === 'array' ? next.items : undefined
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], schema: items, path: `${path}/${i}`, depth: depth + 1 })
      continue
    }
    const keys = Object.keys(value)
    if (tooMany(nodes + stack.length + keys.length, maxNodes, issues)) break
    const properties = next?.properties
    for (const key of keys) {
      stack.push({ value: (value as Record<string, unknown>)[key], schema: properties?.[key], path: `${path}/${escapeToken(key)}`, depth: depth + 1 })
    }
  }
  return issues
}

function tooMany(count: number, maxNodes: number, issues: Issue[]): boolean {
  if (count <= maxNodes) return false
  issues.push({ path: '', message: `has more than ${maxNodes} values (more than any valid manifest can hold)` })
  return true
}

/** JSON Pointer escaping, as ajv writes instance paths. */
function escapeToken(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1')
}
