// The pages a German public portal must have: Impressum (§ 5 DDG),
// Datenschutz (Art. 13 DSGVO), Erklärung zur Barrierefreiheit with
// "Barriere melden" (BITV NRW), Leichte Sprache and Gebärdensprache
// (BITV 2.0 § 4). Operator data comes only from the region config; what is
// missing, the page says (operator-view.ts).
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Operator } from '../config/region-schema.js'
import { operatorGaps, type OperatorField } from '../config/operator-gaps.js'
import type { ReportLimiter } from './report-limit.js'
import { MAX_REPORTS, type CatalogStore } from '../store/types.js'
import { hashedClientNetwork } from '../http/client-key.js'
import { COOKIE_NAME } from './postal-code.js'
import { pageContext, title, type PageDeps } from './context.js'
import { formatDay, missingLabels } from './operator-view.js'
import { sendPage, type Layout } from './render.js'
import { checkReport, readReportFields, REPORT_LIMITS, toReport, TOO_LARGE_MESSAGE, type FieldError, type ReportFields } from './report-form.js'

export interface LegalOptions {
  operator: Operator | undefined
  reports: {
    store: CatalogStore
    retentionDays: number
    /** most reports kept at once from one client network (default REPORTS_PER_NETWORK) */
    perNetwork?: number
    /** most reports kept at once in all (default MAX_REPORTS) */
    total?: number
  }
  /** reports per client in a window, shared by all instances (the limiter counts accepted reports) */
  limiter: ReportLimiter
  /** the pilot insights' rules for the Datenschutz page (undefined: INSIGHTS=off) */
  insights?: { minCount: number; retentionDays: number; piiRules: readonly string[] }
  /** a report not stored: over the window budget ('rate'), the network's bound ('client') or the store's ('full') */
  onRefused?: (reason: ReportRefusal) => void
}

export type ReportRefusal = 'rate' | 'client' | 'full'

/**
 * Reports one client network may have in the store at once (over the whole
 * retention): a flood from a few networks cannot fill the store, and since
 * a full store refuses new reports rather than evicting, the reports already
 * there stay.
 */
export const REPORTS_PER_NETWORK = 20

interface LegalDeps extends LegalOptions {
  page: PageDeps
  gaps: OperatorField[]
}

type Req = FastifyRequest<{ Querystring: { gemeldet?: string } }>

const PAGE_FIELDS = {
  impressum: ['operator', 'address', 'contact', 'representative'],
  datenschutz: ['operator', 'address', 'contact', 'dataProtectionOfficer', 'supervisoryAuthority', 'logRetentionDays'],
  barrierefreiheit: ['operator', 'accessibility', 'contact', 'arbitrationBody'],
  gebaerdensprache: ['signLanguageVideos'],
} as const satisfies Record<string, readonly OperatorField[]>

export function legalPages(page: PageDeps, options: LegalOptions) {
  const deps: LegalDeps = { ...options, page, gaps: operatorGaps(options.operator) }
  const base = (request: FastifyRequest, reply: FastifyReply, nav: NonNullable<Layout['nav']>, heading: string, description: string) => {
    const ctx = pageContext(page, request, reply, {})
    return { ...ctx.layout, nav, title: title(ctx, heading), description, operator: deps.operator, regionName: ctx.catalog.region.name }
  }
  return {
    impressum: async (request: Req, reply: FastifyReply) => sendPage(reply, 'impressum', {
      ...base(request, reply, 'impressum', 'Impressum', 'Wer dieses Portal betreibt und wie Sie den Betreiber erreichen (Angaben nach § 5 DDG).'),
      missing: missingLabels(deps.gaps, PAGE_FIELDS.impressum),
    }),
    datenschutz: async (request: Req, reply: FastifyReply) => sendPage(reply, 'datenschutz', {
      ...base(request, reply, 'datenschutz', 'Datenschutz', 'Welche Daten dieses Portal verarbeitet, wie lange, und welche Rechte Sie haben (Art. 13 DSGVO).'),
      missing: missingLabels(deps.gaps, PAGE_FIELDS.datenschutz),
      cookieName: COOKIE_NAME,
      reportRetentionDays: deps.reports.retentionDays,
      insights: deps.insights,
    }),
    barrierefreiheit: async (request: Req, reply: FastifyReply) => sendAccessibility(request, reply, deps, base, { sent: request.query.gemeldet === '1' }),
    report: async (request: FastifyRequest, reply: FastifyReply) => {
      const fields = readReportFields(request.body)
      const errors = checkReport(fields)
      if (errors.length > 0) return sendAccessibility(request, reply, deps, base, { fields, errors }, 400)
      // hashed /64 (IPv6) or /32 (IPv4): every address of one line spends one budget
      const client = hashedClientNetwork(request.ip)
      const refuse = (reason: ReportRefusal, status: number, message: string) => {
        deps.onRefused?.(reason)
        return sendAccessibility(request, reply, deps, base, { fields, errors: [{ field: 'meldung', message }] }, status)
      }
      const wait = await deps.limiter.retryAfter(client)
      if (wait > 0) {
        reply.header('retry-after', String(wait))
        const minutes = Math.max(1, Math.ceil(wait / 60))
        return refuse('rate', 429, `Von Ihrem Anschluss kamen gerade viele Meldungen. Bitte senden Sie Ihre Meldung in ${minutes} ${minutes === 1 ? 'Minute' : 'Minuten'} noch einmal.`)
      }
      let outcome
      try {
        outcome = await deps.reports.store.putReport(toReport(fields, deps.reports.retentionDays), {
          client, perClient: deps.reports.perNetwork ?? REPORTS_PER_NETWORK, total: deps.reports.total ?? MAX_REPORTS,
        })
      } catch (err) {
        request.log.error({ err: { message: (err as Error).message } }, 'accessibility report not stored')
        return sendAccessibility(request, reply, deps, base, { fields, errors: [{ field: 'meldung', message: 'Ihre Meldung konnte gerade nicht gespeichert werden. Bitte versuchen Sie es später noch einmal oder nutzen Sie die Kontaktangaben unten.' }] }, 503)
      }
      if (outcome === 'client') {
        return refuse('client', 429, 'Von Ihrem Anschluss liegen bereits viele Meldungen vor, die noch bearbeitet werden. Bitte schreiben Sie uns über die Kontaktangaben unten.')
      }
      if (outcome === 'full') {
        request.log.warn('accessibility report refused: the report store is full')
        return refuse('full', 503, 'Gerade können wir keine weiteren Meldungen über dieses Formular annehmen. Bitte schreiben Sie uns über die Kontaktangaben unten.')
      }
      await deps.limiter.record(client).catch((err: unknown) => request.log.warn({ err: { message: (err as Error).message } }, 'report count not stored'))
      // Post/Redirect/Get: a reload does not send the report twice.
      return reply.redirect('/barrierefreiheit?gemeldet=1#barriere-melden', 303)
    },
    /** the form body was larger than REPORT_BODY_LIMIT: the same page with a clear message */
    tooLarge: (request: FastifyRequest, reply: FastifyReply) =>
      sendAccessibility(request, reply, deps, base, { errors: [{ field: 'meldung', message: TOO_LARGE_MESSAGE }] }, 413),
    leichteSprache: async (request: Req, reply: FastifyReply) => sendPage(reply, 'leichte-sprache', {
      ...base(request, reply, 'leichte-sprache', 'Leichte Sprache', 'Das Portal in Leichter Sprache erklärt: Was Sie hier finden und wie Sie sich zurecht·finden.'),
      // the page promises videos only when the operator lists some
      hasVideos: (deps.operator?.signLanguageVideos ?? []).length > 0,
    }),
    gebaerdensprache: async (request: Req, reply: FastifyReply) => sendPage(reply, 'gebaerdensprache', {
      ...base(request, reply, 'gebaerdensprache', 'Gebärdensprache', (deps.operator?.signLanguageVideos ?? []).length > 0
        ? 'Informationen zu diesem Portal in Deutscher Gebärdensprache (DGS), mit Text zu jedem Video.'
        : 'Videos in Deutscher Gebärdensprache (DGS) gibt es für dieses Portal noch nicht; hier steht, wo Sie die Inhalte als Text finden.'),
      videos: deps.operator?.signLanguageVideos ?? [],
      missing: missingLabels(deps.gaps, PAGE_FIELDS.gebaerdensprache),
    }),
  }
}

type Base = (request: FastifyRequest, reply: FastifyReply, nav: NonNullable<Layout['nav']>, heading: string, description: string) => Layout & { operator: Operator | undefined }

function sendAccessibility(
  request: FastifyRequest, reply: FastifyReply, deps: LegalDeps, base: Base,
  form: { fields?: ReportFields; errors?: FieldError[]; sent?: boolean }, status = 200,
) {
  const a11y = deps.operator?.accessibility
  const errors = form.errors ?? []
  return sendPage(reply, 'barrierefreiheit', {
    ...base(request, reply, 'barrierefreiheit', 'Erklärung zur Barrierefreiheit', 'Wie barrierefrei dieses Portal ist, was noch nicht barrierefrei ist, und wie Sie Barrieren melden.'),
    title: `${errors.length > 0 ? 'Fehler: ' : ''}Erklärung zur Barrierefreiheit – ${deps.page.catalog().region.name}`,
    missing: missingLabels(deps.gaps, PAGE_FIELDS.barrierefreiheit),
    accessibility: a11y ? { ...a11y, reviewedOnText: formatDay(a11y.reviewedOn) } : undefined,
    feedbackEmail: a11y?.contact?.email ?? deps.operator?.email,
    feedbackPhone: a11y?.contact?.phone ?? deps.operator?.phone,
    fields: form.fields ?? { meldung: '', fundstelle: '', kontakt: '' },
    errors,
    errorFor: Object.fromEntries(errors.map((e) => [e.field, e.message])),
    sent: form.sent === true,
    limits: REPORT_LIMITS,
    retentionDays: deps.reports.retentionDays,
  }, status)
}
