// Redirects from an upstream are mapped back under the member's prefix when
// they point into the proxied part of that upstream. Anything else is the
// upstream's business and stays absolute (so it can never land in another
// member's prefix on this origin: an upstream path like `/cities/other/x` is
// resolved against the upstream and thus mapped to `/cities/<member>/cities/other/x`).

export interface LocationScope {
  /** upstream origin, e.g. `https://portal.gladbeck.de` */
  origin: string
  /** upstream base path, always ending in '/' */
  basePath: string
  /** `/cities/<member>` */
  pathPrefix: string
}

/**
 * @param location the upstream's Location value
 * @param upstreamPath the path the upstream was asked for (relative Locations resolve against it)
 */
export function rewriteLocation(location: string, upstreamPath: string, scope: LocationScope): string | null {
  let target: URL
  try {
    target = new URL(location, scope.origin + upstreamPath)
  } catch {
    return null
  }
  if (target.origin !== scope.origin) return target.href
  const path = target.pathname + target.search + target.hash
  if (scope.basePath === '/') return scope.pathPrefix + path
  if (path.startsWith(scope.basePath)) return `${scope.pathPrefix}/${path.slice(scope.basePath.length)}`
  const bare = scope.basePath.slice(0, -1)
  if (target.pathname === bare) return `${scope.pathPrefix}/${target.search}${target.hash}`
  // Same host, outside the proxied subtree: send the browser there directly.
  return target.href
}
