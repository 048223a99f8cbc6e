// A compact schema-driven fuzzer on fast-check: arbitraries for each
// operation's parameters come from the OpenAPI document (/docs/json), answers
// are checked against the same document with ajv. No npm fuzzer fit (see
// README "Contract fuzzing"); this keeps fast-check's seeding and shrinking.
import fc from 'fast-check'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import type { ValidateFunction } from 'ajv'

type Json = Record<string, any>

/** Statuses any operation may answer without listing them: they come from
 * layers before the route (bad URL or undeclared parameter 400, no matching
 * route 404, wrong method 405, Accept negotiation 406, over-long parameter 414,
 * rate limit 429, load shedding 503). Always problem+json. */
export const GLOBAL_STATUSES = new Set([400, 404, 405, 406, 414, 429, 503])

export interface Operation { method: string; path: string; op: Json }

export interface Case {
  path: string
  query: [string, string][]
  headers: Record<string, string>
  /** what was invalid on purpose (for the report) */
  invalid: string[]
}

const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options']

export function operations(doc: Json): Operation[] {
  return Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json).filter(([m]) => METHODS.includes(m)).map(([method, op]) => ({ method, path, op: op as Json })))
}

/** characters a header value may carry (undici refuses the rest before sending) */
const headerChars = fc.string({ unit: fc.constantFrom(...'abcXYZ019 "/-_=.,;:W*'.split('')), maxLength: 40 })

function examplesOf(p: Json): string[] {
  const out: unknown[] = []
  if (p.example !== undefined) out.push(p.example)
  for (const e of Object.values((p.examples ?? {}) as Json)) out.push((e as Json).value)
  for (const e of (p.schema?.examples ?? []) as unknown[]) out.push(e)
  return out.filter((v) => ['string', 'number', 'boolean'].includes(typeof v)).map(String)
}

/** values the schema allows (with the documented examples mixed in to reach real data) */
export function validValue(p: Json): fc.Arbitrary<string> {
  const s = (p.schema ?? {}) as Json
  const ex = examplesOf(p)
  let gen: fc.Arbitrary<string>
  if (Array.isArray(s.enum)) gen = fc.constantFrom(...(s.enum as unknown[]).map(String))
  else if (s.type === 'integer' || s.type === 'number') {
    gen = fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 100_000 }).map(String)
  } else if (s.type === 'boolean') gen = fc.constantFrom('true', 'false')
  else if (typeof s.pattern === 'string') {
    const min = s.minLength ?? 0
    const max = s.maxLength ?? 200
    gen = fc.stringMatching(new RegExp(s.pattern as string), { size: 'small' }).filter((v) => v.length >= min && v.length <= max)
  } else gen = fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 30, 30) })
  if (p.in === 'header') gen = gen.filter((v) => /^[\x20-\x7e]*$/.test(v))
  return ex.length > 0 ? fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...ex) }, { weight: 3, arbitrary: gen }) : gen
}

/** values that are probably not allowed: wrong type, over length, arbitrary unicode, empty */
function invalidValue(p: Json): fc.Arbitrary<string> {
  const s = (p.schema ?? {}) as Json
  if (p.in === 'header') return headerChars
  const options: fc.Arbitrary<string>[] = [
    fc.string({ maxLength: 20 }),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
    fc.constantFrom('', ' ', '%', '../x', 'a/b', '-1', '1e9', 'null', '[]', 'ÄÖÜß', '\u0000'),
  ]
  if (typeof s.maxLength === 'number') options.push(fc.constant('a'.repeat((s.maxLength as number) + 1)))
  if (s.type === 'integer' || s.type === 'number') {
    options.push(fc.constantFrom(String((s.maximum ?? 1e6) + 1), String((s.minimum ?? -1e6) - 1), '1.5', 'zwei'))
  }
  return fc.oneof(...options)
}

/** one request for an operation: each parameter left out (if optional), valid, or invalid */
export function caseFor({ path, op }: Operation, validOverrides: Record<string, fc.Arbitrary<string>> = {}): fc.Arbitrary<Case> {
  const params = ((op.parameters ?? []) as Json[])
  const choices = params.map((p) => {
    const valid = (validOverrides[`${p.in}:${p.name}`] ?? validValue(p)).map((v) => ({ v, bad: false }))
    const invalid = invalidValue(p).map((v) => ({ v, bad: true }))
    const parts: fc.WeightedArbitrary<{ v: string; bad: boolean } | null>[] = [
      { weight: 6, arbitrary: valid }, { weight: 2, arbitrary: invalid },
    ]
    if (!p.required) parts.push({ weight: 3, arbitrary: fc.constant(null) })
    return fc.oneof(...parts)
  })
  // now and then an undeclared query parameter (a misspelling): must be a 400 problem, never ignored or a 5xx
  const extra = fc.option(fc.tuple(fc.constantFrom('postalcode', 'pagesize', 'x', 'utm_source'), fc.string({ maxLength: 8 })), { freq: 8 })
  return fc.tuple(fc.tuple(...choices), extra).map(([values, undeclared]) => {
    const c: Case = { path, query: [], headers: {}, invalid: [] }
    params.forEach((p, i) => {
      const chosen = values[i]
      if (chosen === null || chosen === undefined) return
      if (chosen.bad) c.invalid.push(`${p.in}:${p.name}`)
      if (p.in === 'path') c.path = c.path.replace(`{${p.name}}`, encodeURIComponent(chosen.v))
      else if (p.in === 'query') c.query.push([p.name, chosen.v])
      else if (p.in === 'header') c.headers[String(p.name).toLowerCase()] = chosen.v
    })
    if (undeclared) {
      c.query.push(undeclared)
      c.invalid.push(`query:${undeclared[0]} (undeclared)`)
    }
    return c
  })
}

export function urlOf(base: string, c: Case): string {
  const qs = new URLSearchParams(c.query).toString()
  return `${base}${c.path}${qs ? `?${qs}` : ''}`
}

/** ajv over the whole document: response schemas are checked with their $refs into components */
export function validators(doc: Json): (ref: string) => ValidateFunction {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true })
  ;(addFormatsModule as unknown as (a: Ajv2020) => void)(ajv)
  const id = 'urn:dachportal:openapi'
  ajv.addSchema({ ...doc, $id: id }, id)
  const cache = new Map<string, ValidateFunction>()
  return (pointer) => {
    let v = cache.get(pointer)
    if (!v) {
      v = ajv.compile({ $ref: `${id}#${pointer}` })
      cache.set(pointer, v)
    }
    return v
  }
}

export interface Answer { status: number; contentType: string; body: string }

/** every rule an answer must keep; returns the broken ones (empty = fine) */
export function check(doc: Json, validate: (pointer: string) => ValidateFunction, o: Operation, a: Answer): string[] {
  const errors: string[] = []
  const responses = o.op.responses as Json
  const key = String(a.status)
  const documented = responses[key] ?? (a.status >= 400 ? responses.default : undefined)
  const pointerBase = `/paths/${o.path.replace(/~/g, '~0').replace(/\//g, '~1')}/${o.method}/responses/${responses[key] ? key : 'default'}`
  const type = a.contentType.split(';')[0]!.trim().toLowerCase()
  if (a.status >= 500 && !documented) errors.push(`${a.status}: an undocumented 5xx`)
  if (!documented && !GLOBAL_STATUSES.has(a.status)) errors.push(`${a.status} is not documented for ${o.method.toUpperCase()} ${o.path}`)
  if (a.status >= 400) {
    if (type !== 'application/problem+json') errors.push(`${a.status} with ${type || 'no content type'}, not application/problem+json`)
    else {
      let p: Json | undefined
      try { p = JSON.parse(a.body) as Json } catch { errors.push(`${a.status}: problem body is not JSON`) }
      if (p) {
        if (typeof p.type !== 'string' || typeof p.title !== 'string' || p.status !== a.status) {
          errors.push(`${a.status}: problem without type/title/status (${a.body.slice(0, 120)})`)
        }
        const v = validate('/components/schemas/Problem')
        if (!v(p)) errors.push(`${a.status}: problem does not match the Problem schema: ${ajvText(v)}`)
      }
    }
  }
  const content = documented?.content as Json | undefined
  if (documented && a.status !== 304 && a.body.length > 0) {
    if (!content) {
      if (a.status < 300) errors.push(`${a.status}: a ${type} body, but no content documented`)
    } else if (!content[type]) {
      errors.push(`${a.status}: content type ${type} not documented (${Object.keys(content).join(', ')})`)
    } else if (type.endsWith('json') && content[type].schema) {
      let body: unknown
      try { body = JSON.parse(a.body) } catch { errors.push(`${a.status}: ${type} body is not JSON`) }
      if (body !== undefined) {
        const v = validate(`${pointerBase}/content/${type.replace(/~/g, '~0').replace(/\//g, '~1')}/schema`)
        if (!v(body)) errors.push(`${a.status}: body does not match the documented schema: ${ajvText(v)}`)
      }
    }
  }
  return errors
}

function ajvText(v: ValidateFunction): string {
  return (v.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ')
}
