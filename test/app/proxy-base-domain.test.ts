// PROXY_BASE_DOMAIN is checked at start, in every environment: an IP,
// localhost, a public suffix or a base domain that covers the portal's own
// host (every portal request routed to a member: 404 no-upstream) is refused
// with an error naming the variable.
import t, * as Tap from 'tap'
import { buildApp } from '../../src/app.js'
import { readSettings } from '../../src/config/env.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'
import { makeRegion, manifest, member, service } from '../helpers/region.js'

async function start(t: Tap.Test, env: Record<string, string>, production: boolean) {
  const region = await makeRegion([member('gladbeck', 'stadt')], { gladbeck: manifest('gladbeck', [service('hund')]) })
  t.teardown(region.cleanup)
  const { proxy } = readSettings(env)
  // production also needs the /einblicke session key (a test value, 48 characters)
  const app = await buildApp({ settings: { regionConfig: region.regionPath, dataDir: region.dataDir, pressure: NO_LOAD_SHEDDING, production, proxy, sessionSecret: 't'.repeat(48) } })
  await app.close()
}

const refused: Array<[string, string | undefined, RegExp]> = [
  ['de', undefined, /at least two labels/],
  ['com', undefined, /at least two labels/],
  ['co.uk', undefined, /public suffix/],
  ['com.au', undefined, /public suffix/],
  ['127.0.0.1', undefined, /IP address/],
  ['::1', undefined, /PROXY_BASE_DOMAIN/],
  ['localhost', undefined, /at least two labels/],
  ['cities.localhost', undefined, /localhost/],
  ['cities.test', 'https://portal.cities.test', /covers PUBLIC_ORIGIN's host portal\.cities\.test/],
  ['cities.test', 'https://cities.test:8443', /covers PUBLIC_ORIGIN's host cities\.test/],
]

for (const production of [true, false]) {
  t.test(`refused ${production ? 'with' : 'without'} NODE_ENV=production`, async (t) => {
    for (const [base, origin, reason] of refused) {
      const env = { PROXY_BASE_DOMAIN: base, ...(origin ? { PUBLIC_ORIGIN: origin } : {}) }
      await t.rejects(start(t, env, production), { message: /^PROXY_BASE_DOMAIN/ }, `${base} ${origin ?? ''}: names the variable`)
      await t.rejects(start(t, env, production), { message: reason }, `${base} ${origin ?? ''}: says why`)
    }
  })
}

t.test('a domain of the operator is accepted, beside or above the portal', async (t) => {
  await start(t, { PROXY_BASE_DOMAIN: 'cities.serviceportal.emscher-lippe.de', PUBLIC_ORIGIN: 'https://serviceportal.emscher-lippe.de' }, true)
  await start(t, { PROXY_BASE_DOMAIN: 'cities.test', PUBLIC_ORIGIN: 'https://portal.test' }, true)
  await start(t, { PROXY_BASE_DOMAIN: 'Cities.Serviceportal.Emscher-Lippe.DE.' }, true)
  t.pass('started')
})
