// The one problem model (RFC 9457, application/problem+json) for every layer:
// the API's error handler, Fastify's own framework errors, ops (limits,
// metrics) and the proxy, which answers directly. Every DP_ERR_* code is
// declared once below (code -> status, German title, German detail template),
// and `errors` holds @fastify/error constructors built from that table, as
// fastify's own lib/errors.js does. `title` and `detail` are German (residents
// and member IT teams read them); `code` is the stable English key.
// Imports nothing of the project: every folder may use it.
import createError, { type FastifyErrorConstructor } from '@fastify/error'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** One bad input of a request or a manifest: a JSON path (pointer) and what is wrong with it. */
export interface Issue {
  /** JSON Pointer into the document or the request part, e.g. /services/3/onlineUrl ('' = root) */
  path: string
  message: string
  /** which part of the request (querystring, params, body, headers) */
  in?: string
}

interface ProblemSpec {
  status: number
  title: string
  /** German detail; %s / %d are filled by the constructor's arguments (node:util format) */
  detail: string
}

// The table. A new error: add a line here (and use `errors.X` or the code).
const TABLE = {
  // generic, one per status (also what Fastify's and plugins' own errors are mapped to)
  DP_ERR_BAD_REQUEST: { status: 400, title: 'Ungültige Anfrage', detail: '%s' },
  DP_ERR_NOT_FOUND: { status: 404, title: 'Nicht gefunden', detail: '%s' },
  DP_ERR_METHOD_NOT_ALLOWED: { status: 405, title: 'Methode nicht erlaubt', detail: 'Die Methode %s ist für %s nicht erlaubt; erlaubt: %s.' },
  DP_ERR_NOT_ACCEPTABLE: { status: 406, title: 'Nicht annehmbar', detail: 'Die gewünschte Darstellung kann nicht geliefert werden.' },
  DP_ERR_REQUEST_TIMEOUT: { status: 408, title: 'Zeitüberschreitung', detail: 'Die Anfrage wurde nicht rechtzeitig vollständig empfangen.' },
  DP_ERR_CONFLICT: { status: 409, title: 'Konflikt', detail: 'Die Anfrage steht im Widerspruch zum aktuellen Zustand.' },
  DP_ERR_BODY_TOO_LARGE: { status: 413, title: 'Anfrage zu groß', detail: 'Der Inhalt der Anfrage ist größer als erlaubt.' },
  DP_ERR_URI_TOO_LONG: { status: 414, title: 'Adresse zu lang', detail: 'Ein Teil der Adresse ist länger als %d Zeichen.' },
  DP_ERR_MEDIA_TYPE: { status: 415, title: 'Nicht unterstützter Inhaltstyp', detail: 'Dieser Inhaltstyp (Content-Type) wird hier nicht angenommen.' },
  DP_ERR_UNPROCESSABLE: { status: 422, title: 'Inhalt ungültig', detail: 'Der Inhalt der Anfrage ist ungültig.' },
  DP_ERR_TOO_MANY_REQUESTS: { status: 429, title: 'Zu viele Anfragen', detail: 'Zu viele Anfragen: bitte später erneut versuchen.' },
  DP_ERR_INTERNAL: { status: 500, title: 'Interner Fehler', detail: 'Ein interner Fehler ist aufgetreten.' },
  DP_ERR_UNAVAILABLE: { status: 503, title: 'Vorübergehend nicht verfügbar', detail: 'Der Dienst ist vorübergehend nicht verfügbar.' },
  // request and URL
  DP_ERR_BAD_URL: { status: 400, title: 'Ungültige Adresse', detail: 'Die Adresse enthält eine ungültige Prozent-Kodierung.' },
  DP_ERR_BAD_QUERY: { status: 400, title: 'Ungültige Anfrage', detail: '%s' },
  DP_ERR_BAD_BODY: { status: 400, title: 'Ungültige Anfrage', detail: '%s' },
  // catalog
  DP_ERR_MEMBER_NOT_FOUND: { status: 404, title: 'Nicht gefunden', detail: 'Unbekanntes Mitglied: %s' },
  DP_ERR_SERVICE_NOT_FOUND: { status: 404, title: 'Nicht gefunden', detail: 'Unbekannte Leistung: %s' },
  DP_ERR_LIFE_SITUATION_NOT_FOUND: { status: 404, title: 'Nicht gefunden', detail: 'Unbekannte Lebenslage: %s' },
  DP_ERR_GO_TARGET_NOT_FOUND: { status: 404, title: 'Nicht gefunden', detail: 'Kein Onlinedienst für %s' },
  DP_ERR_NOT_READY: { status: 503, title: 'Vorübergehend nicht verfügbar', detail: 'Der Katalog ist noch nicht geladen.' },
  DP_ERR_STORE_UNAVAILABLE: { status: 503, title: 'Vorübergehend nicht verfügbar', detail: 'Der Katalogspeicher ist nicht erreichbar: %s' },
  // admin API (member IT teams)
  DP_ERR_AUTH_MISSING: { status: 401, title: 'Nicht angemeldet', detail: 'Authorization: Bearer <Token> erforderlich.' },
  DP_ERR_AUTH_INVALID: { status: 401, title: 'Nicht angemeldet', detail: 'Ungültiger Token.' },
  DP_ERR_AUTH_FORBIDDEN: { status: 403, title: 'Keine Berechtigung', detail: 'Dieser Token darf nicht für das Mitglied %s handeln.' },
  DP_ERR_AUTH_RATE_LIMITED: { status: 429, title: 'Zu viele Anfragen', detail: 'Zu viele fehlgeschlagene Anmeldeversuche.' },
  DP_ERR_MANIFEST_INVALID: { status: 422, title: 'Inhalt ungültig', detail: 'Das Manifest ist ungültig: %s Fehler.' },
  DP_ERR_MANIFEST_CHANGED: {
    status: 412, title: 'Manifest inzwischen geändert',
    detail: 'Das gespeicherte Manifest von %s ist nicht mehr die Fassung aus If-Match (aktuell: %s). Bitte neu laden (GET), die eigenen Änderungen übertragen und erneut senden.',
  },
  DP_ERR_MANIFEST_NOT_REMOTE: { status: 409, title: 'Konflikt', detail: 'Mitglied %s hat keine Manifest-Adresse, von der neu geladen werden könnte.' },
  // ops
  DP_ERR_RATE_LIMITED: { status: 429, title: 'Zu viele Anfragen', detail: 'Zu viele Anfragen: bitte in %d Sekunden erneut versuchen' },
  DP_ERR_OVERLOADED: { status: 503, title: 'Vorübergehend nicht verfügbar', detail: 'Der Dienst ist gerade überlastet: bitte später erneut versuchen' },
  // proxy (answered directly by src/proxy, in German for residents)
  DP_ERR_PROXY: { status: 400, title: 'Ungültige Anfrage', detail: 'Die Anfrage konnte nicht weitergeleitet werden.' },
  DP_ERR_PROXY_PATH: { status: 400, title: 'Ungültiger Pfad', detail: 'Der angefragte Pfad ist nicht zulässig (%s).' },
  DP_ERR_PROXY_HEADER: { status: 400, title: 'Ungültiger Header', detail: 'Der Header %s enthält unzulässige Zeichen.' },
  DP_ERR_NO_UPSTREAM: { status: 404, title: 'Kein Online-Dienst über das Serviceportal', detail: 'Für „%s“ werden keine Online-Dienste über das Serviceportal bereitgestellt.' },
  DP_ERR_PROXY_NO_ORIGIN: {
    status: 503, title: 'Online-Dienst nicht eingerichtet',
    detail: 'Der Online-Dienst von „%s“ wird nur unter einer eigenen Adresse bereitgestellt, die auf diesem Server nicht eingerichtet ist (PROXY_BASE_DOMAIN).',
  },
  DP_ERR_PROXY_METHOD: { status: 405, title: 'Methode nicht erlaubt', detail: 'Die Methode %s wird nicht weitergeleitet.' },
  DP_ERR_PROXY_BODY_LIMIT: { status: 413, title: 'Anfrage zu groß', detail: 'Die Anfrage ist größer als %d KiB.' },
  DP_ERR_PROXY_REQUEST_INCOMPLETE: { status: 400, title: 'Anfrage unvollständig', detail: 'Die Anfrage wurde abgebrochen, bevor sie vollständig empfangen war.' },
  DP_ERR_UPSTREAM_FAILED: {
    status: 502, title: 'Online-Dienst nicht erreichbar',
    detail: 'Der Online-Dienst von %s hat nicht richtig geantwortet. Bitte versuchen Sie es später noch einmal oder wenden Sie sich direkt an die Verwaltung.',
  },
  DP_ERR_UPSTREAM_TIMEOUT: {
    status: 504, title: 'Online-Dienst antwortet nicht',
    detail: 'Der Online-Dienst von %s hat nicht rechtzeitig geantwortet. Bitte versuchen Sie es später noch einmal oder wenden Sie sich direkt an die Verwaltung.',
  },
  DP_ERR_UPSTREAM_UNAVAILABLE: {
    status: 503, title: 'Online-Dienst vorübergehend nicht verfügbar',
    detail: 'Der Online-Dienst von %s ist gerade gestört. Bitte versuchen Sie es in %d Sekunden noch einmal oder wenden Sie sich direkt an die Verwaltung.',
  },
} as const satisfies Record<`DP_ERR_${string}`, ProblemSpec>

export type ProblemCode = keyof typeof TABLE
export const PROBLEMS: Readonly<Record<ProblemCode, ProblemSpec>> = TABLE

type ErrorName<C> = C extends `DP_ERR_${infer N}` ? N : never

/** `new errors.SERVICE_NOT_FOUND(id)`: an Error with code, statusCode and the German detail as message. */
export const errors = Object.fromEntries(
  (Object.keys(TABLE) as ProblemCode[]).map((code) => [code.slice('DP_ERR_'.length), createError(code, TABLE[code].detail, TABLE[code].status)]),
) as { readonly [C in ProblemCode as ErrorName<C>]: FastifyErrorConstructor }

/** A problem error that carries its issues (`errors[]` of the document). */
export function withIssues<E extends Error>(error: E, issues: Issue[]): E & { errors: Issue[] } {
  return Object.assign(error, { errors: issues })
}

/** urn:dachportal:problem:<slug>, the slug from the code (DP_ERR_SERVICE_NOT_FOUND -> service-not-found). */
function problemType(code: ProblemCode): string {
  return `urn:dachportal:problem:${code.slice('DP_ERR_'.length).toLowerCase().replaceAll('_', '-')}`
}

export function isProblemCode(code: unknown): code is ProblemCode {
  return typeof code === 'string' && Object.hasOwn(TABLE, code)
}

export interface ProblemDocument {
  type: string
  title: string
  status: number
  detail: string
  instance: string
  code: ProblemCode
  errors?: Issue[]
  [extra: string]: unknown
}

type RequestLike = Pick<FastifyRequest, 'url'> & { originalUrl?: string }

/** The path the client sent (a member host's requests are rewritten); never the query string: it can hold personal data. */
function instanceOf(request: RequestLike): string {
  const url = request.originalUrl ?? request.url ?? ''
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}

/**
 * The problem document for a code: status and title from the table, `detail`
 * the given German text or the table's (templates with %s need the text).
 */
export function problemFor(request: RequestLike, code: ProblemCode, detail?: string, extra?: Record<string, unknown>): ProblemDocument {
  const spec = TABLE[code]
  return {
    type: problemType(code),
    title: spec.title,
    status: spec.status,
    detail: detail ?? spec.detail,
    instance: instanceOf(request),
    code,
    ...extra,
  }
}

/** The document for one of our own errors (`new errors.X(...)`): its message is the German detail. */
export function problemOf(request: RequestLike, error: Error & { code: string; errors?: Issue[] }, extra?: Record<string, unknown>): ProblemDocument {
  const code = isProblemCode(error.code) ? error.code : 'DP_ERR_INTERNAL'
  const problem = problemFor(request, code, code === error.code ? error.message : undefined, extra)
  if (Array.isArray(error.errors) && problem.status < 500) problem.errors = error.errors
  return problem
}

/**
 * Sends the document (serialized here, so a route's response schema never
 * drops a member and it works where Fastify has no route context) and logs
 * one line naming the code, with the request id like every request line.
 */
export function sendProblem(reply: FastifyReply, problem: ProblemDocument): FastifyReply {
  reply.log.info({ problem: problem.code, statusCode: problem.status }, 'problem answered')
  return reply
    .code(problem.status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(JSON.stringify(problem))
}
