// /einblicke in Chromium: login through the form, a session cookie scoped to
// the page (HttpOnly, SameSite=Strict; Secure only over https/production),
// charts with text alternatives and tables, axe clean, no JS needed.
import t from 'tap'
import { join } from 'node:path'
import { loadRegionData } from '../../src/config/load.js'
import { sha256Hex } from '../../src/auth/token.js'
import { REPO } from '../helpers/region.js'
import { axeViolations, launchBrowser, requireBrowser, startPortal } from '../helpers/browser.js'

t.test('/einblicke: login, charts with text alternatives, axe clean', async (t) => {
  if (!requireBrowser(t)) return
  const data = await loadRegionData(join(REPO, 'config', 'region.json'))
  const members = data.region.members.map((m) => (m.id === 'datteln' ? { ...m, tokenSha256: sha256Hex('tok-datteln') } : m))
  const portal = await startPortal(t, {
    regionData: { ...data, region: { ...data.region, members } },
    settings: { regionConfig: join(REPO, 'config', 'region.json'), rateLimit: false },
  })
  const { app, baseUrl } = portal
  await portal.indexed()
  // five distinct client networks: k-anonymity counts people (issue 25)
  for (let i = 0; i < 5; i++) await app.inject({ url: `/api/v1/search?q=${encodeURIComponent('xyzzy plugh')}&member=datteln`, remoteAddress: `192.0.2.${i + 1}` })
  await app.inject(`/api/v1/search?q=hund&member=datteln`)
  const offering = app.live.current.services.flatMap((s) => s.offerings).find((o) => o.member === 'datteln' && o.goUrl !== undefined)
  if (offering?.goUrl) await app.inject(offering.goUrl)
  const browser = await launchBrowser(t)
  const context = await browser.newContext({ javaScriptEnabled: false })
  const page = await context.newPage()
  // the feedback form on a service page, posted without JS
  const serviceId = offering?.serviceId ?? app.live.current.services[0]!.id
  await page.goto(`${baseUrl}/leistungen/${serviceId}?plz=45711`)
  const posted = await Promise.all([page.waitForNavigation(), page.click('#feedback button[value="link-kaputt"]')])
  t.equal(posted[0]?.status(), 200)
  t.match(new URL(page.url()).pathname, `/leistungen/${serviceId}`)
  await app.insights.flush()
  t.same((await app.store.readCounts([new Date().toISOString().slice(0, 10)]))[0]?.counts[`fb|datteln|${serviceId}|link-kaputt`], 1, 'the form post without JS lands')
  await page.goto(`${baseUrl}/einblicke`)
  t.equal(await page.locator('h1').innerText(), 'Einblicke in die Pilotphase')
  t.equal(await page.locator('svg[role="img"]').count(), 0, 'nothing before login')

  await page.fill('#token', 'falsch')
  const wrong = await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')])
  t.equal(wrong[0]?.status(), 401)
  t.match(await page.locator('[role="alert"]').innerText(), /nicht gültig/)

  await page.fill('#token', 'tok-datteln')
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')])
  t.match(await page.locator('.lead').innerText(), /Datteln/)
  const cookies = await context.cookies(`${baseUrl}/einblicke`)
  t.equal(cookies.length, 1)
  t.match(cookies[0], { name: 'einblicke', path: '/einblicke', httpOnly: true, sameSite: 'Strict', secure: false })
  t.same(await context.cookies(`${baseUrl}/`), [], 'the cookie is scoped to /einblicke')
  t.notMatch(cookies[0]!.value, /tok-datteln/, 'the token is not in the cookie')

  const charts = page.locator('svg[role="img"]')
  t.ok(await charts.count() >= 3, 'searches per day, zero-result queries, services, feedback')
  for (let i = 0; i < await charts.count(); i++) {
    const labelled = await charts.nth(i).getAttribute('aria-labelledby')
    const [titleId, descId] = (labelled ?? '').split(' ')
    t.ok(await page.locator(`[id="${titleId}"]`).textContent(), 'chart title')
    t.ok(await page.locator(`[id="${descId}"]`).textContent(), 'chart description')
  }
  t.match(await page.locator('#ohne-treffer').locator('..').innerText(), /xyzzy plugh/)
  t.match(await page.locator('#rueckmeldungen').locator('..').innerText(), /Link funktioniert nicht/)

  const jsPage = await (await browser.newContext()).newPage()
  await jsPage.context().addCookies(cookies)
  await jsPage.goto(`${baseUrl}/einblicke`)
  t.ok(await jsPage.locator('svg[role="img"]').count() >= 3)
  t.same(await axeViolations(jsPage), [])
  await jsPage.goto(`${baseUrl}/einblicke?from=2020-01-01`)
  t.equal(await jsPage.locator('svg[role="img"]').count() >= 1, true)
  // a day that is not on the calendar is ignored like any malformed one (was a 500)
  const badDay = await jsPage.goto(`${baseUrl}/einblicke?to=2026-13-01&from=2026-11-31`)
  t.equal(badDay?.status(), 200)
  t.ok(await jsPage.locator('svg[role="img"]').count() >= 1)
})
