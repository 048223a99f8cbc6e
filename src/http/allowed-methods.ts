// Which methods a path has, for 405 + Allow: a second find-my-way router (the
// one Fastify itself uses) that only records method and URL pattern of every
// route Fastify registers, so "is this path known with another method?" is
// answered by the same matching rules as routing, for concrete paths.
import Router from 'find-my-way'
import type { FastifyInstance } from 'fastify'

export interface AllowedMethods {
  /** the methods `path` has, sorted; HEAD wherever GET is; empty when no route matches */
  (path: string): string[]
}

const noop = () => {}

/** Collects routes from now on (call before routes are registered). */
export function collectAllowedMethods(app: FastifyInstance): AllowedMethods {
  const router = Router({ ignoreTrailingSlash: false, maxParamLength: Number.MAX_SAFE_INTEGER })
  const methods = new Set<string>()
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      try {
        router.on(method as Router.HTTPMethod, route.url, noop)
        methods.add(method)
      } catch {
        // a method find-my-way does not know, or the same method and URL under another constraint: skip
      }
    }
  })
  return (path) => {
    const allowed = new Set<string>()
    for (const method of methods) {
      let found: unknown = null
      try {
        found = router.find(method as Router.HTTPMethod, path)
      } catch {
        found = null
      }
      if (found) allowed.add(method)
    }
    if (allowed.has('GET')) allowed.add('HEAD')
    return [...allowed].sort()
  }
}
