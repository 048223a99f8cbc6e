// The auth scheme is case-insensitive (RFC 9110 §11.1): `bearer`, `BEARER`
// and `Bearer` are one scheme, at every endpoint that takes a bearer token
// (admin API, /metrics, region insights).
import t from 'tap'
import { join } from 'node:path'
import { buildApp } from '../../src/app.js'
import { readSettings } from '../../src/config/env.js'
import { parseBearer, sha256Hex } from '../../src/auth/token.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'
import { makeRegion, manifest, member, service } from '../helpers/region.js'

t.test('parseBearer: any case of the scheme, nothing else loosened', async (t) => {
  for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) t.equal(parseBearer(`${scheme} tok-1`), 'tok-1', scheme)
  for (const header of ['Basic tok-1', 'Bearertok-1', 'bearer', 'bearer tok 1', 'Bearer\ttok-1', 'Bearerx tok-1']) {
    t.equal(parseBearer(header), undefined, JSON.stringify(header))
  }
})

t.test('admin API, /metrics and region insights take a lower-case scheme', async (t) => {
  const region = await makeRegion(
    [member('gladbeck', 'stadt', { tokenSha256: sha256Hex('tok-gladbeck') })],
    { gladbeck: manifest('gladbeck', [service('hund')]) },
  )
  t.teardown(region.cleanup)
  const settings = {
    ...readSettings({}), regionConfig: region.regionPath, dataDir: region.dataDir, pressure: NO_LOAD_SHEDDING,
    metricsToken: 's3cret-metrics', regionAdminTokenSha256: sha256Hex('tok-region'),
  }
  const app = await buildApp({ settings })
  t.teardown(() => app.close())
  const get = (url: string, authorization: string) => app.inject({ url, headers: { authorization } })
  for (const scheme of ['bearer', 'BEARER']) {
    t.equal((await get('/api/v1/admin/members/gladbeck/manifest', `${scheme} tok-gladbeck`)).statusCode, 200, `admin manifest, ${scheme}`)
    t.equal((await get('/metrics', `${scheme} s3cret-metrics`)).statusCode, 200, `/metrics, ${scheme}`)
    const insights = await get('/api/v1/admin/insights', `${scheme} tok-region`)
    t.equal(insights.statusCode, 200, `region insights, ${scheme}: ${insights.body.slice(0, 200)}`)
  }
  t.equal((await get('/metrics', 'bearer wrong')).statusCode, 401, 'a wrong token is still refused')
})
