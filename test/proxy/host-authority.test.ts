// The request's authority (RFC 9112 §3.2), over raw sockets against the whole
// app with member origins and real upstreams: an absolute-form target's
// authority wins over Host; two Host fields or an invalid Host are a 400
// problem and reach neither the portal nor a member.
import t from 'tap'
import { startMemberPortal } from '../helpers/member-portal.js'
import { rawRequest } from '../helpers/upstream.js'

const request = (target: string, hostLines: string[]) =>
  `GET ${target} HTTP/1.1\r\n${hostLines.map((h) => `Host: ${h}\r\n`).join('')}Connection: close\r\n\r\n`

t.test('absolute-form: the target’s authority chooses the member, not Host', async (t) => {
  const { port, gladbeck } = await startMemberPortal(t, { proxy: { baseDomain: 'cities.test', scheme: 'http', port: 8080 } })
  const res = await rawRequest(port, request('http://gladbeck.cities.test/antrag?x=1', [`127.0.0.1:${port}`]))
  t.equal(res.status, 200)
  t.match(JSON.parse(res.body), { member: 'gladbeck', url: '/antrag?x=1' }, 'gladbeck’s upstream, origin-form path')
  t.equal(gladbeck.seen.length, 1)
  const portal = await rawRequest(port, request(`http://127.0.0.1:${port}/api/v1/region`, ['gladbeck.cities.test']))
  t.equal(portal.status, 200, 'the portal’s authority in the target: the portal answers, though Host names a member')
  t.notMatch(portal.body, /"url"/, 'from the gateway, not an upstream')
  t.equal(gladbeck.seen.length, 1, 'the member was not reached')
})

t.test('two Host fields or an invalid Host: 400 problem, nothing reached', async (t) => {
  const { port, gladbeck, herten } = await startMemberPortal(t, { proxy: { baseDomain: 'cities.test', scheme: 'http', port: 8080 } })
  const cases: Array<[string, string, string[]]> = [
    ['two Host fields, member first', '/', ['gladbeck.cities.test', `127.0.0.1:${port}`]],
    ['two Host fields, portal first', '/api/v1/region', [`127.0.0.1:${port}`, 'gladbeck.cities.test']],
    ['a space in Host', '/', ['gladbeck.cities.test x']],
    ['a space in Host, portal', '/api/v1/region', [`127.0.0.1:${port} x`]],
    ['a path in Host', '/', ['gladbeck.cities.test/x']],
    ['a bad port', '/', ['gladbeck.cities.test:80x']],
  ]
  for (const [what, target, hosts] of cases) {
    const res = await rawRequest(port, request(target, hosts))
    t.equal(res.status, 400, `${what}: 400`)
    t.match(res.headerLines.join('\n'), /content-type: application\/problem\+json/i, `${what}: problem+json`)
    t.match(JSON.parse(Buffer.from(res.body, 'latin1').toString('utf8')), { status: 400, title: 'Ungültige Anfrage', detail: /Host-Header/ }, what)
  }
  t.equal(gladbeck.seen.length + herten.seen.length, 0, 'no upstream was reached')
  const ok = await rawRequest(port, request('/', ['Gladbeck.Cities.Test.:8080']))
  t.equal(ok.status, 200, 'one valid Host (case, trailing dot, port) is still routed')
})
