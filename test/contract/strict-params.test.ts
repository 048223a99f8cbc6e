// Strict parameters on the API: an undeclared query parameter is a 400 that
// names it (a misspelt ?postalcode= must not quietly give the unpersonalised
// list), "exactly one of" rules are schema rules, and member / life-situation
// filters carry their value sets in the document. Portal pages keep ignoring
// unknown parameters (links with tracking parameters).
import t from 'tap'
import { realApp } from '../helpers/app.js'

const app = await realApp(t)

t.test('an undeclared query parameter on an API route is a 400 naming it', async (t) => {
  for (const url of [
    '/api/v1/services?postalcode=45711',
    '/api/v1/search?q=hund&postalcode=45711',
    '/api/v1/region?x=1',
    '/api/v1/life-situations/familie-kind?pagesize=5',
    '/api/v1/responsibility?postalCode=45964&servce=hund-anmelden',
  ]) {
    const res = await app.inject(url)
    const name = [...new URL(url, 'http://x').searchParams.keys()].at(-1)!
    t.equal(res.statusCode, 400, url)
    t.match(res.headers['content-type'], /^application\/problem\+json/, url)
    t.match(res.json().errors, [{ path: `/${name}`, in: 'querystring' }], `${url}: names ${name}`)
    t.match(res.json().detail, name, `${url}: the detail names it too`)
  }
})

t.test('declared parameters still work, portal pages ignore unknown ones', async (t) => {
  t.equal((await app.inject('/api/v1/services?postalCode=45964&pageSize=1')).statusCode, 200)
  t.equal((await app.inject('/api/v1/search?q=hund&pageSize=1')).statusCode, 200)
  t.equal((await app.inject('/suche?q=hund&utm_source=newsletter')).statusCode, 200, 'a portal page with a tracking parameter')
  t.equal((await app.inject('/?utm_source=newsletter')).statusCode, 200)
  t.equal((await app.inject('/go/nrw/bafoeg?utm_source=stadtseite')).statusCode, 302, 'a /go link with a tracking parameter')
})

t.test('exactly one of postalCode / ars (and of ars / ags / postalCode for routing) is a schema rule', async (t) => {
  for (const url of ['/api/v1/responsibility', '/api/v1/responsibility?postalCode=45964&ars=055620014014',
    '/api/v1/routes?leikaKey=99102013104000', '/api/v1/routes?leikaKey=99102013104000&ars=055620014014&ags=05562014']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 400, url)
    t.equal(res.json().code, 'DP_ERR_BAD_REQUEST', `${url}: rejected by the schema`)
  }
  t.equal((await app.inject('/api/v1/responsibility?ars=055620014014')).statusCode, 200)
  t.equal((await app.inject('/api/v1/routes?leikaKey=99102013104000&ags=05562014')).statusCode, 200)
})

t.test('member and life-situation filters are enums in the document, and every listed value is accepted', async (t) => {
  const doc = (await app.inject('/docs/json')).json()
  const param = (path: string, name: string) => doc.paths[path].get.parameters.find((p: { name: string }) => p.name === name)
  const members = (await app.inject('/api/v1/members?pageSize=100')).json().items.map((m: { id: string }) => m.id)
  const situations = (await app.inject('/api/v1/life-situations')).json().items.map((l: { id: string }) => l.id)
  for (const [path, name] of <[string, string][]>[['/api/v1/services', 'member'], ['/api/v1/search', 'member'], ['/api/v1/search', 'residentMember'], ['/api/v1/online-services', 'provider'], ['/api/v1/online-services', 'serves']]) {
    t.same([...param(path, name).schema.enum].sort(), [...members].sort(), `${path} ${name}: the members of the region`)
  }
  for (const path of ['/api/v1/services', '/api/v1/search']) t.same([...param(path, 'lifeSituation').schema.enum].sort(), [...situations].sort(), `${path} lifeSituation: the taxonomy`)
  // a stale enum must never reject a valid value: every enumerated value is accepted at run time
  for (const member of members) t.equal((await app.inject(`/api/v1/services?member=${member}&pageSize=1`)).statusCode, 200, member)
  for (const situation of situations) t.equal((await app.inject(`/api/v1/services?lifeSituation=${situation}&pageSize=1`)).statusCode, 200, situation)
  t.equal((await app.inject('/api/v1/services?member=gladbek')).statusCode, 400, 'a value outside the enum is rejected')
})
