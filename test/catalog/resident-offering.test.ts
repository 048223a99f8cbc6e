// Issue 15 step 5: one rule decides which offering is the resident's
// (residentOffering); Zuständigkeit, search hits, the API lists and the portal
// pages all answer with it.
import t from 'tap'
import fc from 'fast-check'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../../src/app.js'
import { loadRegionData } from '../../src/config/load.js'
import { residentOffering, resolveResponsibility, responsibleChain } from '../../src/catalog/responsibility.js'
import { compactOffering, serviceView } from '../../src/catalog/views.js'
import type { Offering } from '../../src/catalog/types.js'
import { buildSearchIndex } from '../../src/search/search-index.js'
import { search } from '../../src/search/search.js'
import { offeringFor, type PageContext } from '../../src/web/context.js'
import { REPO } from '../helpers/region.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'

t.test('residentOffering: the first offering of the most local chain member that offers it', async (t) => {
  const member = fc.constantFrom('a', 'b', 'c', 'd', 'e')
  const offering = fc.record({ member, serviceId: fc.constantFrom('x', 'y') }).map((o) => ({ ...o }) as unknown as Offering)
  fc.assert(fc.property(fc.array(offering, { maxLength: 8 }), fc.uniqueArray(member, { maxLength: 5 }), (offerings, chain) => {
    const picked = residentOffering(offerings, chain)
    const offered = chain.filter((m) => offerings.some((o) => o.member === m))
    if (offered.length === 0) return picked === undefined
    return picked === offerings.find((o) => o.member === offered[0])
  }))
})

t.test('Zuständigkeit, search (full and compact), API lists and portal pages agree on the real catalog', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-resident-'))
  const data = await loadRegionData(join(REPO, 'config', 'region.json'))
  const app = await buildApp({ regionData: data, settings: { dataDir, pressure: NO_LOAD_SHEDDING } })
  t.teardown(async () => {
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  })
  const catalog = app.live.current
  const index = buildSearchIndex(catalog, { synonyms: data.synonyms })
  const codes = [...catalog.membersByPostalCode.keys()]
  const postalCode = fc.oneof(fc.constantFrom(...codes), fc.integer({ min: 10000, max: 99999 }).map(String))
  let compared = 0
  fc.assert(fc.property(postalCode, fc.constantFrom(...catalog.services), (code, service) => {
    const chain = responsibleChain(catalog, { postalCode: code })
    const expected = residentOffering(service.offerings, chain)
    const responsibility = resolveResponsibility(catalog, { postalCode: code, service: service.id }).service?.forYou
    const page = offeringFor({ chain } as unknown as PageContext, service)
    const list = serviceView(service, chain, 'full').forYou
    const listCompact = serviceView(service, chain, 'compact').forYou
    const params = { q: service.name, postalCode: code, page: 1, pageSize: 100 }
    const hit = search(index, params).hits.find((h) => h.service.id === service.id)
    const compactHit = search(index, params, undefined, 'compact').hits.find((h) => h.service.id === service.id)
    if (hit) compared++
    return responsibility === expected && page === expected && list === expected &&
      listCompact === (expected && compactOffering(expected)) &&
      (hit === undefined || (hit.service.forYou === expected && hit.forYou === expected)) &&
      (compactHit === undefined || (compactHit.service.forYou === (expected && compactOffering(expected)) && compactHit.forYou === compactHit.service.forYou))
  }), { numRuns: 150 })
  t.ok(compared > 100, `search found the service by its name in ${compared} of 150 runs`)
})
