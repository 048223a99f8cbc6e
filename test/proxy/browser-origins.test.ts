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
//   fails; over http tossing works, over https the `__Host-` cookies stop it;
//   eviction is not excluded (one registrable domain, one cookie budget);
// - the path form of sameOriginTrusted members: everything works, which is
//   what "shares the portal's origin" means (and shows the test can fail).
import t, { type Test } from 'tap'
import Fastify from 'fastify'
import net, { type AddressInfo } from 'node:net'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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

const OPENSSL = '/usr/bin/openssl'

/** A one-day self-signed certificate for `*.<domain>` (node:crypto cannot make one). */
async function selfSigned(t: Test, domain: string): Promise<{ key: string; cert: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'dp-cert-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  execFileSync(OPENSSL, [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${domain}`,
    '-addext', `subjectAltName=DNS:*.${domain}`, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' })
  return { key: await readFile(join(dir, 'key.pem'), 'utf8'), cert: await readFile(join(dir, 'cert.pem'), 'utf8') }
}

interface Scenario {
  /** A's start page and B's base URL (no trailing slash) */
  a: string
  b: string
  /** what A's script writes to plant a cookie for B */
  toss: string[]
  /** attributes of A's 200 filler cookies */
  filler?: string
}

interface Outcome {
  read: string
  popup: string
  tossed: string
  afterEviction: string
}

async function attack(browser: Browser, { a, b, toss, filler = '' }: Scenario): Promise<Outcome> {
  // the https scenario uses a throw-away self-signed certificate
  const context = await browser.newContext({ ignoreHTTPSErrors: true })
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
    const accepted = await page.evaluate((lines) => {
      for (const line of lines) document.cookie = line
      return document.cookie.includes('ATTACKER')
    }, toss)
    // A document.cookie write reaches the browser's cookie store asynchronously
    // (CI on Node 24: B's next request went out before it). Wait until the store
    // holds what the page accepted; a cookie the page refused never arrives.
    for (let i = 0; accepted && i < 250; i++) {
      if ((await context.cookies()).some((c) => c.value === 'ATTACKER')) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const tossed = await whoami()
    await page.goto(`${b}/login`)
    await page.goto(a)
    await page.evaluate((attributes) => {
      for (let i = 0; i < 200; i++) document.cookie = `filler${i}=${'x'.repeat(20)}; path=/${attributes}`
    }, filler)
    const afterEviction = await whoami()
    return { read, popup: popupCookies, tossed, afterEviction }
  } finally {
    await context.close()
  }
}

async function gateway(t: Test, baseDomain: string | undefined, trusted: boolean, https?: { key: string; cert: string }) {
  const a = await startEcho('a', memberA)
  const b = await startEcho('b', memberB)
  t.teardown(a.close)
  t.teardown(b.close)
  const port = await freePort()
  const app = Fastify({
    ...(baseDomain === undefined ? {} : { rewriteUrl: memberHostRouter(baseDomain) }),
    ...(https === undefined ? {} : { https }),
  } as Parameters<typeof Fastify>[0])
  const extra = { sameOriginTrusted: trusted }
  await app.register(proxyPlugin, {
    members: [proxiedMember('a', a.url, undefined, extra), proxiedMember('b', b.url, undefined, extra)],
    contactFor: (id) => ({ name: id }),
    origins: { scheme: https === undefined ? 'http' : 'https', port, ...(baseDomain === undefined ? {} : { baseDomain }) },
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

  t.test('base domain not a registry (<id>.cities.test) over http: reading blocked, tossing is not', async (t) => {
    const { port } = await gateway(t, 'cities.test', false)
    const outcome = await attack(browser, {
      a: `http://a.cities.test:${port}/`,
      b: `http://b.cities.test:${port}`,
      toss: ['sid=ATTACKER; domain=cities.test; path=/'],
    })
    t.equal(outcome.read, 'blocked')
    t.equal(outcome.popup, 'blocked')
    t.match(outcome.tossed, 'sid=ATTACKER', 'a cookie planted on the parent domain reaches B (hence __Host- over https, and a PSL entry)')
    // One registrable domain shares one cookie budget; whether B's cookie is
    // the one Chromium purges is its LRU business, so not asserted either way.
    t.comment(`after 200 cookies of A, B received: "${outcome.afterEviction}"`)
  })

  t.test('base domain not a registry, over https: __Host- cookies stop tossing', { skip: !existsSync(OPENSSL) && `${OPENSSL} missing` }, async (t) => {
    const { port } = await gateway(t, 'cities.test', false, await selfSigned(t, 'cities.test'))
    const outcome = await attack(browser, {
      a: `https://a.cities.test:${port}/`,
      b: `https://b.cities.test:${port}`,
      toss: ['sid=ATTACKER; domain=cities.test; path=/', '__Host-sid=ATTACKER; domain=cities.test; path=/; secure', 'sid=ATTACKER; domain=cities.test; path=/; secure'],
      filler: '; secure',
    })
    t.equal(outcome.read, 'blocked')
    t.equal(outcome.popup, 'blocked')
    t.equal(outcome.tossed, 'sid=B-SESSION', 'B’s upstream receives only its own __Host- cookie: a planted one never arrives')
    t.comment(`after 200 secure cookies of A, B received: "${outcome.afterEviction}" (no guarantee without a PSL entry)`)
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
    t.comment(`after 200 cookies of A, B received: "${outcome.afterEviction}"`)
  })
})
