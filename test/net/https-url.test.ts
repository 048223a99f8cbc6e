// The one "https, no credentials" URL rule (src/net/https-url.ts) that manifest
// links, /go redirects, the region config, the refresher and the proxy share.
import t from 'tap'
import { checkHttpsUrl, isRemoteManifest } from '../../src/net/https-url.js'
import { checkUrl } from '../../src/manifest/url-safety.js'

t.test('https only; plain http only when the caller allows it', async (t) => {
  t.match(checkHttpsUrl('https://www.gladbeck.de/buergerservice'), { ok: true, url: { hostname: 'www.gladbeck.de' } })
  t.match(checkHttpsUrl('HTTPS://WWW.GLADBECK.DE/'), { ok: true, url: { hostname: 'www.gladbeck.de' } })
  for (const raw of ['http://www.gladbeck.de/', 'ftp://www.gladbeck.de/', 'javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd']) {
    t.match(checkHttpsUrl(raw), { ok: false, problem: 'not-https' }, raw)
  }
  t.match(checkHttpsUrl('http://127.0.0.1:8080/', true), { ok: true })
  t.match(checkHttpsUrl('ftp://127.0.0.1/', true), { ok: false, problem: 'not-https' })
})

t.test('no user name or password, whatever the scheme allowance', async (t) => {
  for (const raw of ['https://user:pw@www.gladbeck.de/', 'https://user@www.gladbeck.de/', 'https://:pw@www.gladbeck.de/']) {
    t.match(checkHttpsUrl(raw), { ok: false, problem: 'credentials' }, raw)
  }
  t.match(checkHttpsUrl('http://user:pw@127.0.0.1/', true), { ok: false, problem: 'credentials' })
})

t.test('not a URL', async (t) => {
  for (const raw of ['', 'www.gladbeck.de', '/relative/path', 'https://', 'https://exa mple.de/']) {
    t.match(checkHttpsUrl(raw), { ok: false, problem: 'not-a-url' }, JSON.stringify(raw))
  }
})

t.test('each caller words the refusal itself: the manifest rule keeps its messages', async (t) => {
  t.equal(checkUrl('nope', undefined), 'is not a valid absolute URL')
  t.equal(checkUrl('http://www.gladbeck.de/', undefined), 'must use https: (got http)')
  t.equal(checkUrl('https://a:b@www.gladbeck.de/', undefined), 'must not contain a user name or password')
  t.equal(checkUrl('https://www.gladbeck.de/x', ['www.gladbeck.de']), undefined)
})

// An allowedHosts entry "www.gladbeck.de:443" (copied from a browser or a
// proxy config) matched no link: a URL drops the default port from its host.
t.test('allowed hosts: https has port 443 whether an entry or a link names it or not', async (t) => {
  const ok = (url: string, allowed: string[]) => checkUrl(url, allowed) === undefined
  t.ok(ok('https://www.gladbeck.de/x', ['www.gladbeck.de:443']))
  t.ok(ok('https://www.gladbeck.de:443/x', ['www.gladbeck.de']))
  t.ok(ok('https://WWW.Gladbeck.de:443/x', ['www.gladbeck.de:443']))
  t.ok(ok('https://www.gladbeck.de:8443/x', ['www.gladbeck.de:8443']))
  t.notOk(ok('https://www.gladbeck.de:8443/x', ['www.gladbeck.de']), 'another port is another origin')
  t.notOk(ok('https://www.gladbeck.de/x', ['www.gladbeck.de:8443']))
  t.notOk(ok('https://www.gladbeck.de.evil.example/x', ['www.gladbeck.de:443']))
})

t.test('isRemoteManifest: a URL, not a path beside region.json', async (t) => {
  t.ok(isRemoteManifest('https://www.gladbeck.de/manifest.json'))
  t.ok(isRemoteManifest('HTTP://127.0.0.1:8080/m.json'))
  t.notOk(isRemoteManifest('../members/gladbeck.json'))
  t.notOk(isRemoteManifest('members/https-gladbeck.json'))
  t.notOk(isRemoteManifest('https:members/gladbeck.json'))
})
