// Issue 17: axe-core in real headless Chromium on the legal pages, with the
// bundled config (gaps named) and the fixture operator, and the report form
// in its error state.
import t from 'tap'
import { axeViolations, launchBrowser, openPage, requireBrowser, startPortal, watchPage } from '../helpers/browser.js'
import { regionWithOperator } from '../helpers/operator.js'

// real Chromium pages, one after another: 90 s on a loaded CI machine, close to tap's 120 s per file
t.setTimeout(300_000)

// Chromium pages under a loaded 2-core CI machine: more than the default 120 s per file.
t.setTimeout(300_000)

const LEGAL = ['/impressum', '/datenschutz', '/barrierefreiheit', '/leichte-sprache', '/gebaerdensprache']

t.test('axe: the legal pages have no WCAG 2.1 A/AA violations (bundled and fixture config, form states)', async (t) => {
  if (!requireBrowser(t)) return
  const bundled = await startPortal(t)
  const full = await startPortal(t, { regionData: await regionWithOperator() })
  const browser = await launchBrowser(t)
  for (const width of [1280, 375]) {
    const page = await openPage(t, browser, { viewport: { width, height: 900 }, locale: 'de-DE' })
    const seen = watchPage(page)
    for (const [name, portal] of [['bundled', bundled], ['fixture', full]] as const) {
      for (const path of [...LEGAL, '/barrierefreiheit?gemeldet=1']) {
        await page.goto(portal.baseUrl + path)
        t.same(await axeViolations(page), [], `${name} ${path} at ${width}px`)
      }
      await page.goto(`${portal.baseUrl}/barrierefreiheit`)
      await page.locator('#meldung').fill('x'.repeat(3001))
      await page.locator('#fundstelle').fill('y'.repeat(501))
      await Promise.all([page.waitForLoadState('load'), page.locator('form.report-form button[type=submit]').click()])
      t.match(await page.locator('.error-summary').innerText(), /zu lang/)
      t.same(await axeViolations(page), [], `${name} form with errors at ${width}px`)
    }
    t.same(seen.errors.filter((e) => !/the server responded with a status of (400|413|429)/.test(e)), [], `no console errors or CSP violations at ${width}px`)
  }
})

