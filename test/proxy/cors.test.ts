// CORS_ORIGINS is the API's cross-origin policy (portal frontends), not the
// members': proxied requests, preflights included, reach the member's
// upstream, which answers them with its own policy; the gateway adds none of
// its CORS headers to a member's answers.
import t from 'tap'
import { startMemberPortal } from '../helpers/member-portal.js'
import { headerValues, rawRequest, type Respond } from '../helpers/upstream.js'

const MEMBER_SITE = 'https://www.gladbeck.example'
const FRONTEND = 'https://app.example'

// The member's own CORS policy: only its own site, POST allowed.
const respond: Respond = (req, res) => {
  if (req.method === 'OPTIONS') {
    res.statusCode = 204
    if (req.headers.origin === MEMBER_SITE) {
      res.setHeader('access-control-allow-origin', MEMBER_SITE)
      res.setHeader('access-control-allow-methods', 'POST')
    }
    res.end()
    return true
  }
  return false
}

t.test('with CORS_ORIGINS set, a member still answers its own preflights and the API list opens none of its pages', async (t) => {
  const { port, gladbeck, herten } = await startMemberPortal(t, {
    corsOrigins: [FRONTEND], proxy: { baseDomain: 'cities.test', scheme: 'http', port: 8080 },
  }, respond)
  const send = (method: string, path: string, host: string, extra: string[]) =>
    rawRequest(port, `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n${extra.map((l) => `${l}\r\n`).join('')}\r\n`)

  const where: [string, string, string, { seen: unknown[] }][] = [
    ['member origin', '/antrag', `gladbeck.cities.test:${port}`, gladbeck],
    ['path form', '/cities/herten/antrag', `127.0.0.1:${port}`, herten],
  ]
  for (const [name, path, host, upstream] of where) {
    const own = await send('OPTIONS', path, host, [`Origin: ${MEMBER_SITE}`, 'Access-Control-Request-Method: POST'])
    t.equal(own.status, 204, `${name}: preflight from the member's site`)
    t.same(headerValues(own.headerLines, 'access-control-allow-methods'), ['POST'], `${name}: the member's own answer`)
    t.same(headerValues(own.headerLines, 'access-control-allow-origin'), [MEMBER_SITE], `${name}: the member's own origin allowed`)

    const frontend = await send('OPTIONS', path, host, [`Origin: ${FRONTEND}`, 'Access-Control-Request-Method: POST'])
    t.same(headerValues(frontend.headerLines, 'access-control-allow-origin'), [], `${name}: a portal frontend is not allowed by the member`)

    const plain = await send('OPTIONS', path, host, [])
    t.equal(plain.status, 204, `${name}: OPTIONS without Origin is the member's, not a gateway 400`)
    t.equal(upstream.seen.length, 3, `${name}: every OPTIONS reached the upstream`)

    const read = await send('GET', path, host, [`Origin: ${FRONTEND}`])
    t.equal(read.status, 200)
    t.same(headerValues(read.headerLines, 'access-control-allow-origin'), [], `${name}: CORS_ORIGINS does not let a frontend read a member's page`)
    t.same(headerValues(read.headerLines, 'access-control-expose-headers'), [], `${name}: none of the API's CORS headers`)
  }

  const api = await send('OPTIONS', '/api/v1/region', `127.0.0.1:${port}`, [`Origin: ${FRONTEND}`, 'Access-Control-Request-Method: GET'])
  t.equal(api.status, 204, 'the API keeps its CORS policy')
  t.same(headerValues(api.headerLines, 'access-control-allow-origin'), [FRONTEND])
})
