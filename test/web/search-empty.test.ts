// Issue 28: a search with no results offers a human way on (the resident's
// city by phone, the region's contact), only with numbers the data sources.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { startPortal } from '../helpers/browser.js'
import { fixtureOperator, regionWithOperator } from '../helpers/operator.js'
import type { Manifest } from '../../src/manifest/schema.js'

const NOTHING = 'xyzzyqwrt'
const get = (app: FastifyInstance, url: string) => app.inject({ method: 'GET', url })
/** the empty-result block of a search page */
const emptyBlock = (html: string) => html.match(/<div class="empty">[\s\S]*?<\/div>/)?.[0] ?? ''
const tel = (phone: string) => `tel:${phone.replace(/[^0-9+]/g, '')}`

t.test('zero results name the resident\'s city with its sourced phone, and no 115', async (t) => {
  const { app } = await startPortal(t, { listen: false })
  const gladbeck = app.live.current.memberById.get('gladbeck')
  const phone = gladbeck?.contact?.phone
  t.ok(phone !== undefined && gladbeck?.contact?.source !== undefined, 'Gladbeck\'s data has a sourced phone')
  const res = await get(app, `/suche?q=${NOTHING}&plz=45964`)
  t.equal(res.statusCode, 200)
  const block = emptyBlock(res.body)
  t.match(block, /keine Leistung gefunden/)
  t.match(block, /Stadt Gladbeck/)
  t.ok(block.includes(`href="${tel(phone as string)}"`), `a tel: link to ${phone}`)
  t.ok(block.includes(gladbeck?.contact?.office as string), 'the office the number belongs to')
  // No source says Gladbeck takes part in the Behördennummer 115.
  t.notMatch(res.body, /\b115\b/)
  // The bundled config has no operator block: no region contact is invented.
  t.notMatch(block, /mailto:|Serviceportal Emscher-Lippe<\/strong>/)
})

t.test('zero results without a postal code ask for it instead of guessing a city', async (t) => {
  const { app } = await startPortal(t, { listen: false })
  const block = emptyBlock((await get(app, `/suche?q=${NOTHING}`)).body)
  t.notMatch(block, /href="tel:/)
  t.match(block, /<a href="\/\?q=xyzzyqwrt#plz">/, 'a link to give the postal code')
})

t.test('a city without a sourced phone is offered by its website, never an unsourced number', async (t) => {
  const { app } = await startPortal(t, {
    listen: false,
    // Gladbeck's own manifest with the sources of its offices removed
    before: async (app) => {
      const manifest = JSON.parse(await readFile(resolve('members/gladbeck.json'), 'utf8')) as Manifest
      const unsourced = { ...manifest, offices: manifest.offices.map(({ source: _source, ...office }) => office) }
      const member = app.live.members.get('gladbeck')
      if (!member) throw new Error('gladbeck missing')
      const checked = app.live.validate(unsourced, member)
      if (!checked.ok) throw new Error(`fixture invalid: ${JSON.stringify(checked)}`)
      await app.store.putManifest('gladbeck', checked.value as Manifest, { source: 'api', acceptedAt: new Date().toISOString() })
    },
  })
  const gladbeck = app.live.current.memberById.get('gladbeck')
  t.ok(gladbeck?.contact?.phone !== undefined && gladbeck.contact.source === undefined, 'a phone without a source')
  const block = emptyBlock((await get(app, `/suche?q=${NOTHING}&plz=45964`)).body)
  t.notMatch(block, /href="tel:/, 'no unsourced number')
  t.ok(gladbeck?.websiteUrl !== undefined && block.includes(`href="${gladbeck.websiteUrl}"`), 'the city\'s website instead')
})

t.test('zero results name the region\'s contact from the operator block', async (t) => {
  const { app } = await startPortal(t, { listen: false, regionData: await regionWithOperator() })
  const operator = fixtureOperator()
  for (const url of [`/suche?q=${NOTHING}`, `/suche?q=${NOTHING}&plz=45711`]) {
    const block = emptyBlock((await get(app, url)).body)
    t.ok(block.includes(`href="${tel(operator.phone as string)}"`), `${url}: the operator's phone`)
    t.ok(block.includes(`href="mailto:${operator.email as string}"`), `${url}: the operator's e-mail`)
  }
  t.notMatch((await get(app, `/suche?q=${NOTHING}&plz=45711`)).body, /\b115\b/)
})

t.test('results found: no contact block', async (t) => {
  const { app } = await startPortal(t, { listen: false, regionData: await regionWithOperator() })
  t.notMatch((await get(app, '/suche?q=hund&plz=45964')).body, /<div class="empty">/)
})
