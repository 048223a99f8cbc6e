// The real region in a listening portal with two members proxied to echo
// upstreams on 127.0.0.1: gladbeck only on its member origin, herten also on
// the path form (sameOriginTrusted). Shared by the proxy, CORS and
// compression tests.
import { join } from 'node:path'
import type { Test } from 'tap'
import { loadRegionData } from '../../src/config/load.js'
import type { Settings } from '../../src/config/env.js'
import { startPortal, type Portal } from './browser.js'
import { REPO } from './region.js'
import { startEcho, type Respond, type Upstream } from './upstream.js'

export interface MemberPortal {
  portal: Portal
  port: number
  gladbeck: Upstream
  herten: Upstream
}

export async function startMemberPortal(t: Pick<Test, 'teardown' | 'fail' | 'comment'>, settings: Partial<Settings>, respond?: Respond): Promise<MemberPortal> {
  const gladbeck = await startEcho('gladbeck', respond)
  const herten = await startEcho('herten', respond)
  t.teardown(gladbeck.close)
  t.teardown(herten.close)
  const data = await loadRegionData(join(REPO, 'config', 'region.json'))
  for (const m of data.region.members) {
    if (m.id === 'gladbeck') Object.assign(m, { upstream: gladbeck.url, allowPrivateNetwork: true })
    if (m.id === 'herten') Object.assign(m, { upstream: herten.url, allowPrivateNetwork: true, sameOriginTrusted: true })
  }
  const portal = await startPortal(t, { regionData: data, settings: { rateLimit: false, ...settings } })
  return { portal, port: Number(new URL(portal.baseUrl).port), gladbeck, herten }
}
