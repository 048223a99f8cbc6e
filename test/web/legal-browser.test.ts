// Issue 17 in real headless Chromium: the legal pages are reachable from
// every page's footer by keyboard, axe-clean (WCAG 2.1 AA), German, and
// "Barriere melden" works with JavaScript off.
import t from 'tap'
import type { Page } from 'playwright-core'
import { launchBrowser, openPage, requireBrowser, startPortal } from '../helpers/browser.js'
import { regionWithOperator } from '../helpers/operator.js'

// real Chromium pages, one after another: 90 s on a loaded CI machine, close to tap's 120 s per file
t.setTimeout(300_000)

// Chromium pages under a loaded 2-core CI machine: more than the default 120 s per file.
t.setTimeout(300_000)

const LEGAL = ['/impressum', '/datenschutz', '/barrierefreiheit', '/leichte-sprache', '/gebaerdensprache']
const SOURCES = ['/', '/suche?q=hund+anmelden', '/lebenslagen/tiere', '/leistungen/hund-anmelden', '/mitglieder', '/gibt-es-nicht', ...LEGAL]

/**
 * Shift+Tab from the top wraps to the end of the page, so the footer is a
 * few presses away: the footer links that took keyboard focus, in order,
 * and focus left on `stopAt`.
 */
async function footerLinksByKeyboard(page: Page, stopAt: string, max = 40): Promise<string[]> {
  const seen: string[] = []
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Shift+Tab')
    const focused = await page.evaluate(() => (document.activeElement?.closest('footer') ? document.activeElement.getAttribute('href') : null))
    if (focused === null) continue
    seen.push(focused)
    if (focused === stopAt) return seen
  }
  return seen
}

// One browser and two portals for the file: start-up is the slow part on a loaded CI machine.
const ready = requireBrowser(t)
const bundled = ready ? await startPortal(t) : undefined
const full = ready ? await startPortal(t, { regionData: await regionWithOperator() }) : undefined
const browser = ready ? await launchBrowser(t) : undefined

t.test('every page reaches each legal page from its footer by keyboard', { skip: !browser }, async (t) => {
  if (!bundled || !browser) return
  const { baseUrl } = bundled
  const page = await openPage(t, browser, { viewport: { width: 1280, height: 900 } })
  for (const [i, source] of SOURCES.entries()) {
    // every legal page in turn is opened with Enter, from several pages each
    const target = LEGAL[i % LEGAL.length] as string
    await page.goto(baseUrl + source)
    // Shift+Tab walks backwards: the first legal link is the last one reached
    const focused = await footerLinksByKeyboard(page, LEGAL[0] as string)
    for (const link of LEGAL) t.ok(focused.includes(link), `${source}: footer link ${link} takes keyboard focus`)
    await page.goto(baseUrl + source)
    const path = await footerLinksByKeyboard(page, target)
    t.equal(path[path.length - 1], target, `${source}: focus on ${target}`)
    await Promise.all([page.waitForURL(baseUrl + target), page.keyboard.press('Enter')])
    t.equal(await page.locator('footer a[aria-current="page"]').getAttribute('href'), target, `${source} -> ${target} by Enter`)
    t.equal(await page.evaluate(() => document.documentElement.lang), 'de', `${target} lang`)
  }
})

t.test('lang: every legal page is German; Leichte Sprache is marked as such', { skip: !browser }, async (t) => {
  if (!bundled || !browser) return
  const { baseUrl } = bundled
  const page = await browser.newPage()
  t.teardown(() => page.close())
  for (const path of LEGAL) {
    await page.goto(baseUrl + path)
    t.equal(await page.evaluate(() => document.documentElement.lang), 'de', path)
  }
  await page.goto(`${baseUrl}/leichte-sprache`)
  t.equal(await page.locator('.easy-language').getAttribute('lang'), 'de')
  t.match(await page.locator('.easy-note').innerText(), /Dieser Text ist in Leichter Sprache\./)
  t.equal(await page.locator('h1').innerText(), 'Das Portal in Leichter Sprache')
})

t.test('JavaScript off: Barriere melden stores a report and rejects oversize input', { skip: !browser }, async (t) => {
  if (!full || !browser) return
  const { app, baseUrl } = full
  const page = await openPage(t, browser, { javaScriptEnabled: false })
  for (const path of LEGAL) {
    const res = await page.goto(baseUrl + path)
    t.equal(res?.status(), 200, `${path} without JavaScript`)
  }
  await page.goto(`${baseUrl}/barrierefreiheit`)
  await page.locator('#meldung').focus()
  await page.keyboard.type('Die Schrift im Suchfeld ist zu klein.')
  await page.locator('#fundstelle').fill('/suche')
  await page.locator('#meldung').focus()
  for (let i = 0; i < 6 && (await page.evaluate(() => document.activeElement?.textContent)) !== 'Meldung senden'; i++) await page.keyboard.press('Tab')
  t.equal(await page.evaluate(() => document.activeElement?.textContent), 'Meldung senden', 'the submit button by keyboard')
  await Promise.all([page.waitForURL(/gemeldet=1/), page.keyboard.press('Enter')])
  t.match(await page.locator('.confirmation').innerText(), /Vielen Dank, Ihre Meldung ist angekommen/)
  t.same((await app.store.listReports()).map((r) => [r.message, r.page]), [['Die Schrift im Suchfeld ist zu klein.', '/suche']])

  await page.locator('#meldung').fill('z'.repeat(3500))
  await Promise.all([page.waitForLoadState('load'), page.locator('form.report-form button[type=submit]').click()])
  t.match(await page.locator('#meldung-error').innerText(), /höchstens 3\.000 Zeichen, Sie haben 3\.500 Zeichen eingegeben/)
  t.equal(await page.locator('#meldung').inputValue(), 'z'.repeat(3500), 'the text stays to be shortened')

  await page.locator('#meldung').fill('z'.repeat(70_000))
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.locator('form.report-form button[type=submit]').click()])
  t.equal(response.status(), 413)
  await page.waitForLoadState('load')
  t.match(await page.locator('.error-summary').innerText(), /Ihre Meldung ist zu groß, um sie zu senden/)
  t.equal((await app.store.listReports()).length, 1, 'rejected input is not stored')
})

t.test('bundled config shows the gaps, the fixture config the full pages', { skip: !browser }, async (t) => {
  if (!bundled || !full || !browser) return
  const page = await browser.newPage()
  t.teardown(() => page.close())
  for (const path of ['/impressum', '/datenschutz', '/barrierefreiheit', '/gebaerdensprache']) {
    await page.goto(bundled.baseUrl + path)
    t.ok(await page.getByText('Noch nicht angegeben:').isVisible(), `bundled ${path}: the gap is visible`)
    await page.goto(full.baseUrl + path)
    t.equal(await page.getByText('Noch nicht angegeben:').count(), 0, `fixture ${path}: no gap`)
  }
  await page.goto(`${full.baseUrl}/impressum`)
  t.ok(await page.getByText('Testverband Serviceportal Emscher-Lippe').isVisible())
  await page.goto(`${full.baseUrl}/gebaerdensprache`)
  t.equal(await page.getByRole('link', { name: /Video in Gebärdensprache ansehen/ }).getAttribute('href'), 'https://video.example.org/dgs-portal')
})
