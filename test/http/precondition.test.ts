// If-Match against the stored manifest's fingerprint (RFC 9110 13.1.1): the
// pure rules; the HTTP behaviour is in routes/admin.test.ts.
import t from 'tap'
import { evaluateIfMatch, manifestEtag } from '../../src/http/precondition.js'

const A = 'a'.repeat(40)
const B = 'b'.repeat(40)

t.test('no If-Match: an unconditional write', async (t) => {
  t.same(evaluateIfMatch(undefined, A), { ok: true, expected: undefined })
  t.same(evaluateIfMatch(undefined, ''), { ok: true, expected: undefined })
})

t.test('a list of strong tags: the write is bound to the stored one if listed', async (t) => {
  t.same(evaluateIfMatch(`"${A}"`, A), { ok: true, expected: A })
  t.same(evaluateIfMatch(` "${B}" ,"${A}"`, A), { ok: true, expected: A }, 'optional whitespace around list members')
  t.same(evaluateIfMatch(`"${B}"`, A), { ok: false })
  t.same(evaluateIfMatch(`W/"${A}"`, A), { ok: false }, 'weak tags never match')
  t.same(evaluateIfMatch(A, A), { ok: false }, 'an unquoted tag is not the ETag')
  t.same(evaluateIfMatch('', A), { ok: false }, 'an empty header names nothing')
  t.same(evaluateIfMatch('""', ''), { ok: false }, 'nothing stored: no tag can name it')
})

t.test('*: any stored manifest, none is a failure', async (t) => {
  t.same(evaluateIfMatch('*', A), { ok: true, expected: undefined })
  t.same(evaluateIfMatch(`"${B}", *`, A), { ok: true, expected: undefined })
  t.same(evaluateIfMatch('*', ''), { ok: false })
})

t.test('the ETag is the quoted fingerprint; none when nothing is stored', async (t) => {
  t.equal(manifestEtag(A), `"${A}"`)
  t.equal(manifestEtag(''), undefined)
})
