// The portal driven like a person would: keyboard only, without JavaScript,
// with hostile manifest text, and the suggestion combobox.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import type { Page } from 'playwright-core'
import { launchBrowser, markupManifest, openPage, requireBrowser, startPortal, watchPage } from '../helpers/browser.js'
import type { Manifest } from '../../src/manifest/schema.js'

// real Chromium pages, one after another: 90 s on a loaded CI machine, close to tap's 120 s per file
t.setTimeout(300_000)

const HUNDESTEUER = '/leistungen/hund-anmelden'

/** Presses Tab until the element with this id has focus; returns how many presses. */
async function tabTo(page: Page, id: string, max = 30): Promise<number> {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab')
    if (await page.evaluate((want) => document.activeElement?.id === want, id)) return i
  }
  throw new Error(`#${id} not reachable with ${max} Tab presses`)
}

async function firstResult(page: Page): Promise<{ href: string; text: string; badge: string }> {
  return page.locator('ol.hits > li').first().evaluate((li) => ({
    href: li.querySelector('h3 a')?.getAttribute('href') ?? '',
    text: li.querySelector('h3 a')?.textContent ?? '',
    badge: li.querySelector('.badge')?.textContent ?? '',
  }))
}

t.test('keyboard only: search, postal code, personalised result', async (t) => {
  if (!requireBrowser(t)) return
  const { baseUrl } = await startPortal(t)
  const browser = await launchBrowser(t)
  const page = await openPage(t, browser, { viewport: { width: 1280, height: 900 } })
  const seen = watchPage(page)
  await page.goto(`${baseUrl}/`)

  await page.keyboard.press('Tab')
  t.equal(await page.evaluate(() => document.activeElement?.textContent), 'Zum Inhalt springen', 'first Tab: skip link')
  t.not(await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle), 'none', 'focus is visible')
  await page.keyboard.press('Enter')
  t.equal(await page.evaluate(() => document.activeElement?.id), 'inhalt', 'skip link moves focus to main')

  await tabTo(page, 'q')
  t.not(await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle), 'none', 'search field focus is visible')
  await page.keyboard.type('hundesteuer')
  await Promise.all([page.waitForURL(/\/suche\?q=hundesteuer/), page.keyboard.press('Enter')])
  const anonymous = await firstResult(page)
  t.equal(anonymous.href, HUNDESTEUER, 'first result links to the Hundesteuer service')
  t.equal(anonymous.text, 'Hund anmelden (Hundesteuer)')
  t.equal(anonymous.badge, '', 'no badge without a postal code')

  await page.goto(`${baseUrl}/`)
  await tabTo(page, 'plz')
  await page.keyboard.type('45964')
  await Promise.all([page.waitForURL(/\/\?plz=45964/), page.keyboard.press('Enter')])
  t.match(await page.locator('.resident').textContent(), /für Gladbeck/)
  await tabTo(page, 'q')
  await page.keyboard.type('hundesteuer')
  await Promise.all([page.waitForURL(/\/suche\?q=hundesteuer&plz=45964/), page.keyboard.press('Enter')])
  const personal = await firstResult(page)
  t.equal(personal.href, `${HUNDESTEUER}?plz=45964`)
  t.match(personal.badge, /für Gladbeck/, 'the Gladbeck offering is marked as yours')
  // Gladbeck states no start link for it (its portal front page is not one): no "Online beantragen" button
  t.equal(await page.locator('ol.hits > li').first().locator('a.button').count(), 0)

  // Follow the result with the keyboard.
  await page.locator('ol.hits > li h3 a').first().focus()
  await Promise.all([page.waitForURL(/\/leistungen\/hund-anmelden/), page.keyboard.press('Enter')])
  t.match(await page.locator('h1').textContent(), 'Hund anmelden (Hundesteuer)')
  t.match(await page.locator('.answer .responsible').textContent(), /Zuständig ist die Stadtverwaltung Gladbeck\./)
  t.same(seen.errors, [], 'no console errors or CSP violations')
})

t.test('without JavaScript the plain forms do the same', async (t) => {
  if (!requireBrowser(t)) return
  const { baseUrl } = await startPortal(t)
  const browser = await launchBrowser(t)
  const page = await openPage(t, browser, { javaScriptEnabled: false, viewport: { width: 375, height: 800 } })
  await page.goto(`${baseUrl}/`)
  t.equal(await page.locator('#q').getAttribute('role'), null, 'no script ran: a plain text field')
  await page.fill('#q', 'hundesteuer')
  await Promise.all([page.waitForURL(/\/suche\?q=hundesteuer/), page.click('form[role=search] button[type=submit]')])
  t.equal((await firstResult(page)).href, HUNDESTEUER)

  await page.goto(`${baseUrl}/`)
  await page.fill('#plz', '45964')
  await page.check('#merken')
  await Promise.all([page.waitForURL(/plz=45964/), page.click('.postal-form button[type=submit]')])
  const cookies = await page.context().cookies()
  t.match(cookies.find((c) => c.name === 'plz'), { value: '45964', httpOnly: true, sameSite: 'Lax', path: '/' })
  await page.fill('#q', 'hundesteuer')
  await Promise.all([page.waitForURL(/\/suche\?q=hundesteuer&plz=45964/), page.click('form[role=search] button[type=submit]')])
  const first = await firstResult(page)
  t.equal(first.href, `${HUNDESTEUER}?plz=45964`)
  t.match(first.badge, /für Gladbeck/)

  // The remembered code works without it in the URL, and can be deleted.
  await page.goto(`${baseUrl}/suche?q=hundesteuer`)
  t.match((await firstResult(page)).badge, /für Gladbeck/)
  await page.click('text=Gespeicherte Postleitzahl löschen')
  t.equal((await page.context().cookies()).find((c) => c.name === 'plz'), undefined)
  t.equal((await firstResult(page)).badge, '')
})

t.test('markup in manifest names is shown as text and never runs', async (t) => {
  if (!requireBrowser(t)) return
  const put = async (app: FastifyInstance) => {
    const checked = app.live.validate(await markupManifest(), app.live.members.get('gladbeck') as never)
    if (!checked.ok) throw new Error('fixture invalid')
    await app.store.putManifest('gladbeck', checked.value as Manifest, { source: 'api' })
  }
  const { baseUrl, indexed } = await startPortal(t, { before: put })
  await indexed()
  const browser = await launchBrowser(t)
  const page = await openPage(t, browser)
  const seen = watchPage(page)
  const requests: string[] = []
  page.on('request', (r) => requests.push(new URL(r.url()).pathname))

  await page.goto(`${baseUrl}/leistungen/${encodeURIComponent('gladbeck:xss-test')}?plz=45964`)
  t.equal(await page.locator('h1').textContent(), '<script>window.__xss=1;alert(1)</script>Markup-Dienst')
  t.match(await page.locator('main').textContent(), /"><svg onload=alert\(3\)>/)
  t.match(await page.locator('main').textContent(), /Amt <b>fett<\/b> & "Co"/)
  t.equal(await page.locator('main script, main img, main svg, main b').count(), 0, 'no elements from manifest text')
  for (const path of ['/lebenslagen/tiere?plz=45964', '/suche?q=markup&plz=45964']) {
    await page.goto(baseUrl + path)
    t.match(await page.locator('main').textContent(), /<script>window.__xss=1;alert\(1\)<\/script>Markup-Dienst/, path)
  }
  t.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined, 'no injected script ran')
  t.same(seen.dialogs, [], 'no alert()')
  t.notOk(requests.some((p) => p === '/x' || p.endsWith('/x')), 'no <img src=x> request')
  t.same(seen.errors, [], 'no console errors or CSP violations')
})

t.test('suggestions: an ARIA 1.2 combobox', async (t) => {
  if (!requireBrowser(t)) return
  const { baseUrl } = await startPortal(t)
  const browser = await launchBrowser(t)
  const page = await openPage(t, browser)
  const seen = watchPage(page)
  await page.goto(`${baseUrl}/`)
  const input = page.locator('#q')
  t.equal(await input.getAttribute('role'), 'combobox')
  t.equal(await input.getAttribute('aria-expanded'), 'false')
  const listId = await input.getAttribute('aria-controls')
  t.ok(listId)
  await input.focus()
  await page.keyboard.type('hunde')
  const list = page.locator(`#${listId}`)
  await list.waitFor({ state: 'visible' })
  // the list shows the first answer ("hun"); a later one re-renders it and would clear an active option
  await page.waitForLoadState('networkidle')
  t.equal(await list.getAttribute('role'), 'listbox')
  t.equal(await input.getAttribute('aria-expanded'), 'true')
  const options = list.locator('[role=option]')
  t.ok((await options.count()) > 0, 'has options')
  t.match(await page.locator('[role=status].visually-hidden').textContent(), /Vorschl/)

  await page.keyboard.press('ArrowDown')
  const first = options.first()
  t.equal(await input.getAttribute('aria-activedescendant'), await first.getAttribute('id'))
  t.equal(await first.getAttribute('aria-selected'), 'true')
  await page.keyboard.press('ArrowUp')
  t.equal(await input.getAttribute('aria-activedescendant'), await options.last().getAttribute('id'), 'ArrowUp wraps')

  await page.keyboard.press('Escape')
  t.equal(await input.getAttribute('aria-expanded'), 'false')
  t.equal(await input.getAttribute('aria-activedescendant'), null)
  t.ok(await list.isHidden())
  t.equal(await input.inputValue(), 'hunde', 'first Escape only closes')

  await page.keyboard.press('ArrowDown')
  t.equal(await input.getAttribute('aria-expanded'), 'true', 'ArrowDown reopens')
  // A suggestion that names a service opens its page, not a result list (issue 28).
  await Promise.all([page.waitForURL(/\/leistungen\/[a-z0-9:-]+$/), page.keyboard.press('Enter')])
  t.match(await page.locator('h1').textContent(), /Hund/, 'Enter opens the chosen service')
  t.same(seen.errors, [], 'no console errors or CSP violations')
})
