// Issue 19 item 4 / issue 18 item 3: one list shape (envelope, paging rule,
// `name`, `forYou` on the service), the compact view, and answers that carry
// every field of the catalog (fast-json-stringify drops what a schema lacks).
import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { responsibleChain } from '../../src/catalog/responsibility.js'
import { serviceView } from '../../src/catalog/views.js'
import { REPO } from '../helpers/region.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'

const HOME = '45964' // Gladbeck
const json = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown

// One app for the whole file (the machine is shared); shedding off: these assert shapes, not load.
let app: FastifyInstance
t.before(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-shape-'))
  app = await buildApp({
    settings: {
      regionConfig: join(REPO, 'config', 'region.json'),
      dataDir,
      rateLimit: false,
      pressure: NO_LOAD_SHEDDING,
    },
  })
  t.teardown(async () => {
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  })
})

const get = async (url: string) => {
  const res = await app.inject(url)
  return { status: res.statusCode, body: res.statusCode === 200 ? res.json() : undefined, bytes: res.rawPayload.length, headers: res.headers }
}

t.test('a page of 20 services for a resident, view=compact, is under 15 KB', async (t) => {
  const compact = await get(`/api/v1/services?postalCode=${HOME}&view=compact`)
  t.equal(compact.status, 200)
  t.equal(compact.body.items.length, 20, 'a full page')
  t.ok(compact.bytes < 15 * 1024, `compact page: ${compact.bytes} bytes`)
  const full = await get(`/api/v1/services?postalCode=${HOME}`)
  t.ok(full.bytes > compact.bytes * 3, `full page ${full.bytes} bytes is the default and much larger`)
  const keys = ['forYou', 'id', 'key', 'leikaKey', 'levels', 'lifeSituations', 'name', 'offeringCount', 'summary']
  for (const item of compact.body.items) {
    t.ok(Object.keys(item).every((k) => keys.includes(k)), `${item.id}: only compact fields`)
  }
  const hund = compact.body.items.find((s: { id: string }) => s.id === 'hund-anmelden') ?? (await get(`/api/v1/services?postalCode=${HOME}&view=compact&pageSize=100`)).body.items.find((s: { id: string }) => s.id === 'hund-anmelden')
  const short = ['member', 'memberName', 'level', 'serviceId', 'name', 'onlineUrl', 'goUrl', 'trustLevel']
  t.ok(Object.keys(hund.forYou).every((k) => short.includes(k)), `forYou in short: ${Object.keys(hund.forYou).join(', ')}`)
  t.equal(hund.forYou.member, 'gladbeck')
})

t.test('view=full answers every field of every service and offering (walks the whole catalog)', async (t) => {
  const catalog = app.live.current
  const received: unknown[] = []
  for (let page = 1; received.length < catalog.services.length; page++) {
    const { body } = await get(`/api/v1/services?pageSize=100&page=${page}`)
    if (body.items.length === 0) break
    received.push(...body.items)
  }
  t.same(received, json(catalog.services), 'the list: JSON of the catalog equals what the client receives')
  t.ok(catalog.services.some((s) => s.offerings.some((o) => o.synonyms.length > 0)), 'the catalog has offering fields a schema could drop')

  const chain = responsibleChain(catalog, { postalCode: HOME })
  const personal: unknown[] = []
  for (let page = 1; ; page++) {
    const { body } = await get(`/api/v1/services?postalCode=${HOME}&pageSize=100&page=${page}`)
    if (body.items.length === 0) break
    personal.push(...body.items)
  }
  const expected = catalog.services.filter((s) => s.offerings.some((o) => chain.includes(o.member))).map((s) => serviceView(s, chain, 'full'))
  t.same(personal, json(expected), 'with postalCode: the handler result (forYou included) survives serialisation')
  for (const s of catalog.services.slice(0, 10)) {
    t.same((await get(`/api/v1/services/${encodeURIComponent(s.id)}?postalCode=${HOME}`)).body, json(serviceView(s, chain, 'full')), `${s.id}: detail`)
  }
})

t.test('every paged list: the same envelope, paging limits and default', async (t) => {
  const lists = ['/api/v1/services', '/api/v1/members', '/api/v1/life-situations', '/api/v1/life-situations/familie-kind', '/api/v1/online-services', '/api/v1/search?q=hund']
  const pageOf = (body: any) => (body.services ?? body) as { items?: unknown[]; hits?: unknown[]; total: number; page: number; pageSize: number }
  for (const url of lists) {
    const sep = url.includes('?') ? '&' : '?'
    const first = await get(url)
    t.equal(first.status, 200, url)
    const page = pageOf(first.body)
    t.ok(Array.isArray(page.items ?? page.hits), `${url}: items (search: hits)`)
    t.equal(page.page, 1, `${url}: page 1 by default`)
    t.equal(page.pageSize, 20, `${url}: 20 per page by default`)
    t.type(page.total, 'number', `${url}: total`)
    t.equal((await get(`${url}${sep}page=1000`)).status, 200, `${url}: page 1000 is allowed`)
    t.equal((await get(`${url}${sep}page=1001`)).status, 400, `${url}: page 1001 is not`)
    t.equal((await get(`${url}${sep}pageSize=100`)).status, 200, `${url}: pageSize 100 is allowed`)
    t.equal((await get(`${url}${sep}pageSize=101`)).status, 400, `${url}: pageSize 101 is not`)
  }
})

t.test('life situations have a name (label kept, deprecated)', async (t) => {
  const list = (await get('/api/v1/life-situations?pageSize=100')).body
  t.ok(list.items.length > 0)
  t.ok(list.items.every((l: { name: string; label: string }) => l.name.length > 0 && l.name === l.label), 'name everywhere, label the same')
  const one = (await get('/api/v1/life-situations/familie-kind')).body
  t.equal(one.name, 'Familie und Kind')
  const doc = (await get('/docs/json')).body
  t.equal(doc.components.schemas.LifeSituation.properties.label.deprecated, true, 'label is marked deprecated')
})

t.test('forYou sits on the service: lists, detail, search hits (hit.forYou a deprecated alias), responsibility', async (t) => {
  const list = (await get(`/api/v1/services?postalCode=${HOME}&pageSize=100`)).body
  const hund = list.items.find((s: { id: string }) => s.id === 'hund-anmelden')
  t.equal(hund.forYou.member, 'gladbeck')
  t.equal((await get(`/api/v1/services/hund-anmelden?postalCode=${HOME}`)).body.forYou.member, 'gladbeck')
  for (const view of ['full', 'compact']) {
    const found = (await get(`/api/v1/search?q=hund%20anmelden&postalCode=${HOME}&view=${view}`)).body
    const hit = found.hits.find((h: { service: { id: string } }) => h.service.id === 'hund-anmelden')
    t.equal(hit.service.forYou.member, 'gladbeck', `${view}: on the service`)
    t.same(hit.forYou, hit.service.forYou, `${view}: the hit's own forYou is the same offering`)
    if (view === 'compact') t.notOk('offerings' in hit.service, 'compact hits carry no offering list')
  }
  const responsible = (await get(`/api/v1/responsibility?postalCode=${HOME}&service=hund-anmelden`)).body
  t.equal(responsible.service.forYou.member, 'gladbeck')
  const doc = (await get('/docs/json')).body
  // answers are named component schemas: follow the $ref
  const named = (schema: { $ref?: string }) => (schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()!] : schema)
  const hitSchema = named(doc.paths['/api/v1/search'].get.responses['200'].content['application/json'].schema).properties.hits.items
  t.equal(hitSchema.properties.forYou.deprecated, true, 'the hit\'s forYou is documented as deprecated')
  const alternatives = named(doc.paths['/api/v1/responsibility'].get.responses['200'].content['application/json'].schema).properties.service.properties.alternatives
  t.match(alternatives.description, /not responsible for you/, 'alternatives say what they are')
})

t.test('OpenAPI: Retry-After is whole seconds as header text, 304 has no body', async (t) => {
  const doc = (await get('/docs/json')).body
  const services = doc.paths['/api/v1/services'].get
  t.same(services.responses['429'].headers['Retry-After'].schema, { type: 'string', pattern: '^[0-9]+$', examples: ['30'] })
  t.notOk(services.responses['304'].content, '304 without a body')
  t.same(services.parameters.find((p: { name: string }) => p.name === 'view')?.schema.enum, ['full', 'compact'])
})

t.test('a cached list follows the catalog: a new version answers the new offering', async (t) => {
  const url = `/api/v1/services?postalCode=${HOME}&view=compact&pageSize=100`
  const find = (body: { items: { id: string; name: string }[] }) => body.items.find((s) => s.id === 'gladbeck:zebrafinken')
  const before = (await get(url)).body
  t.notOk(find(before), 'not there yet')
  t.same((await get(url)).body, before, 'the same answer again (from the cache)')
  const state = await app.store.getMember('gladbeck')
  const manifest = structuredClone(state!.manifest!)
  const lifeSituation = manifest.services[0]!.lifeSituations[0]!
  manifest.services.push({ id: 'zebrafinken', name: 'Zebrafinken anmelden', summary: 'Testleistung.', audiences: ['residents'], lifeSituations: [lifeSituation] })
  await app.store.putManifest('gladbeck', manifest, { ...state!.meta, source: 'api' })
  await app.live.refresh()
  const after = (await get(url)).body
  t.equal(find(after)?.name, 'Zebrafinken anmelden', 'the new version is answered, not the cached one')
  t.equal(after.total, before.total + 1)
})
