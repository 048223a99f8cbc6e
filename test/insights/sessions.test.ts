// /einblicke sessions and login (issue 25, findings 1 and 5): the cookie is
// not forgeable from the public token hash, a session is a record in the
// store (logout and a token change end it on every instance), login and
// logout check Origin / Sec-Fetch-Site and a CSRF token, the login brake
// slows the guessing network and nobody else, and production needs
// SESSION_SECRET.
import t from 'tap'
import type * as Tap from 'tap'
import { spawn } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp, type BuildOptions } from '../../src/app.js'
import { readSettings, type Settings } from '../../src/config/env.js'
import { loadRegionData, type RegionData } from '../../src/config/load.js'
import { sha256Hex } from '../../src/auth/token.js'
import { REPO } from '../helpers/region.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'
import { requireRedis, startRedis } from '../helpers/redis.js'
import { TEST_GATEWAY_ENV } from '../helpers/gateway-process.js'

const SECRET = 'test-session-secret-0123456789abcdef'

async function region(dattelnToken = 'tok-datteln'): Promise<RegionData> {
  const data = await loadRegionData(join(REPO, 'config', 'region.json'))
  const members = data.region.members.map((m) => (m.id === 'datteln' ? { ...m, tokenSha256: sha256Hex(dattelnToken) } : m))
  return { ...data, region: { ...data.region, members } }
}

/** a sleep that only records: the brake's delays, without waiting on the clock */
function recordedSleep() {
  const delays: number[] = []
  return { delays, sleep: async (ms: number) => void delays.push(ms) }
}

async function instance(t: Tap.Test, options: { data?: RegionData; settings?: Partial<Settings> } & Omit<BuildOptions, 'settings' | 'regionData'> = {}): Promise<FastifyInstance> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-sess-'))
  const { data, settings, ...rest } = options
  const app = await buildApp({
    ...rest,
    regionData: data ?? await region(),
    settings: {
      regionConfig: join(REPO, 'config', 'region.json'), dataDir, rateLimit: false, pressure: NO_LOAD_SHEDDING,
      regionAdminTokenSha256: sha256Hex('tok-region'), sessionSecret: SECRET, ...settings,
    },
  })
  t.teardown(async () => {
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  })
  return app
}
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const cookieOf = (res: { headers: Record<string, unknown> }, name: string): string | undefined => {
  const raw = res.headers['set-cookie']
  for (const line of (Array.isArray(raw) ? raw : raw === undefined ? [] : [String(raw)]) as string[]) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(line)
    if (m) return m[1]
  }
  return undefined
}

/** what a browser has after opening the login page: the CSRF cookie and the form's hidden token */
async function openForm(app: FastifyInstance, cookie = ''): Promise<{ cookie: string; csrf: string }> {
  const page = await app.inject({ url: '/einblicke', headers: cookie ? { cookie } : {} })
  const nonce = cookieOf(page, 'einblicke-csrf')
  const csrf = /name="csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? ''
  const jar = [cookie, nonce === undefined ? '' : `einblicke-csrf=${nonce}`].filter(Boolean).join('; ')
  return { cookie: jar, csrf }
}

async function login(app: FastifyInstance, token: string, headers: Record<string, string> = {}, remoteAddress = '127.0.0.1') {
  const form = await openForm(app)
  const res = await app.inject({
    method: 'POST', url: '/einblicke', remoteAddress,
    headers: { ...FORM, cookie: form.cookie, origin: 'http://localhost:80', ...headers },
    payload: new URLSearchParams({ aktion: 'anmelden', token, csrf: form.csrf }).toString(),
  })
  return { res, session: cookieOf(res, 'einblicke'), form }
}

const loggedIn = async (app: FastifyInstance, session: string | undefined): Promise<boolean> => {
  const res = await app.inject({ url: '/einblicke', headers: { cookie: `einblicke=${session ?? ''}` } })
  return /Angemeldet für/.test(res.body)
}

t.test('a cookie forged from the public token hash is refused', async (t) => {
  const app = await instance(t)
  const { res, session } = await login(app, 'tok-datteln')
  t.equal(res.statusCode, 303, 'the real token logs in')
  t.ok(await loggedIn(app, session), 'and its cookie works')
  // today's attack: the HMAC key is the token's sha-256, public in config/region.json
  const hash = sha256Hex('tok-datteln')
  const payload = `datteln.${Math.floor(Date.now() / 1000) + 10 * 365 * 86_400}`
  const forged = `${payload}.${createHmac('sha256', Buffer.from(hash, 'hex')).update(payload).digest('base64url')}`
  t.notOk(await loggedIn(app, forged), 'the old cookie format, signed with the public hash')
  const region = `region.${Math.floor(Date.now() / 1000) + 3600}`
  t.notOk(await loggedIn(app, `${region}.${createHmac('sha256', Buffer.from(sha256Hex('tok-region'), 'hex')).update(region).digest('base64url')}`), 'nor for the region')
  // the new format with a MAC keyed by the public hash: the key is SESSION_SECRET only
  const [id] = (session ?? '').split('.')
  t.notOk(await loggedIn(app, `${id}.${createHmac('sha256', Buffer.from(hash, 'hex')).update(id ?? '').digest('base64url')}`), 'the real id with a MAC from the hash')
  t.notOk(await loggedIn(app, `${id}.`), 'the id without its MAC')
})

t.test('sessions on a real Redis: logout and a token change revoke on every instance, a new secret ends every cookie', async (t) => {
  if (!requireRedis(t)) return
  const redis = await startRedis(t)
  const shared = { redisUrl: redis.url, redisPrefix: 'dpsess:' }
  const a = await instance(t, { settings: shared })
  const b = await instance(t, { settings: shared })

  const { session } = await login(a, 'tok-datteln')
  t.ok(await loggedIn(b, session), 'a session from instance a works on b')
  const form = await openForm(a, `einblicke=${session}`)
  const out = await a.inject({ method: 'POST', url: '/einblicke', headers: { ...FORM, cookie: form.cookie, origin: 'http://localhost:80' }, payload: `aktion=abmelden&csrf=${form.csrf}` })
  t.equal(out.statusCode, 303)
  t.match(String(out.headers['set-cookie']), /einblicke=; .*Max-Age=0/, 'the browser forgets the cookie')
  t.notOk(await loggedIn(b, session), 'the logged-out session is refused on the other instance, too')
  t.notOk(await loggedIn(a, session), 'and on the one that logged out')

  const again = (await login(a, 'tok-datteln')).session
  t.ok(await loggedIn(b, again))
  // a rolling restart with a new token for datteln in region.json
  const changed = await instance(t, { settings: shared, data: await region('tok-datteln-neu') })
  t.notOk(await loggedIn(changed, again), 'a token change ends the sessions of that member')
  t.ok((await login(changed, 'tok-datteln-neu')).session, 'the new token logs in')
  const regionSession = (await login(a, 'tok-region')).session
  t.ok(await loggedIn(changed, regionSession), 'other scopes are untouched')

  const rotated = await instance(t, { settings: { ...shared, sessionSecret: 'another-session-secret-0123456789abcdef' } })
  t.notOk(await loggedIn(rotated, regionSession), 'a rotated SESSION_SECRET ends every cookie')
})

t.test('without SESSION_SECRET outside production, instances on one Redis agree on one generated secret', async (t) => {
  if (!requireRedis(t)) return
  const redis = await startRedis(t)
  const shared = { redisUrl: redis.url, redisPrefix: 'dpgen:', sessionSecret: undefined }
  const a = await instance(t, { settings: shared })
  const b = await instance(t, { settings: shared })
  const { session } = await login(a, 'tok-datteln')
  t.ok(session, 'logged in with a generated secret')
  t.ok(await loggedIn(b, session), 'the other instance accepts it: one secret, shared through the store')
})

t.test('login and logout refuse foreign origins and a missing or wrong CSRF token', async (t) => {
  const app = await instance(t)
  for (const [what, headers] of [
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['Origin: null', { origin: 'null' }],
    ['a sibling origin', { origin: 'http://gladbeck.localhost:80' }],
    ['Sec-Fetch-Site: cross-site', { origin: '', 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site (a member origin is a sibling)', { origin: '', 'sec-fetch-site': 'same-site' }],
  ] as const) {
    const h: Record<string, string> = { ...headers }
    if (h.origin === '') delete h.origin
    const { res, session } = await login(app, 'tok-datteln', h)
    t.equal(res.statusCode, 403, what)
    t.equal(session, undefined, `${what}: no session`)
    t.match(res.body, /role="alert"/, `${what}: the page says why`)
  }
  t.equal((await login(app, 'tok-datteln', { 'sec-fetch-site': 'same-origin' })).res.statusCode, 303, 'the own origin, same-origin fetch')

  const form = await openForm(app)
  const post = (payload: string, cookie = form.cookie) =>
    app.inject({ method: 'POST', url: '/einblicke', headers: { ...FORM, cookie, origin: 'http://localhost:80' }, payload })
  for (const [what, res] of [
    ['no CSRF token', await post('aktion=anmelden&token=tok-datteln')],
    ['a wrong CSRF token', await post(`aktion=anmelden&token=tok-datteln&csrf=${form.csrf.slice(0, -2)}xx`)],
    ['no CSRF cookie', await post(`aktion=anmelden&token=tok-datteln&csrf=${form.csrf}`, '')],
    ['another browser\'s token', await post(`aktion=anmelden&token=tok-datteln&csrf=${(await openForm(app)).csrf}`)],
  ] as const) {
    t.equal(res.statusCode, 403, what)
    t.equal(cookieOf(res, 'einblicke'), undefined, `${what}: no session`)
  }

  // logout needs the token, too: a forged logout form does not end the session
  const { session } = await login(app, 'tok-datteln')
  const foreignLogout = await app.inject({ method: 'POST', url: '/einblicke', headers: { ...FORM, cookie: `einblicke=${session}`, origin: 'https://evil.example' }, payload: 'aktion=abmelden' })
  t.equal(foreignLogout.statusCode, 403)
  const noToken = await app.inject({ method: 'POST', url: '/einblicke', headers: { ...FORM, cookie: `einblicke=${session}` }, payload: 'aktion=abmelden' })
  t.equal(noToken.statusCode, 403)
  t.ok(await loggedIn(app, session), 'still logged in')
})

t.test('the login brake slows the guessing network, never a right token from another', async (t) => {
  const clock = recordedSleep()
  const app = await instance(t, { loginBrake: { maxFailures: 3, windowMs: 60_000, baseDelayMs: 1000, maxDelayMs: 8000, sleep: clock.sleep } })
  // 12 wrong guesses from one IPv6 /64 (different addresses in it)
  for (let i = 1; i <= 12; i++) t.equal((await login(app, 'falsch', {}, `2001:db8:1:2::${i.toString(16)}`)).res.statusCode, 401)
  t.equal(clock.delays.length, 9, 'every guess over the budget of 3 waits')
  t.same(clock.delays.slice(0, 4), [1000, 2000, 4000, 8000], 'growing, bounded')
  const before = clock.delays.length
  const other = await login(app, 'tok-datteln', {}, '198.51.100.7')
  t.equal(other.res.statusCode, 303, 'the right token from another network gets in')
  t.equal(clock.delays.length, before, 'without any delay')
  t.equal((await login(app, 'tok-region', {}, '2001:db8:1:3::1')).res.statusCode, 303, 'the next /64 is another network')
  t.equal(clock.delays.length, before, 'not slowed either')
  // a right token from the guessing network itself still gets in, after the delay
  t.equal((await login(app, 'tok-datteln', {}, '2001:db8:1:2::99')).res.statusCode, 303)
  t.equal(clock.delays.length, before + 1)
})

t.test('parallel guesses from one network are braked, too', async (t) => {
  const clock = recordedSleep()
  const app = await instance(t, { loginBrake: { maxFailures: 3, windowMs: 60_000, baseDelayMs: 1000, maxDelayMs: 8000, sleep: clock.sleep } })
  const forms = await Promise.all(Array.from({ length: 12 }, () => openForm(app)))
  const answers = await Promise.all(forms.map((form) => app.inject({
    method: 'POST', url: '/einblicke', remoteAddress: '192.0.2.50',
    headers: { ...FORM, cookie: form.cookie, origin: 'http://localhost:80' },
    payload: new URLSearchParams({ aktion: 'anmelden', token: 'falsch', csrf: form.csrf }).toString(),
  })))
  t.same(answers.map((r) => r.statusCode), Array(12).fill(401))
  t.equal(clock.delays.length, 9, '12 at once: 9 over the budget wait')
})

t.test('the region insights API brakes per network as well', async (t) => {
  const clock = recordedSleep()
  const app = await instance(t, { loginBrake: { maxFailures: 2, windowMs: 60_000, baseDelayMs: 1000, maxDelayMs: 8000, sleep: clock.sleep } })
  const get = (token: string, remoteAddress: string) => app.inject({ url: '/api/v1/admin/insights', remoteAddress, headers: { authorization: `Bearer ${token}` } })
  for (let i = 0; i < 5; i++) t.equal((await get('falsch', '192.0.2.1')).statusCode, 401)
  t.equal(clock.delays.length, 3)
  t.equal((await get('tok-region', '203.0.113.9')).statusCode, 200)
  t.equal(clock.delays.length, 3, 'the region from another network is not slowed')
})

t.test('SESSION_SECRET: required in production, never short', async (t) => {
  t.throws(() => readSettings({ NODE_ENV: 'production' }), /SESSION_SECRET/)
  t.throws(() => readSettings({ SESSION_SECRET: 'kurz' }), /SESSION_SECRET must be at least 32/)
  t.throws(() => readSettings({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(31) }), /SESSION_SECRET must be at least 32/)
  t.equal(readSettings({ NODE_ENV: 'production', SESSION_SECRET: SECRET }).sessionSecret, SECRET)
  t.equal(readSettings({}).sessionSecret, undefined, 'outside production it may be unset')
  await t.rejects(buildApp({ regionData: await region(), settings: { production: true, sessionSecret: undefined, dataDir: await mkdtemp(join(tmpdir(), 'dp-sess-')) } }), /SESSION_SECRET/, 'buildApp refuses it too')
})

t.test('the real process with NODE_ENV=production and no SESSION_SECRET does not start', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-sess-main-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const child = spawn(process.execPath, [join(REPO, 'dist', 'main.js')], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: TEST_GATEWAY_ENV.PRESSURE_MAX_EVENT_LOOP_DELAY_MS },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (d) => { output += d })
  child.stderr.on('data', (d) => { output += d })
  // it either exits (right) or logs that it listens (wrong): no timer decides
  const outcome = await new Promise<number | 'listening'>((resolve) => {
    child.on('exit', (code) => resolve(code ?? -1))
    child.stdout.on('data', () => { if (/dachportal ready/.test(output)) resolve('listening') })
  })
  if (child.exitCode === null) child.kill('SIGKILL')
  t.not(outcome, 'listening', 'it did not start')
  t.not(outcome, 0, 'a failing exit code')
  t.match(output, /SESSION_SECRET/, 'the error names the variable')
})
