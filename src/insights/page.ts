// /einblicke: the insights as a server-rendered page. Login with the member's
// (or the region's) token through a form; a signed session cookie scoped to
// /einblicke (session.ts). Charts are server-side SVG with tables; no JS.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { MemberConfig } from '../config/region-schema.js'
import { digestMatches, sha256, tokenOwner } from '../auth/token.js'
import { createFailedAuthLimiter } from '../auth/failed-auth-limiter.js'
import { barChart } from '../charts/svg.js'
import { loadAssets } from '../web/assets.js'
import { renderPage } from '../web/render.js'
import type { CatalogStore } from '../store/types.js'
import { isCalendarDay, readInsights, type ReadInsightsOptions } from './routes.js'
import type { InsightsReport } from './report.js'
import { FEEDBACK_REASON_LABELS, NO_MEMBER, type FeedbackReason } from './fields.js'
import { checkSession, issueSession, readCookie, SESSION_COOKIE, sessionCookie } from './session.js'
import { readsCatalog } from '../lifecycle/catalog-plugin.js'

/** Counters and member tokens come from the app (app.store, app.live). */
export interface InsightsPageOptions extends Omit<ReadInsightsOptions, 'store'> {
  regionTokenSha256?: string
  production: boolean
}

const REGION = 'region'

async function page(app: FastifyInstance, config: InsightsPageOptions): Promise<void> {
  const options: InsightsPageOptions & ReadInsightsOptions & { members: readonly MemberConfig[]; catalogStore: CatalogStore } = {
    ...config,
    store: app.store,
    catalogStore: app.store,
    members: [...app.live.members.values()],
  }
  const assets = await loadAssets()
  const limiter = createFailedAuthLimiter(options.catalogStore)
  const keyFor = (scope: string) => scope === REGION ? options.regionTokenSha256 : options.members.find((m) => m.id === scope)?.tokenSha256
  const secure = (request: FastifyRequest) => options.production || request.protocol === 'https'

  const layout = () => ({
    regionName: app.live.current.region.name,
    css: assets.get('portal.css')?.href ?? '/assets/portal.css',
    js: assets.get('portal.js')?.href ?? '/assets/portal.js',
    icon: assets.get('icon.svg')?.href ?? '/assets/icon.svg',
    title: `Einblicke – ${app.live.current.region.name}`,
    description: 'Zusammengezählte Nutzungszahlen der Pilotphase für Mitglieder und Region.',
  })
  const send = (reply: FastifyReply, data: object, status = 200) => reply.code(status).type('text/html; charset=utf-8')
    .header('cache-control', 'no-store').send(renderPage('insights', { ...layout(), report: undefined, error: undefined, ...data }))

  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 2048 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)))
    })

    scope.get('/einblicke', { schema: { hide: true } }, async (request, reply) => {
      const who = checkSession(readCookie(request.headers.cookie, SESSION_COOKIE), keyFor)
      if (who === undefined) return send(reply, {})
      const q = request.query as { from?: string; to?: string }
      const range = { ...(q.from && isCalendarDay(q.from) ? { from: q.from } : {}), ...(q.to && isCalendarDay(q.to) ? { to: q.to } : {}) }
      if (range.from !== undefined && range.to !== undefined && range.from > range.to) delete range.from
      const report = await readInsights(options, range, who === REGION ? undefined : who)
      const scopeName = who === REGION ? `die Region ${app.live.current.region.name}` : app.live.current.memberById.get(who)?.name ?? who
      return send(reply, { report, scopeName, charts: charts(app, report), csvHint: '/docs' })
    })

    scope.post('/einblicke', { schema: { hide: true } }, async (request, reply) => {
      const body = (request.body ?? {}) as { aktion?: string; token?: string }
      if (body.aktion === 'abmelden') {
        return reply.header('set-cookie', sessionCookie('', secure(request), 0)).redirect('/einblicke', 303)
      }
      await limiter.brake('einblicke')
      const token = typeof body.token === 'string' && body.token.length <= 512 ? body.token : ''
      const member = token === '' ? undefined : tokenOwner(token, options.members)
      const region = token !== '' && options.regionTokenSha256 !== undefined && digestMatches(sha256(token), options.regionTokenSha256)
      const who = member?.id ?? (region ? REGION : undefined)
      const key = who === undefined ? undefined : keyFor(who)
      if (who === undefined || key === undefined) {
        await limiter.recordFailure('einblicke')
        request.log.warn('einblicke login failed')
        return send(reply, { error: 'Das Token ist nicht gültig.' }, 401)
      }
      return reply.header('set-cookie', sessionCookie(issueSession(who, key), secure(request))).redirect('/einblicke', 303)
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
