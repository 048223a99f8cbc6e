// What one member's script can do to another member, in real Chromium. Member
// A's page (page.evaluate runs in A's origin, as A's own script would) tries
// to read B's page with B's credentials, read B's cookies through a popup,
// plant a cookie B's upstream then receives, and evict B's cookies with 200
// cookies of its own. Host names are mapped to 127.0.0.1 inside Chromium
// (--host-resolver-rules), so nothing leaves loopback.
//
// - member origins under a base domain that is a registry for Chromium
//   (`<id>.test`, as a PSL-registered PROXY_BASE_DOMAIN is): all four fail;
// - member origins under an ordinary domain (`<id>.cities.test`): reading
//   fails, but over http tossing and eviction work: what the README says;
// - the path form of sameOriginTrusted members: everything works, which is
//   what "shares the portal's origin" means (and shows the test can fail).
import t, { type Test } from 'tap'
import Fastify from 'fastify'
import net, { type AddressInfo } from 'node:net'
import type { Browser } from 'playwright-core'
import { memberHostRouter, proxyPlugin } from '../../src/proxy/index.js'
import { launchBrowser, requireBrowser } from '../helpers/browser.js'
import { proxiedMember, startEcho, type Respond } from '../helpers/upstream.js'

const html = (res: Parameters<Respond>[1], body: string) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
  res.end(`<!doctype html><title>t</title><body>${body}</body>`)
  return true
}

// B: a login that sets a session cookie scripts may read (many portals do),
// a secret page, and /whoami showing the cookies B's upstream received.
const memberB: Respond = (req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname
  if (path.endsWith('/login')) {
    res.setHeader('set-cookie', 'sid=B-SESSION; Path=/')
    return html(res, 'logged in')
  }
  if (path.endsWith('/secret')) return html(res, `B-SECRET for ${req.headers.cookie ?? 'nobody'}`)
  if (path.endsWith('/whoami')) return html(res, `<pre>${req.headers.cookie ?? ''}</pre>`)
  return html(res, 'B')
}
const memberA: Respond = (_req, res) => html(res, 'A')

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

interface Scenario {
  /** A's start page and B's base URL (no trailing slash) */
  a: string
  b: string
  /** what A's script writes to plant a cookie for B */
  toss: string[]
}

interface Outcome {
  read: string
  popup: string
  tossed: string
  afterEviction: string
}

async function attack(browser: Browser, { a, b, toss }: Scenario): Promise<Outcome> {
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    const whoami = async () => {
      await page.goto(`${b}/whoami`)
      return (await page.textContent('pre')) ?? ''
    }
    await page.goto(`${b}/login`)
    await page.goto(a)
    const read = await page.evaluate(async (url) => {
      try {
        return await (await fetch(url, { credentials: 'include' })).text()
      } catch {
        return 'blocked'
      }
    }, `${b}/secret`)
    const popupOpened = context.waitForEvent('page')
    await page.evaluate((url) => {
      ;(window as unknown as { w: Window | null }).w = window.open(url)
    }, `${b}/start`)
    const popup = await popupOpened
    await popup.waitForLoadState()
    const popupCookies = await page.evaluate(() => {
      try {
        return (window as unknown as { w: Window }).w.document.cookie
      } catch {
        return 'blocked'
      }
    })
    await popup.close()
    await page.evaluate((lines) => {
      for (const line of lines) document.cookie = line
    }, toss)
    const tossed = await whoami()
    await page.goto(`${b}/login`)
    await page.goto(a)
    await page.evaluate(() => {
      for (let i = 0; i < 200; i++) document.cookie = `filler${i}=${'x'.repeat(20)}; path=/`
    })
    const afterEviction = await whoami()
    return { read, popup: popupCookies, tossed, afterEviction }
  } finally {
    await context.close()
  }
}

async function gateway(t: Test, baseDomain: string | undefined, trusted: boolean) {
  const a = await startEcho('a', memberA)
  const b = await startEcho('b', memberB)
  t.teardown(a.close)
  t.teardown(b.close)
  const port = await freePort()
  const app = Fastify(baseDomain === undefined ? {} : { rewriteUrl: memberHostRouter(baseDomain) })
  const extra = { sameOriginTrusted: trusted }
  await app.register(proxyPlugin, {
    members: [proxiedMember('a', a.url, undefined, extra), proxiedMember('b', b.url, undefined, extra)],
    contactFor: (id) => ({ name: id }),
    origins: { scheme: 'http', port, ...(baseDomain === undefined ? {} : { baseDomain }) },
  })
  await app.listen({ port, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return { port, b }
}

t.test('member origins in Chromium', async (t) => {
  if (!requireBrowser(t)) return
  const browser = await launchBrowser(t, ['--host-resolver-rules=MAP *.test 127.0.0.1'])

  t.test('base domain a registry (<id>.test): A can read, plant and evict nothing of B', async (t) => {
    const { port, b } = await gateway(t, 'test', false)
    const outcome = await attack(browser, {
      a: `http://a.test:${port}/`,
      b: `http://b.test:${port}`,
      toss: ['sid=ATTACKER; domain=test; path=/', 'sid=ATTACKER; domain=b.test; path=/', 'b__sid=ATTACKER; domain=test; path=/'],
    })
    t.same(outcome, { read: 'blocked', popup: 'blocked', tossed: 'sid=B-SESSION', afterEviction: 'sid=B-SESSION' })
    t.ok(b.seen.some((s) => s.url === '/whoami'), 'B’s upstream answered the checks')
  })

  t.test('base domain not a registry (<id>.cities.test) over http: reading blocked; tossing and eviction are not', async (t) => {
    const { port } = await gateway(t, 'cities.test', false)
    const outcome = await attack(browser, {
      a: `http://a.cities.test:${port}/`,
      b: `http://b.cities.test:${port}`,
      toss: ['sid=ATTACKER; domain=cities.test; path=/'],
    })
    t.equal(outcome.read, 'blocked')
    t.equal(outcome.popup, 'blocked')
    t.match(outcome.tossed, 'sid=ATTACKER', 'a cookie planted on the parent domain reaches B (hence __Host- over https, and a PSL entry)')
    t.notMatch(outcome.afterEviction, 'B-SESSION', 'one registrable domain, one cookie budget: B’s cookie is evicted')
  })

  t.test('path form (sameOriginTrusted): one origin, no isolation at all', async (t) => {
    const { port } = await gateway(t, undefined, true)
    const outcome = await attack(browser, {
      a: `http://127.0.0.1:${port}/cities/a/`,
      b: `http://127.0.0.1:${port}/cities/b`,
      toss: ['b__sid=ATTACKER; path=/cities/b/'],
    })
    t.match(outcome.read, 'B-SECRET for sid=B-SESSION', 'A reads B’s page with B’s session')
    t.match(outcome.popup, 'b__sid=B-SESSION', 'A reads B’s cookies')
    t.equal(outcome.tossed, 'sid=ATTACKER', 'B receives A’s cookie')
    t.notMatch(outcome.afterEviction, 'B-SESSION', 'A evicts B’s cookie')
  })
})
