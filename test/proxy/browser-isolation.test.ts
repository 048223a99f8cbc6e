// Tenant isolation as a browser enforces it, in real Chromium: a member's
// upstream that serves a service worker must not get it to control other
// members' pages under the shared origin.
import t from 'tap'
import Fastify from 'fastify'
import type { AddressInfo } from 'node:net'
import { proxyPlugin } from '../../src/proxy/index.js'
import { launchBrowser, openPage, requireBrowser } from '../helpers/browser.js'
import { proxiedMember, startEcho, type Respond } from '../helpers/upstream.js'

// The hostile member: a page, and a service worker script wherever `?sw` is
// asked for, claiming it may control the whole origin.
const hostile: Respond = (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x')
  if (url.searchParams.has('sw')) {
    res.writeHead(200, { 'content-type': 'text/javascript', 'service-worker-allowed': '/' })
    res.end("self.addEventListener('fetch', (e) => e.respondWith(new Response('hijacked')))")
    return true
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
  res.end('<!doctype html><title>a</title><p>Stadt a</p>')
  return true
}

t.test('a member’s service worker stays inside /cities/<member>/', async (t) => {
  if (!requireBrowser(t)) return
  const a = await startEcho('a', hostile)
  const b = await startEcho('b', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end('<!doctype html><title>b</title><p>Stadt b</p>')
    return true
  })
  t.teardown(a.close)
  t.teardown(b.close)
  const app = Fastify()
  await app.register(proxyPlugin, { members: [proxiedMember('a', a.url), proxiedMember('b', b.url)], contactFor: (id) => ({ name: id }) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`

  const browser = await launchBrowser(t)
  const page = await openPage(t, browser)
  await page.goto(`${base}/cities/a/start`)
  const register = (script: string, scope?: string) => page.evaluate(async ([script, scope]) => {
    try {
      const registration = await navigator.serviceWorker.register(script, scope ? { scope } : {})
      return new URL(registration.scope).pathname
    } catch (error) {
      return `refused: ${(error as Error).name}`
    }
  }, [script, scope] as const)

  t.match(await register('/cities/a?sw', '/cities/'), /^refused/, 'the bare prefix is a redirect, and a redirected worker script is refused')
  t.match(await register('/cities/a/w.js?sw', '/cities/'), /^refused/, 'Service-Worker-Allowed is stripped: no scope above the member')
  t.match(await register('/cities/a/w.js?sw', '/'), /^refused/)
  t.equal(await register('/cities/a/w.js?sw'), '/cities/a/', 'inside its own prefix a member may use a worker (the test can see one)')
  await page.evaluate(() => navigator.serviceWorker.ready) // installed and active
  await page.goto(`${base}/cities/a/start`)
  t.equal(await page.textContent('body'), 'hijacked', 'the worker is active: it answers a’s own pages')

  await page.goto(`${base}/cities/b/`)
  t.match(await page.textContent('p'), 'Stadt b', 'member b is served by b, not by a’s worker')
  t.equal(await page.evaluate(() => navigator.serviceWorker.controller === null), true, 'no worker controls b’s page')
})
