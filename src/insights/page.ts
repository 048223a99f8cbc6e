// /einblicke: the insights as a server-rendered page. Login with the member's
// (or the region's) token through a form; a session recorded in the store,
// its id in a signed cookie scoped to /einblicke (session.ts). Login and
// logout posts must come from the portal's own origin and carry the CSRF
// token. Charts are server-side SVG with tables; no JS.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { randomBytes } from 'node:crypto'
import { digestMatches, sha256, tokenOwner } from '../auth/token.js'
import { createLoginBrake, type FailedAuthLimiterOptions } from '../auth/failed-auth-limiter.js'
import { barChart } from '../charts/svg.js'
import { clientNetwork } from '../http/client-key.js'
import { truncateIp } from '../ops/logging.js'
import { loadAssets } from '../web/assets.js'
import { renderPage } from '../web/render.js'
import { isCalendarDay, readInsights, type ReadInsightsOptions } from './routes.js'
import type { InsightsReport } from './report.js'
import { FEEDBACK_REASON_LABELS, NO_MEMBER, type FeedbackReason } from './fields.js'
import { createSessions, CSRF_COOKIE, csrfCookie, newCsrfNonce, readCookie, SESSION_COOKIE, sessionCookie, type Sessions } from './session.js'
import { readsCatalog } from '../lifecycle/catalog-plugin.js'

/** Counters and member tokens come from the app (app.store, app.live). */
export interface InsightsPageOptions extends Omit<ReadInsightsOptions, 'store'> {
  regionTokenSha256?: string
  production: boolean
  /** SESSION_SECRET; required in production, else generated once and shared through the store */
  sessionSecret?: string
  /** PUBLIC_ORIGIN: the portal's own origin, accepted besides the one the request was addressed to */
  publicOrigin?: string
  /** the login brake's budget (tests: a recording sleep) */
  loginBrake?: FailedAuthLimiterOptions
}

const REGION = 'region'
const REFUSED = 'Die Anfrage kam nicht von dieser Seite. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.'

/** the secret of the session keys: SESSION_SECRET, or outside production one the first instance generated */
export function sessionSecret(options: Pick<InsightsPageOptions, 'production' | 'sessionSecret'>, store: { sharedSecret(name: string, candidate: string): Promise<string> }): () => Promise<string> {
  if (options.sessionSecret !== undefined) {
    const secret = options.sessionSecret
    return async () => secret
  }
  if (options.production) throw new Error('SESSION_SECRET is required with NODE_ENV=production: the key of the /einblicke session cookies')
  return () => store.sharedSecret('session', randomBytes(48).toString('base64url'))
}

/**
 * A form post from anywhere but this page: an Origin that is not the
 * portal's own (`null` included), or a Sec-Fetch-Site other than
 * same-origin (none: typed by the user). same-site is refused too: member
 * origins (`<member>.<PROXY_BASE_DOMAIN>`) may be the portal's siblings.
 * Browsers send at least one of the headers on every form post; other
 * clients may send neither and still need the CSRF token.
 */
export function fromAnotherSite(request: FastifyRequest, publicOrigin: string | undefined): boolean {
  const site = request.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true
  const origin = request.headers.origin
  if (origin === undefined) return false
  const normal = (value: string): string | undefined => {
    try {
      const url = new URL(value)
      return /^https?:$/.test(url.protocol) ? url.origin : undefined
    } catch {
      return undefined
    }
  }
  const given = normal(origin)
  const own = [normal(`${request.protocol}://${request.host}`), publicOrigin === undefined ? undefined : normal(publicOrigin)]
  return given === undefined || !own.includes(given)
}

async function page(app: FastifyInstance, config: InsightsPageOptions): Promise<void> {
  const options: InsightsPageOptions & ReadInsightsOptions = { ...config, store: app.store }
  const assets = await loadAssets()
  const brake = createLoginBrake(app.store, config.loginBrake)
  const sessions: Sessions = createSessions(app.store, sessionSecret(config, app.store))
  if (config.sessionSecret === undefined) app.log.warn('SESSION_SECRET unset: /einblicke sessions are signed with a secret generated once and kept in the store (development and tests only)')
  const members = () => [...app.live.members.values()]
  const tokenSha256For = (scope: string) => scope === REGION ? options.regionTokenSha256 : app.live.members.get(scope)?.tokenSha256
  const secure = (request: FastifyRequest) => options.production || request.protocol === 'https'

  const layout = () => ({
    regionName: app.live.current.region.name,
    css: assets.get('portal.css')?.href ?? '/assets/portal.css',
    js: assets.get('portal.js')?.href ?? '/assets/portal.js',
    icon: assets.get('icon.svg')?.href ?? '/assets/icon.svg',
    title: `Einblicke – ${app.live.current.region.name}`,
    description: 'Zusammengezählte Nutzungszahlen der Pilotphase für Mitglieder und Region.',
  })
  /** every page carries the CSRF token of the browser's nonce (set here when it has none) */
  const send = async (request: FastifyRequest, reply: FastifyReply, data: object, status = 200) => {
    let nonce = readCookie(request.headers.cookie, CSRF_COOKIE)
    if (nonce === undefined || !/^[A-Za-z0-9_-]{22}$/.test(nonce)) {
      nonce = newCsrfNonce()
      reply.header('set-cookie', csrfCookie(nonce, secure(request)))
    }
    const csrf = await sessions.csrfToken(nonce)
    return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store')
      .send(renderPage('insights', { ...layout(), report: undefined, error: undefined, ...data, csrf }))
  }

  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 2048 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)))
    })

    scope.get('/einblicke', { schema: { hide: true } }, async (request, reply) => {
      const who = await sessions.check(readCookie(request.headers.cookie, SESSION_COOKIE), tokenSha256For)
      if (who === undefined) return send(request, reply, {})
      const q = request.query as { from?: string; to?: string }
      const range = { ...(q.from && isCalendarDay(q.from) ? { from: q.from } : {}), ...(q.to && isCalendarDay(q.to) ? { to: q.to } : {}) }
      if (range.from !== undefined && range.to !== undefined && range.from > range.to) delete range.from
      const report = await readInsights(options, range, who === REGION ? undefined : who)
      const scopeName = who === REGION ? `die Region ${app.live.current.region.name}` : app.live.current.memberById.get(who)?.name ?? who
      return send(request, reply, { report, scopeName, charts: charts(app, report), csvHint: '/docs' })
    })

    scope.post('/einblicke', { schema: { hide: true } }, async (request, reply) => {
      const body = (request.body ?? {}) as { aktion?: string; token?: string; csrf?: string }
      const client = truncateIp(clientNetwork(request.ip)) ?? 'unknown'
      const refuse = (why: string) => {
        request.log.warn({ client, why }, 'einblicke post refused')
        return send(request, reply, { error: REFUSED }, 403)
      }
      if (fromAnotherSite(request, options.publicOrigin)) return refuse('origin')
      if (!await sessions.csrfValid(readCookie(request.headers.cookie, CSRF_COOKIE), body.csrf)) return refuse('csrf')
      const current = readCookie(request.headers.cookie, SESSION_COOKIE)
      if (body.aktion === 'abmelden') {
        await sessions.revoke(current)
        return reply.header('set-cookie', sessionCookie('', secure(request), 0)).redirect('/einblicke', 303)
      }
      // counted before the token is looked at: parallel guesses wait too
      const attempt = await brake.begin(clientNetwork(request.ip))
      if (attempt.delayMs > 0) request.log.info({ client, delayMs: attempt.delayMs }, 'einblicke login slowed: this network\'s failure budget is spent')
      const token = typeof body.token === 'string' && body.token.length <= 512 ? body.token : ''
      const member = token === '' ? undefined : tokenOwner(token, members())
      const region = token !== '' && options.regionTokenSha256 !== undefined && digestMatches(sha256(token), options.regionTokenSha256)
      const who = member?.id ?? (region ? REGION : undefined)
      const tokenSha256 = who === undefined ? undefined : tokenSha256For(who)
      if (who === undefined || tokenSha256 === undefined) {
        // the form names no member: its failures count under the form
        const failures = await attempt.failed('einblicke')
        request.log.warn({ client, failures }, 'einblicke login failed')
        return send(request, reply, { error: 'Das Token ist nicht gültig.' }, 401)
      }
      await attempt.succeeded()
      // a fresh id on every login (no fixation); the session it replaces ends
      await sessions.revoke(current)
      return reply.header('set-cookie', sessionCookie(await sessions.issue(who, tokenSha256), secure(request))).redirect('/einblicke', 303)
    })
  })
}

interface Chart { id: string; title: string; svg: string; head: string[]; rows: (string | number)[][] }

function charts(app: FastifyInstance, report: InsightsReport): Chart[] {
  const catalog = app.live.current
  const memberName = (id: string) => id === NO_MEMBER ? 'ohne Wohnort' : catalog.memberById.get(id)?.name ?? id
  const serviceName = (id: string) => catalog.serviceById.get(id)?.name ?? id
  const answer = (a: string) => a === 'ja' ? 'hilfreich: ja' : a === 'nein' ? 'hilfreich: nein' : FEEDBACK_REASON_LABELS[a as FeedbackReason] ?? a
  const make = (id: string, title: string, desc: (rows: (string | number)[][]) => string, head: string[], rows: (string | number)[][], bar: (row: (string | number)[]) => { label: string; value: number }): Chart => {
    const top = rows.slice(0, 20)
    return { id, title, head, rows: top, svg: top.length === 0 ? '' : barChart(title, desc(top), top.map(bar)) }
  }
  const list = (rows: (string | number)[][]) => rows.map((r) => `${r.slice(0, -1).join(', ')}: ${r.at(-1)}`).join('; ')
  return [
    make('suchen', 'Suchen pro Tag', (rows) => `Suchen pro Tag (ohne Treffer in Klammern): ${rows.map((r) => `${r[0]}: ${r[1]} (${r[2]})`).join('; ')}`,
      ['Tag', 'Suchen', 'ohne Treffer'], report.days.map((d) => [d.day, d.searches, d.zeroResults]), (r) => ({ label: String(r[0]), value: Number(r[1]) })),
    make('ohne-treffer', 'Häufigste Suchen ohne Treffer', (rows) => `Suchtexte ohne Treffer mit Anzahl: ${list(rows)}`,
      ['Suchtext', 'Tag', 'Anzahl'], report.zeroResultQueries.map((q) => [q.query, q.day, q.count]), (r) => ({ label: String(r[0]), value: Number(r[2]) })),
    make('dienste', 'Meistgenutzte Online-Dienste je Mitglied', (rows) => `Weiterleitungen zum Online-Dienst: ${list(rows)}`,
      ['Leistung', 'Mitglied', 'Weiterleitungen'], report.go.map((g) => [serviceName(g.service), memberName(g.member), g.count]), (r) => ({ label: `${r[0]} (${r[1]})`, value: Number(r[2]) })),
    make('rueckmeldungen', 'Rückmeldungen je Leistung', (rows) => `Rückmeldungen: ${list(rows)}`,
      ['Leistung', 'Antwort', 'Anzahl'], report.feedback.map((f) => [serviceName(f.service), answer(f.answer), f.count]), (r) => ({ label: `${r[0]}: ${r[1]}`, value: Number(r[2]) })),
  ]
}

export const insightsPage = readsCatalog(page, 'dachportal-insights-page', ['live', 'store'])
