// Real headless Chromium (Debian's /usr/bin/chromium) driven by
// playwright-core, and the real app with the portal on 127.0.0.1:0.
// Without Chromium the browser tests skip loudly, unless CI=true or
// REQUIRE_BROWSER=1: then they fail, so CI can never silently skip them.
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import tap, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core'
import { buildApp, type BuildOptions } from '../../src/app.js'
import { NO_LOAD_SHEDDING } from './app.js'

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

type Tap = Pick<Test, 'fail' | 'teardown' | 'comment'>

function browserAvailable(): boolean {
  return existsSync(CHROMIUM_PATH)
}

/** Call first in a browser test: false (test skipped or failed) without Chromium. */
export function requireBrowser(t: Tap): boolean {
  if (browserAvailable()) return true
  const message = `${CHROMIUM_PATH} not found: browser tests NOT RUN`
  if (process.env.CI === 'true' || process.env.REQUIRE_BROWSER === '1') {
    t.fail(`${message} (CI=true or REQUIRE_BROWSER=1)`)
  } else {
    process.stderr.write(`\n!!!!! ${message} — install chromium or set REQUIRE_BROWSER=1 to fail !!!!!\n\n`)
    t.comment(`SKIPPED: ${message}`)
  }
  return false
}

const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

// One Chromium per test file: each test still gets its own contexts (cookies,
// storage, viewport), which is where isolation lives; a launch per test only
// cost time (about half a second each, over forty of them in the suite).
let shared: Promise<Browser> | undefined

/**
 * The file's Chromium, launched on first use and closed when the file ends.
 * @param args extra Chromium switches, e.g. `--host-resolver-rules=MAP *.test 127.0.0.1` (loopback only): a browser of its own, closed with `t`
 */
export async function launchBrowser(t: Tap, args: string[] = []): Promise<Browser> {
  if (args.length > 0) {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...LAUNCH_ARGS, ...args] })
    t.teardown(() => browser.close())
    return browser
  }
  if (shared === undefined) {
    const launching = chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: LAUNCH_ARGS })
    shared = launching
    launching.then((browser) => tap.teardown(() => browser.close()), () => { shared = undefined })
  }
  return shared
}

/** a page in its own context (own cookies, storage, viewport), closed at the end of the test */
export async function openPage(t: Tap, browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext(options)
  t.teardown(() => context.close())
  return context.newPage()
}

export interface Portal {
  app: FastifyInstance
  baseUrl: string
  /** resolves once the search index serves the live catalog version */
  indexed: () => Promise<unknown>
}

export interface PortalOptions extends BuildOptions {
  /** register before ready, e.g. to put a test manifest into the store */
  before?: (app: FastifyInstance) => Promise<void> | void
  listen?: boolean
}

/** The real app (portal, API, operations plugins with their strict CSP) on 127.0.0.1:0. */
export async function startPortal(t: Tap, options: PortalOptions = {}): Promise<Portal> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-web-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const { before, listen = true, ...build } = options
  // No event-loop-delay 503s: on a loaded 2-core CI machine (Chromium plus
  // other test files) a page must not fail for wall-clock reasons.
  const app = await buildApp({ ...build, settings: { dataDir, pressure: NO_LOAD_SHEDDING, ...build.settings } })
  t.teardown(() => app.close())
  await before?.(app)
  await app.ready()
  const indexed = async () => {
    await app.live.refresh()
    return app.searchIndex.whenReady(app.live.current.version)
  }
  if (!listen) return { app, baseUrl: '', indexed }
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { app, baseUrl: `http://127.0.0.1:${port}`, indexed }
}

let axeSource: string | undefined
/** axe-core WCAG 2.1 A/AA violations on the current page. */
export async function axeViolations(page: Page): Promise<{ id: string; impact: string | null; help: string; nodes: string[] }[]> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
  // Not addScriptTag: the page's strict CSP rightly blocks inline scripts. The
  // DevTools protocol evaluates outside the page's CSP.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource)
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[] }> } }).axe
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`),
    }))
  })
}

/**
 * Gladbeck's real manifest plus a member-local service whose texts are markup,
 * and an office with phone and opening hours. It passes validation: manifest
 * text may contain anything, so the page must escape it.
 */
export async function markupManifest(): Promise<Record<string, unknown>> {
  const doc = JSON.parse(await readFile(new URL('../../members/gladbeck.json', import.meta.url), 'utf8')) as {
    offices: Record<string, unknown>[]
    services: Record<string, unknown>[]
  }
  doc.offices = doc.offices.map((o) => ({ ...o, phone: '+49 2043 99-0', openingHours: ['Mo–Fr 8:00–12:00', 'Do 14:00–17:30'] }))
  doc.offices.push({ id: 'xss-amt', name: 'Amt <b>fett</b> & "Co"', phone: '02043 99-1234' })
  doc.services.push({
    id: 'xss-test',
    name: '<script>window.__xss=1;alert(1)</script>Markup-Dienst',
    synonyms: ['<img src=x onerror=alert(5)>'],
    summary: 'Zusammenfassung <img src=x onerror="window.__xss=2;alert(2)"> mit </script><script>alert(6)</script> Markup.',
    audiences: ['residents'],
    lifeSituations: ['tiere'],
    fees: '"><svg onload=alert(3)>',
    documents: ['</dd><script>alert(4)</script>'],
    office: 'xss-amt',
  })
  return doc
}

/** Console errors and CSP violations, collected for the whole page life. */
export function watchPage(page: Page): { errors: string[]; dialogs: string[] } {
  const seen = { errors: [] as string[], dialogs: [] as string[] }
  page.on('console', (msg) => {
    if (msg.type() === 'error') seen.errors.push(msg.text())
  })
  page.on('pageerror', (err) => seen.errors.push(err.message))
  page.on('dialog', (dialog) => {
    seen.dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  return seen
}
