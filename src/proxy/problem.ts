// problem+json answers of the proxy, in German for residents. Sent directly
// (not via the app's error handler) so they stay the same wherever the plugin
// is registered, and so upstream failures always carry the member's contact.

import type { FastifyReply, FastifyRequest } from 'fastify'

export interface MemberContact {
  name: string
  phone?: string
  email?: string
  portalUrl?: string
  websiteUrl?: string
}

export type ContactLookup = (memberId: string) => MemberContact | undefined

export interface ProxyProblem {
  status: number
  code: string
  title: string
  detail: string
}

// the same scheme as the API's problem documents (src/routes/problem.ts)
const TYPE_BASE = 'urn:dachportal:problem:'

function instanceOf(request: FastifyRequest): string {
  // Never echo the query string: it can hold personal data. The URL as the
  // client sent it (a member host's requests are rewritten to /cities/<id>/...).
  const url = request.originalUrl ?? request.raw.url ?? ''
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  problem: ProxyProblem,
  extra?: Record<string, unknown>,
): FastifyReply {
  const body = {
    type: TYPE_BASE + problem.code.toLowerCase().replace(/^dp_err_/, '').replaceAll('_', '-'),
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    instance: instanceOf(request),
    code: problem.code,
    ...extra,
  }
  return reply
    .code(problem.status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(JSON.stringify(body))
}

export const problems = {
  path: (reason: string): ProxyProblem => ({
    status: 400, code: 'DP_ERR_PROXY_PATH', title: 'Ungültiger Pfad',
    detail: `Der angefragte Pfad ist nicht zulässig (${reason}).`,
  }),
  header: (name: string): ProxyProblem => ({
    status: 400, code: 'DP_ERR_PROXY_HEADER', title: 'Ungültiger Header',
    detail: `Der Header ${name.slice(0, 64)} enthält unzulässige Zeichen.`,
  }),
  noUpstream: (member: string): ProxyProblem => ({
    status: 404, code: 'DP_ERR_NO_UPSTREAM', title: 'Kein Online-Dienst über das Serviceportal',
    detail: `Für „${member.slice(0, 64)}“ werden keine Online-Dienste über das Serviceportal bereitgestellt.`,
  }),
  noOrigin: (member: string): ProxyProblem => ({
    status: 503, code: 'DP_ERR_PROXY_NO_ORIGIN', title: 'Online-Dienst nicht eingerichtet',
    detail: `Der Online-Dienst von „${member.slice(0, 64)}“ wird nur unter einer eigenen Adresse bereitgestellt, die auf diesem Server nicht eingerichtet ist (PROXY_BASE_DOMAIN).`,
  }),
  method: (method: string): ProxyProblem => ({
    status: 405, code: 'DP_ERR_PROXY_METHOD', title: 'Methode nicht erlaubt',
    detail: `Die Methode ${method.slice(0, 16)} wird nicht weitergeleitet.`,
  }),
  tooLarge: (limit: number): ProxyProblem => ({
    status: 413, code: 'DP_ERR_PROXY_BODY_LIMIT', title: 'Anfrage zu groß',
    detail: `Die Anfrage ist größer als ${Math.floor(limit / 1024)} KiB.`,
  }),
  incomplete: (): ProxyProblem => ({
    status: 400, code: 'DP_ERR_PROXY_REQUEST_INCOMPLETE', title: 'Anfrage unvollständig',
    detail: 'Die Anfrage wurde abgebrochen, bevor sie vollständig empfangen war.',
  }),
  badGateway: (name: string): ProxyProblem => ({
    status: 502, code: 'DP_ERR_UPSTREAM_FAILED', title: 'Online-Dienst nicht erreichbar',
    detail: `Der Online-Dienst von ${name} hat nicht richtig geantwortet. Bitte versuchen Sie es später noch einmal oder wenden Sie sich direkt an die Verwaltung.`,
  }),
  timeout: (name: string): ProxyProblem => ({
    status: 504, code: 'DP_ERR_UPSTREAM_TIMEOUT', title: 'Online-Dienst antwortet nicht',
    detail: `Der Online-Dienst von ${name} hat nicht rechtzeitig geantwortet. Bitte versuchen Sie es später noch einmal oder wenden Sie sich direkt an die Verwaltung.`,
  }),
  open: (name: string, seconds: number): ProxyProblem => ({
    status: 503, code: 'DP_ERR_UPSTREAM_UNAVAILABLE', title: 'Online-Dienst vorübergehend nicht verfügbar',
    detail: `Der Online-Dienst von ${name} ist gerade gestört. Bitte versuchen Sie es in ${seconds} Sekunden noch einmal oder wenden Sie sich direkt an die Verwaltung.`,
  }),
} as const

/** The `contact` extension member: how else to reach the city. */
export function contactOf(memberId: string, lookup: ContactLookup): { name: string; contact: MemberContact } {
  let found: MemberContact | undefined
  try {
    found = lookup(memberId)
  } catch {
    found = undefined
  }
  const contact = found ?? { name: memberId }
  return { name: contact.name, contact }
}
