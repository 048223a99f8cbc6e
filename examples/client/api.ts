// The typed fetch layer of the example client: plain fetch, types generated
// from the gateway's OpenAPI document (`generated/api.ts`, see ../README.md).
// A renamed field or parameter in the contract breaks `tsc --strict` here.
import type { components, paths } from './generated/api.js'

export type Schemas = components['schemas']
export type Problem = Schemas['Problem']

/** The JSON body of a GET operation's 200 answer. */
export type Ok<P extends keyof paths> = paths[P] extends { get: { responses: { 200: { content: { 'application/json': infer B } } } } } ? B : never
/** The query parameters a GET operation declares. */
export type Query<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Q } } } ? NonNullable<Q> : never

/** Thrown for every non-2xx answer: the gateway always sends a problem document. */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.title}${problem.detail ? `: ${problem.detail}` : ''}`)
  }
}

type QueryValue = string | number | boolean | undefined | readonly (string | number)[]

/** An array parameter is repeated (`?a=x&a=y`, OpenAPI's form/explode). */
export function url(base: string, path: string, query: Record<string, QueryValue> = {}): string {
  const u = new URL(path, base)
  for (const [k, v] of Object.entries(query)) {
    if (Array.isArray(v)) for (const item of v) u.searchParams.append(k, String(item))
    else if (v !== undefined) u.searchParams.set(k, String(v))
  }
  return u.href
}

/** Fills `{name}` path parameters (encoded), e.g. fill('/api/v1/members/{id}', { id: 'gladbeck' }). */
export function fill(path: string, params: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''))
}

export async function readJson<T>(res: Response): Promise<T> {
  const body: unknown = await res.json()
  if (!res.ok) throw new ProblemError(body as Problem)
  return body as T
}

/** GET one documented operation with its typed query; answers its typed 200 body. */
export async function get<P extends keyof paths>(
  base: string, path: P, query: Query<P>, params: Record<string, string> = {},
): Promise<Ok<P>> {
  const res = await fetch(url(base, fill(path, params), query as Record<string, QueryValue>), {
    headers: { accept: 'application/json' },
  })
  return readJson<Ok<P>>(res)
}
