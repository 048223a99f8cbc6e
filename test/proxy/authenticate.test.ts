// WWW-Authenticate scoping: Basic/Digest realms are member-prefixed so one
// member can never collect credentials a browser cached for another.
import t from 'tap'
import fc from 'fast-check'
import { forwardableAuthorization, parseChallenges, scopeChallenges } from '../../src/proxy/authenticate.js'

t.test('parses the RFC 9110 examples', async (t) => {
  t.same(parseChallenges('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"'), [
    { scheme: 'Newauth', params: [{ name: 'realm', raw: '"apps"' }, { name: 'type', raw: '1' }, { name: 'title', raw: '"Login to \\"apps\\""' }] },
    { scheme: 'Basic', params: [{ name: 'realm', raw: '"simple"' }] },
  ])
  t.same(parseChallenges('Negotiate abc=='), [{ scheme: 'Negotiate', token68: 'abc==', params: [] }])
  t.same(parseChallenges('Negotiate'), [{ scheme: 'Negotiate', params: [] }])
  t.same(parseChallenges('Negotiate, Basic realm=x'), [{ scheme: 'Negotiate', params: [] }, { scheme: 'Basic', params: [{ name: 'realm', raw: 'x' }] }])
  for (const bad of ['Basic realm="open', '"Basic"', 'Basic realm==x', 'Basic realm="a" junk', 'Basic\u0000realm=a']) {
    t.equal(parseChallenges(bad), null, bad)
  }
})

t.test('Basic realms carry the member id; Digest only in its own realm; connection auth dropped; others unchanged', async (t) => {
  t.same(scopeChallenges('Basic realm="Bürgerkonto"', 'marl'), ['Basic realm="marl: Bürgerkonto"'])
  t.same(scopeChallenges('basic', 'marl'), ['basic realm="marl: "'], 'a missing realm is added, not left shared')
  t.same(scopeChallenges('Basic realm="gladbeck: Bürgerkonto"', 'marl'), ['Basic realm="marl: gladbeck: Bürgerkonto"'], 'another member’s realm cannot be claimed')
  t.same(scopeChallenges('Basic realm="a", realm="b", charset="UTF-8"', 'marl'), ['Basic realm="marl: ", charset="UTF-8"'], 'two realms: neither survives')
  t.same(scopeChallenges('Basic realm="a\\"b"', 'marl'), ['Basic realm="marl: a\\"b"'])
  t.same(scopeChallenges('Basic abc==', 'marl'), undefined, 'a Basic challenge without parameters to scope is dropped')
  // Digest hashes the realm: rewriting it would break every login, so only a member-scoped realm passes
  t.same(scopeChallenges('Digest realm="marl: Bürgerkonto", nonce="abc", algorithm=MD5, qop="auth"', 'marl'),
    ['Digest realm="marl: Bürgerkonto", nonce="abc", algorithm=MD5, qop="auth"'], 'Digest in the member’s own realm passes byte for byte')
  t.same(scopeChallenges('Digest realm="Bürgerkonto", nonce="abc"', 'marl'), undefined, 'Digest in an unscoped realm is dropped')
  t.same(scopeChallenges('Digest realm="gladbeck: x", nonce="abc"', 'marl'), undefined, 'and in another member’s realm too')
  t.same(scopeChallenges('Digest nonce="abc"', 'marl'), undefined)
  for (const scheme of ['NTLM', 'Negotiate', 'negotiate abc==', 'Kerberos']) {
    t.same(scopeChallenges(scheme, 'marl'), undefined, `${scheme}: dropped`)
  }
  t.same(scopeChallenges(['Bearer realm="api", error="invalid_token"', 'NTLM', 'Basic realm=y'], 'marl'),
    ['Bearer realm="api", error="invalid_token"', 'Basic realm="marl: y"'])
  t.same(scopeChallenges('Basic realm="unterminated', 'marl'), undefined, 'unparseable: no challenge at all')
})

t.test('connection-bound Authorization never goes upstream', async (t) => {
  for (const value of ['NTLM TlRMTVNTUAABAAAA', 'Negotiate YIIabc', ' negotiate x', 'Kerberos x']) t.notOk(forwardableAuthorization(value), value)
  for (const value of ['Bearer abc', 'Basic eA==', 'Digest username="x"']) t.ok(forwardableAuthorization(value), value)
})

t.test('property: every password challenge that leaves the gateway is in the member’s realm, none is connection-bound', async () => {
  const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,8}$/)
  const value = fc.oneof(token, fc.string({ maxLength: 12 }).map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`))
  const challenge = fc.record({
    scheme: fc.constantFrom('Basic', 'digest', 'Bearer', 'Newauth', 'NTLM', 'Negotiate'),
    params: fc.array(fc.tuple(fc.constantFrom('realm', 'Realm', 'nonce', 'charset', 'x'), fc.oneof(value, fc.constant('"marl: x"'))), { maxLength: 3 }),
  }).map(({ scheme, params }) => (params.length ? `${scheme} ${params.map(([n, v]) => `${n}=${v}`).join(', ')}` : scheme))
  fc.assert(fc.property(fc.array(challenge, { minLength: 1, maxLength: 3 }), fc.string({ maxLength: 6 }), (challenges, junk) => {
    const out = scopeChallenges([challenges.join(', '), junk], 'marl') ?? []
    for (const field of out) {
      const parsed = parseChallenges(field)
      if (parsed === null) return false // what leaves the gateway must parse again
      for (const c of parsed) {
        if (/^(ntlm|negotiate|kerberos)$/i.test(c.scheme)) return false
        if (!/^(basic|digest)$/i.test(c.scheme)) continue
        const realms = c.params.filter((p) => p.name.toLowerCase() === 'realm')
        if (realms.length !== 1 || !realms[0]!.raw.startsWith('"marl: ')) return false
      }
    }
    return true
  }))
})
