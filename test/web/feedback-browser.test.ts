// "War diese Seite hilfreich?" in real Chromium: the answer is counted, the
// thanks appears in place and the postal code stays, with and without
// JavaScript (issue 28, item 5).
import t from 'tap'
import { launchBrowser, openPage, requireBrowser, startPortal, watchPage } from '../helpers/browser.js'

const INSIGHTS = { enabled: true, retentionDays: 400, minCount: 5, flushIntervalMs: 3_600_000, feedbackMax: 1_000 }
const PAGE = '/leistungen/sperrmuell?plz=45964'

for (const javaScriptEnabled of [true, false]) {
  t.test(`feedback ${javaScriptEnabled ? 'with' : 'without'} JavaScript: thanks in place, postal code kept`, async (t) => {
    if (!requireBrowser(t)) return
    const { baseUrl } = await startPortal(t, { settings: { insights: INSIGHTS } })
    const browser = await launchBrowser(t)
    const page = await openPage(t, browser, { javaScriptEnabled, viewport: { width: 390, height: 844 } })
    const seen = watchPage(page)
    const posts: string[] = []
    page.on('request', (r) => { if (r.method() === 'POST') posts.push(new URL(r.url()).pathname) })
    await page.goto(baseUrl + PAGE)
    await page.getByText('Sagen Sie uns, was nicht stimmt').click()
    const click = page.getByRole('button', { name: 'Information fehlt' }).click()
    if (javaScriptEnabled) {
      await click
      await page.locator('.feedback-thanks').waitFor()
      t.equal(new URL(page.url()).pathname + new URL(page.url()).search, PAGE, 'the page stays')
      t.equal(await page.evaluate(() => document.activeElement?.className), 'feedback-thanks', 'focus moves to the thanks')
    } else {
      await Promise.all([page.waitForURL(/feedback=danke/), click])
      t.match(page.url(), /\/leistungen\/sperrmuell\?plz=45964&feedback=danke#feedback$/)
    }
    t.same(posts, ['/feedback'])
    t.equal(await page.locator('#feedback .feedback-thanks').textContent(), 'Danke für Ihre Rückmeldung!')
    t.equal(await page.locator('#feedback form').count(), 0, 'the form gives way to the thanks')
    t.match(await page.locator('.answer .responsible').textContent(), /Stadtverwaltung Gladbeck/, 'still the answer for 45964')
    t.same(seen.errors, [], 'no console errors or CSP violations')
  })
}
