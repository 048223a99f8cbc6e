// Coverage: the member × service matrix matches the catalog's offerings, a
// member without a service another member shares gets the hint, and
// /abdeckung is readable without JS and axe clean in Chromium.
import t from 'tap'
import type * as Tap from 'tap'
import type { Catalog } from '../../src/catalog/types.js'
import { makeRegion } from '../helpers/region.js'
import { USERS, providerManifest, sharingMembers, userManifest } from '../helpers/shared-service.js'
import { axeViolations, launchBrowser, openPage, requireBrowser, startPortal } from '../helpers/browser.js'
import { REPO } from '../helpers/region.js'
import { join } from 'node:path'

async function sharedPortal(t: Tap.Test, listen = false) {
  const region = await makeRegion(sharingMembers(), {
    kreis: providerManifest() as never,
    ...Object.fromEntries(USERS.map((id) => [id, userManifest(id) as never])),
    delta: null,
  })
  t.teardown(() => region.cleanup())
  return startPortal(t, { listen, settings: { regionConfig: region.regionPath, rateLimit: false } })
}

type Row = { member: string; counts: Record<string, number>; cells: { service: string; state: string; maturity?: { level: number }; provider?: string; couldShare?: { provider: string }[] }[] }

function offeringsPerMember(catalog: Catalog, member: string): number {
  return catalog.services.filter((s) => s.key !== undefined && s.offerings.some((o) => o.member === member)).length
}

t.test('the matrix counts equal the catalog offerings per member (real region)', async (t) => {
  const { app } = await startPortal(t, { listen: false, settings: { regionConfig: join(REPO, 'config', 'region.json'), rateLimit: false } })
  const res = await app.inject('/api/v1/coverage')
  t.equal(res.statusCode, 200)
  const body = res.json() as { services: unknown[]; members: Row[] }
  const catalog = app.live.current
  t.equal(body.services.length, catalog.services.filter((s) => s.key !== undefined).length)
  t.ok(body.members.length > 5)
  for (const row of body.members) {
    t.equal(row.counts.online! + row.counts['in-person']!, offeringsPerMember(catalog, row.member), `${row.member}: own offerings`)
    t.equal(row.cells.length, body.services.length)
  }
})

t.test('online with maturity, shared provider, and the sharing hint', async (t) => {
  const { app } = await sharedPortal(t)
  const body = (await app.inject('/api/v1/coverage')).json() as { members: Row[] }
  const cell = (member: string) => body.members.find((m) => m.member === member)!.cells.find((c) => c.service === 'gewerbe-anmelden')!
  t.match(cell('alpha'), { state: 'online', maturity: { level: 3 }, provider: 'kreis' })
  t.match(cell('delta'), { state: 'missing', couldShare: [{ provider: 'kreis' }] })
  t.notOk(cell('alpha').couldShare, 'no hint where it is online')
  const page = await app.inject({ url: '/abdeckung', headers: { accept: 'text/html' } })
  t.equal(page.statusCode, 200)
  t.match(page.body, 'fehlt; könnte den Online-Dienst von Kreis mitnutzen')
})

t.test('/abdeckung in Chromium: readable without JS, axe clean', async (t) => {
  if (!requireBrowser(t)) return
  const portal = await sharedPortal(t, true)
  const browser = await launchBrowser(t)
  const page = await openPage(t, browser, { javaScriptEnabled: false })
  await page.goto(`${portal.baseUrl}/abdeckung`)
  t.equal(await page.locator('h1').innerText(), 'Abdeckung der Leistungen in der Region')
  const svg = page.locator('svg[role="img"]').first()
  t.ok(await page.locator('svg[role="img"][aria-labelledby] title').count() > 0, 'the heat map has a text alternative')
  t.ok(await svg.isVisible())
  const row = page.locator('table').nth(1).locator('tr', { hasText: 'Gewerbe anmelden' })
  t.match(await row.innerText(), /könnte den Online-Dienst von Kreis mitnutzen/)
  const withJs = await openPage(t, browser)
  await withJs.goto(`${portal.baseUrl}/abdeckung`)
  t.same(await axeViolations(withJs), [])
})
