// /einblicke in Chromium: login through the form, a session cookie scoped to
// the page (HttpOnly, SameSite=Strict; Secure only over https/production),
// charts with text alternatives and tables, axe clean, no JS needed; logout
// ends the session itself, a login form on another origin is refused.
import t from 'tap'
import { join } from 'node:path'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { loadRegionData } from '../../src/config/load.js'
import { sha256Hex } from '../../src/auth/token.js'
import { REPO } from '../helpers/region.js'
import { axeViolations, launchBrowser, openPage, requireBrowser, startPortal } from '../helpers/browser.js'

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
  t.teardown(() => context.close())
  const page = await context.newPage()
  // the feedback form on a service page, posted without JS
  const serviceId = offering?.serviceId ?? app.live.current.services[0]!.id
  await page.goto(`${baseUrl}/leistungen/${serviceId}?plz=45711`)
  // the reasons are folded under one summary (issue 28); the post returns to the page with the thanks
  await page.getByText('Sagen Sie uns, was nicht stimmt').click()
  await Promise.all([page.waitForURL(/feedback=danke/), page.click('#feedback button[value="link-kaputt"]')])
  t.match(new URL(page.url()).pathname, `/leistungen/${serviceId}`)
  t.equal(await page.locator('#feedback .feedback-thanks').count(), 1, 'thanks in place')
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
  const jar = await context.cookies(`${baseUrl}/einblicke`)
  const cookies = jar.filter((c) => c.name === 'einblicke')
  t.equal(cookies.length, 1)
  t.match(cookies[0], { name: 'einblicke', path: '/einblicke', httpOnly: true, sameSite: 'Strict', secure: false })
  t.match(jar.find((c) => c.name === 'einblicke-csrf'), { path: '/einblicke', httpOnly: true, sameSite: 'Strict' }, 'the CSRF nonce, as scoped')
  t.same(await context.cookies(`${baseUrl}/`), [], 'the cookies are scoped to /einblicke')
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

  const jsPage = await openPage(t, browser)
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

  // logout in the browser ends the session itself: the saved cookie no longer opens the page
  await page.goto(`${baseUrl}/einblicke`)
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Abmelden")')])
  t.equal(await page.locator('svg[role="img"]').count(), 0, 'logged out')
  t.same((await context.cookies(`${baseUrl}/einblicke`)).filter((c) => c.name === 'einblicke'), [], 'the browser forgot the cookie')
  const replay = await openPage(t, browser)
  await replay.context().addCookies(cookies)
  await replay.goto(`${baseUrl}/einblicke`)
  t.equal(await replay.locator('svg[role="img"]').count(), 0, 'the saved cookie is refused after logout')
  t.ok(await replay.locator('#token').count(), 'the login form instead')
})

t.test('/einblicke in Chromium: a login form on another origin is refused (login CSRF)', async (t) => {
  if (!requireBrowser(t)) return
  const data = await loadRegionData(join(REPO, 'config', 'region.json'))
  const members = data.region.members.map((m) => (m.id === 'datteln' ? { ...m, tokenSha256: sha256Hex('tok-datteln') } : m))
  const { baseUrl } = await startPortal(t, {
    regionData: { ...data, region: { ...data.region, members } },
    settings: { regionConfig: join(REPO, 'config', 'region.json'), rateLimit: false },
  })
  // the attacker's page: the attacker's own valid token, posted into the victim's browser
  const evil = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
      `<!doctype html><title>x</title><form method="post" action="${baseUrl}/einblicke"><input type="hidden" name="aktion" value="anmelden"><input type="hidden" name="token" value="tok-datteln"><button id="go">go</button></form>`)
  })
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => evil.close(() => resolve())))
  const evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`
  const browser = await launchBrowser(t)
  const context = await browser.newContext({ javaScriptEnabled: false })
  t.teardown(() => context.close())
  const page = await context.newPage()
  // the victim has opened the portal before: a CSRF nonce cookie exists
  await page.goto(`${baseUrl}/einblicke`)
  await page.goto(evilUrl)
  const [response] = await Promise.all([page.waitForNavigation(), page.click('#go')])
  t.equal(response?.status(), 403, 'refused')
  t.match(await page.locator('[role="alert"]').innerText(), /nicht von dieser Seite/)
  t.same((await context.cookies(`${baseUrl}/einblicke`)).filter((c) => c.name === 'einblicke'), [], 'no session in the victim\'s browser')
})
