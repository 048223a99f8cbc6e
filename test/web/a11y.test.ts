// axe-core in real headless Chromium: zero WCAG 2.1 A/AA violations on the
// portal's page types, under the strict CSP, plus screenshots to look at.
import t from 'tap'
import { mkdir } from 'node:fs/promises'
import { axeViolations, launchBrowser, openPage, requireBrowser, startPortal, watchPage } from '../helpers/browser.js'

// real Chromium pages, one after another: 90 s on a loaded CI machine, close to tap's 120 s per file
t.setTimeout(300_000)

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url)

const PAGES = [
  '/',
  '/suche?q=hund',
  '/suche?q=persnalausweis&plz=45964',
  '/suche?q=xyzzyqwrt&plz=45964',
  '/lebenslagen/familie-kind?plz=45964',
  '/suche?q=hundesteuer&plz=45964&lebenslage=tiere',
  '/lebenslagen/tiere?plz=45964',
  '/leistungen/hund-anmelden?plz=45964',
  '/leistungen/hund-anmelden',
  '/leistungen/fuehrungszeugnis?plz=45964',
  '/leistungen/sperrmuell?plz=10115',
  '/mitglieder',
  '/?plz=abc',
  '/leistungen/gibt-es-nicht',
]

t.test('axe: no WCAG 2.1 A/AA violations', async (t) => {
  if (!requireBrowser(t)) return
  const { baseUrl } = await startPortal(t)
  const browser = await launchBrowser(t)
  for (const width of [1280, 375]) {
    const page = await openPage(t, browser, { viewport: { width, height: 900 }, locale: 'de-DE' })
    const seen = watchPage(page)
    for (const path of PAGES) {
      await page.goto(baseUrl + path)
      const violations = await axeViolations(page)
      t.same(violations, [], `${path} at ${width}px`)
    }
    t.same(seen.errors.filter((e) => !/404 \(Not Found\)/.test(e)), [], `no console errors or CSP violations at ${width}px`)
  }
})

t.test('200% zoom: no horizontal scrolling on the main pages', async (t) => {
  if (!requireBrowser(t)) return
  const { baseUrl } = await startPortal(t)
  const browser = await launchBrowser(t)
  // 1280 CSS px at 200% zoom = a 640 px wide viewport with the same font size.
  const page = await openPage(t, browser, { viewport: { width: 640, height: 800 }, deviceScaleFactor: 2 })
  for (const path of ['/', '/suche?q=hund&plz=45964', '/leistungen/hund-anmelden?plz=45964', '/lebenslagen/tiere']) {
    await page.goto(baseUrl + path)
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    t.ok(overflow <= 0, `${path}: ${overflow}px horizontal overflow`)
  }
})

t.test('screenshots of the start page and a result page', async (t) => {
  if (!requireBrowser(t)) return
  const { baseUrl } = await startPortal(t)
  const browser = await launchBrowser(t)
  await mkdir(ARTIFACTS, { recursive: true })
  for (const [name, width] of [['desktop', 1280], ['mobile', 375]] as const) {
    const page = await openPage(t, browser, { viewport: { width, height: 900 }, locale: 'de-DE' })
    await page.goto(`${baseUrl}/`)
    await page.screenshot({ path: new URL(`start-${name}.png`, ARTIFACTS).pathname, fullPage: true })
    await page.screenshot({ path: new URL(`start-${name}-oben.png`, ARTIFACTS).pathname })
    await page.goto(`${baseUrl}/suche?q=hundesteuer&plz=45964`)
    await page.screenshot({ path: new URL(`suche-${name}.png`, ARTIFACTS).pathname, fullPage: true })
    await page.screenshot({ path: new URL(`suche-${name}-oben.png`, ARTIFACTS).pathname })
    await page.goto(`${baseUrl}/leistungen/hund-anmelden?plz=45964`)
    await page.screenshot({ path: new URL(`leistung-${name}.png`, ARTIFACTS).pathname, fullPage: true })
    await page.screenshot({ path: new URL(`leistung-${name}-oben.png`, ARTIFACTS).pathname })
    t.pass(`${name} screenshots saved to test-artifacts/`)
  }
})
