// /fit-connect/v1/ against FITKO's own Routing API 2.0.0 document (its
// checkable parts in test/fixtures/fit-connect/routing-api.yaml): every answer, success and
// error, validates against the schema the spec gives for its status, carries
// no field the spec does not name (drift), and routes/areas send the
// RateLimit-* headers. Real app over a fixture region with test destinations.
import t, { type Test } from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'yaml'
import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { realApp } from '../helpers/app.js'
import { REPO } from '../helpers/region.js'
import { DEST_ALPHA, DEST_BETA, DEST_KREIS, fitConnectRegion, HUND, SIG } from '../helpers/fit-connect-region.js'

type Json = Record<string, any>
const KREIS_SERVICE = '99123456760610'
const spec: Json = parse(await readFile(join(REPO, 'test/fixtures/fit-connect/routing-api.yaml'), 'utf8'))
const ajv = new Ajv({ strict: false, allErrors: true })
;(addFormatsModule as unknown as (a: Ajv) => void)(ajv)
ajv.addSchema({ ...spec, $id: 'urn:fitko:routing-api' })

function resolve(schema: Json): Json {
  let s = schema
  while (typeof s.$ref === 'string') s = s.$ref.slice(2).split('/').reduce((o: Json, k: string) => o[k], spec)
  return s
}

/** JSON pointers of every member the spec's schema does not name (where it names its properties) */
function unknownFields(value: unknown, schema: Json, at = ''): string[] {
  const s = resolve(schema)
  if (Array.isArray(value)) return s.items ? value.flatMap((v, i) => unknownFields(v, s.items, `${at}/${i}`)) : []
  if (value === null || typeof value !== 'object' || !s.properties) return []
  return Object.entries(value).flatMap(([k, v]) => (s.properties[k] ? unknownFields(v, s.properties[k], `${at}/${k}`) : [`${at}/${k}`]))
}

const fc = await fitConnectRegion()
t.teardown(fc.cleanup)
const app = await realApp(t, { regionConfig: fc.regionPath })

let validated = 0
/** One request: the status the test expects, and the answer checked against the spec's response for it. */
async function answer(t: Test, url: string, status: number, method: 'GET' | 'POST' = 'GET', into = app): Promise<Json> {
  const res = await into.inject({ method, url, headers: { host: 'routing.example' } })
  t.equal(res.statusCode, status, `${method} ${url}: ${status}`)
  const path = url.split('?', 1)[0]!.replace('/fit-connect/v1', '')
  const operation = spec.paths[path]?.get
  const response = operation?.responses?.[String(status)]
  // a status the spec does not list for the path (404, 405): still its `error`
  const [, media] = response ? Object.entries(response.content as Json)[0]! : ['', { schema: { $ref: '#/components/schemas/error' } }]
  // 429: the spec says only "object"; ours is its `error` too
  const schema = status === 429 ? { $ref: '#/components/schemas/error' } : media.schema
  const body = res.json()
  const validate = ajv.getSchema(`urn:fitko:routing-api${schema.$ref ?? ''}`) ?? ajv.compile(schema)
  t.ok(validate(body), `${url}: valid against routing-api.yaml ${schema.$ref ?? JSON.stringify(schema)}: ${ajv.errorsText(validate.errors)}`)
  // RFC 7807 (which the spec's `error` follows) allows extension members: ours are the stable `code` and the `errors` list
  const extensions = status >= 400 ? ['/code', '/errors'] : []
  t.same(unknownFields(body, schema).filter((p) => !extensions.includes(p)), [], `${url}: no field the spec does not name`)
  if (status >= 400) {
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.match(body.instance, /^http:\/\/routing\.example\/fit-connect\/v1\//, 'absolute instance on the request\'s origin')
  }
  if (response?.headers?.['RateLimit-Limit']) {
    for (const h of ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']) t.match(res.headers[h], /^[0-9]+$/, `${url}: ${h}`)
    t.notOk(res.headers['x-ratelimit-limit'], 'not the x-ratelimit-* names')
  }
  validated++
  return body
}

const members = (body: Json) => body.routes.map((r: Json) => r.destinationId)
const R = (q: string) => `/fit-connect/v1/routes?leikaKey=${HUND}&${q}`

t.test('info', async (t) => {
  t.same(await answer(t, '/fit-connect/v1/info', 200), { version: { major: 2, minor: 0, patch: 0 } })
})

t.test('routes: every area form, only members declaring a destination', async (t) => {
  const both = [DEST_ALPHA, DEST_BETA]
  const cases: [string, string[]][] = [
    ['ars=055620004004', [DEST_ALPHA]], // Gemeinde (12)
    ['ars=055620008', [DEST_BETA]], // Gemeindeverband (9): the kreisangehörige Stadt itself
    ['ars=05562', both], // Kreis (5): every member inside; gamma declares none
    ['ars=055', both], // Regierungsbezirk (3)
    ['ars=05', both], // Land (2)
    ['ags=05562004', [DEST_ALPHA]], // Gemeinde (8)
    ['ags=05562', both],
    ['ags=055', both],
    ['ags=05', both],
    ['areaId=055620008008', [DEST_BETA]],
    ['areaId=05562', both],
    ['ars=055620014014', []], // gamma: responsible, but no destination
    ['ags=06435014', []], // outside the region: empty, never a guessed key
    ['ars=09', []],
    ['areaId=99', []], // not an id /areas hands out
  ]
  for (const [q, expected] of cases) t.same(members(await answer(t, R(q), 200)), expected, q)

  const alpha = (await answer(t, R('ars=055620004004'), 200)).routes[0]
  t.same(alpha, {
    destinationId: DEST_ALPHA,
    destinationSignature: SIG,
    destinationName: 'Steueramt Alpha',
    destinationShortName: 'Steueramt Alpha',
    contactPersons: [{ name: 'Steueramt Alpha', tel: '+49 2305 1060', email: 'steueramt@alpha.example' }],
    address: { street: 'Rathausplatz', houseNumber: '1a', zip: '44575', city: 'Alpha' },
    furtherInformation: { description: { de: '<ul><li><a href="https://www.alpha.example/hundesteuer">Hundesteuer</a></li></ul>' } },
    requiredDocuments: { description: { de: '<ul><li>Personalausweis</li><li>Nachweis &lt;Haftpflicht&gt; &amp; Chip</li></ul>' } },
    legalBasis: { description: { de: '<ul><li><a href="https://www.alpha.example/satzung">§ 1 Hundesteuersatzung</a></li></ul>' } },
    deadline: { description: { de: '<p>Innerhalb von 14 Tagen nach Anschaffung.</p>' } },
    processingDuration: { minDuration: 3, maxDuration: 5, unit: 'workday' },
    origin: 'dachportal',
  }, 'FITKO field names from the manifest, texts escaped')
  const beta = (await answer(t, R('ars=055620008008'), 200)).routes[0]
  t.match(beta, { destinationId: DEST_BETA, address: { street: 'Markt', zip: '45711' } })
  t.notOk('houseNumber' in beta.address, 'no number in "Markt": street stays whole')
  const kreis = await answer(t, `/fit-connect/v1/routes?leikaKey=${KREIS_SERVICE}&ars=05562`, 200)
  t.same(members(kreis), [DEST_KREIS], 'the Kreis office\'s destination, once for all its cities')
  t.same(members(await answer(t, `/fit-connect/v1/routes?leikaKey=99999999999999&ars=05`, 200)), [], 'unknown LeiKa key')
})

t.test('routes: paging', async (t) => {
  t.same(await answer(t, R('ars=05562&limit=1'), 200).then((b) => [b.count, b.offset, b.totalCount, members(b)]), [1, 0, 2, [DEST_ALPHA]])
  t.same(await answer(t, R('ars=05562&offset=1&limit=1'), 200).then((b) => [b.count, b.offset, b.totalCount, members(b)]), [1, 1, 2, [DEST_BETA]])
  t.same(await answer(t, R('ars=05562&offset=5'), 200).then((b) => [b.count, b.totalCount]), [0, 2])
})

t.test('areas: by name or postal code, wildcards, paging', async (t) => {
  const ids = (b: Json) => b.areas.map((a: Json) => `${a.id} ${a.name} ${a.type}`)
  const A = (q: string) => `/fit-connect/v1/areas?${q}`
  t.same(ids(await answer(t, A('areaSearchexpression=Alpha'), 200)), ['055620004004 Alpha Kreisangehörige Stadt'])
  t.same(ids(await answer(t, A('areaSearchexpression=4457*'), 200)), ['055620004004 Alpha Kreisangehörige Stadt'])
  t.same(ids(await answer(t, A('areaSearchexpression=*mm*'), 200)), ['055620014014 Gamma Kreisangehörige Stadt'])
  t.same(ids(await answer(t, A('areaSearchexpression=Kreis'), 200)), ['05562 Kreis Kreis'])
  t.same(ids(await answer(t, A('areaSearchexpression=*ta'), 200)).length, 2, 'Beta, Delta')
  t.same(ids(await answer(t, A('areaSearchexpression=*ta&areaSearchexpression=4572*'), 200)), ['055620016016 Delta Kreisangehörige Stadt'], 'every term must match')
  t.same(ids(await answer(t, A('areaSearchexpression=Hanau'), 200)), [])
  const paged = await answer(t, A('areaSearchexpression=*ta&limit=1&offset=1'), 200)
  t.same([paged.count, paged.offset, paged.totalCount, ids(paged)], [1, 1, 2, ['055620016016 Delta Kreisangehörige Stadt']])
})

t.test('every error is the spec\'s error, with an absolute instance', async (t) => {
  for (const url of [
    '/fit-connect/v1/routes?ars=05562', // leikaKey missing
    '/fit-connect/v1/routes?leikaKey=12345&ars=05562',
    R(''), // no area
    R('ars=05562&ags=05562'), // two areas
    R('ars=0556'), // 4 digits
    R('ags=055620140'), // 9-digit AGS
    R('areaId=abc'),
    R('ars=05562&limit=0'),
    R('ars=05562&limit=501'),
    R('ars=05562&offset=-1'),
    '/fit-connect/v1/areas',
    '/fit-connect/v1/areas?areaSearchexpression=*',
    '/fit-connect/v1/areas?areaSearchexpression=a',
  ]) await answer(t, url, 400)
  await answer(t, '/fit-connect/v1/nothing', 404)
  const res = await app.inject({ method: 'POST', url: '/fit-connect/v1/routes', headers: { host: 'routing.example' } })
  t.equal(res.statusCode, 405)
  t.equal(res.headers.allow, 'GET, HEAD')
  await answer(t, '/fit-connect/v1/routes', 405, 'POST')
})

t.test('429: the spec\'s error and RateLimit-* headers', async (t) => {
  const budget = { max: 2 }
  const limited = await realApp(t, { regionConfig: fc.regionPath, rateLimits: { api: budget, suggest: budget, proxy: budget, admin: budget } })
  await answer(t, '/fit-connect/v1/info', 200, 'GET', limited)
  await answer(t, R('ars=05'), 200, 'GET', limited)
  const body = await answer(t, R('ars=05'), 429, 'GET', limited)
  t.equal(body.status, 429)
  const api = await limited.inject('/api/v1/region')
  t.equal(api.statusCode, 200, 'its own budget: the API is not spent')
  t.ok(api.headers['x-ratelimit-limit'], 'the API keeps its x-ratelimit-* names')
})

t.test('at least 20 answers validated against routing-api.yaml', async (t) => {
  t.ok(validated >= 20, `${validated} answers validated`)
})
