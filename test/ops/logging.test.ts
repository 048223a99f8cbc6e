// Captures every log line of requests that carry personal data and secrets
// (a token, a cookie, a person's name as search, a proxied query, a body)
// and asserts none of it reaches the log, while request ids do.
import t from 'tap'
import { createServer, type Server } from 'node:http'
import { Writable } from 'node:stream'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { buildApp } from '../../src/app.js'
import { readSettings } from '../../src/config/env.js'
import { loadRegionData } from '../../src/config/load.js'
import { loggerOptions, splitUrl, truncateIp } from '../../src/ops/logging.js'

t.test('truncateIp', async (t) => {
  t.equal(truncateIp('192.0.2.77'), '192.0.2.0')
  t.equal(truncateIp('::ffff:198.51.100.9'), '198.51.100.0')
  t.equal(truncateIp('2001:db8:abcd:12:1:2:3:4'), '2001:db8:abcd::/48')
  t.equal(truncateIp('2001:db8::1'), '2001:db8:0::/48')
  t.equal(truncateIp('::1'), '0:0:0::/48')
  t.equal(truncateIp('not-an-ip'), undefined)
  t.equal(truncateIp(undefined), undefined)
})

t.test('splitUrl', async (t) => {
  t.same(splitUrl('/api/v1/search?q=Erika'), { path: '/api/v1/search', queryLength: 7 })
  t.same(splitUrl('/health'), { path: '/health' })
})

async function upstream(t: Tap.Test): Promise<string> {
  const server: Server = createServer((req, res) => {
    res.setHeader('set-cookie', 'upstream_session=UPSTREAMCOOKIE123; Path=/')
    res.end(JSON.stringify({ echoed: true }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

import type * as Tap from 'tap'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'

t.test('no secrets, no personal data, no query strings in the log', async (t) => {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean))
      done()
    },
  })
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-log-'))
  const settings = { ...readSettings({}), dataDir, pressure: NO_LOAD_SHEDDING }
  // the real region plus one proxied test city on a loopback upstream
  const regionData = await loadRegionData(join(import.meta.dirname, '../../config/region.json'))
  regionData.region.members.push({
    id: 'testcity', name: 'Teststadt', level: 'stadt', ars: '055620000000', parent: null, postalCodes: [],
    manifest: 'members/testcity.json', allowedHosts: ['127.0.0.1'], upstream: await upstream(t), allowPrivateNetwork: true, sameOriginTrusted: true,
  })
  const app = await buildApp({ settings, regionData, logger: loggerOptions({ level: 'trace', production: true, stream }) })
  t.teardown(async () => {
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  })
  await app.ready()

  const secrets = ['Erika', 'Mustermann', 'SECRETTOKEN42', 'COOKIEVALUE77', 'UPSTREAMCOOKIE123', 'Aktenzeichen', 'AZ-4711', 'Beispielperson', '203.0.113.45']
  const requests = [
    { url: '/api/v1/search?q=Erika%20Mustermann' },
    { url: '/api/v1/suggest?q=Erika+Muster' },
    { url: '/suche?q=Erika+Mustermann' },
    { url: '/api/v1/services?postalCode=45964&q=Mustermann' },
    { url: '/cities/testcity/antrag/status?Aktenzeichen=AZ-4711&name=Erika%20Mustermann', headers: { cookie: 'session=COOKIEVALUE77' } },
    { url: '/cities/testcity/Erika?token=SECRETTOKEN42' },
    {
      method: 'PUT' as const,
      url: '/api/v1/admin/members/gladbeck/manifest?token=SECRETTOKEN42',
      headers: { authorization: 'Bearer SECRETTOKEN42', cookie: 'sid=COOKIEVALUE77', 'content-type': 'application/json', 'x-api-key': 'SECRETTOKEN42' },
      payload: JSON.stringify({ contact: 'Max Beispielperson', schemaVersion: 1 }),
    },
    { url: '/does/not/exist?name=Erika&token=SECRETTOKEN42', headers: { authorization: 'Bearer SECRETTOKEN42' } },
    { url: '/suche/Erika%20Mustermann', headers: { accept: 'text/html' } },
  ]
  const ids: string[] = []
  for (const request of requests) {
    const res = await app.inject({ ...request, remoteAddress: '203.0.113.45' })
    ids.push(String(res.headers['x-request-id']))
  }
  const proxied = await app.inject({ url: '/cities/testcity/x?Aktenzeichen=AZ-4711' })
  t.equal(proxied.statusCode, 200, 'the proxy really forwarded the request')

  t.ok(lines.length >= requests.length * 2, `captured ${lines.length} lines`)
  const log = lines.join('\n')
  if (process.env.DEBUG_LOG) console.error(log)
  for (const secret of secrets) t.notOk(log.includes(secret), `log does not contain ${secret}`)
  t.notMatch(log, /\?[^"<]*=/, 'no query string at all')
  t.match(log, /"remoteAddress":"203\.0\.113\.0"/, 'IPs are truncated, not dropped')
  t.match(log, /"queryLength":\d+/)
  for (const id of ids) t.ok(lines.some((line) => JSON.parse(line).reqId === id), `request id ${id} logged`)
  for (const line of lines) {
    const entry = JSON.parse(line) as { reqId?: string; msg?: string }
    if (entry.msg === 'incoming request' || entry.msg === 'request completed') t.ok(entry.reqId, 'request lines carry reqId')
  }
})
