// Names of the per-day counters. One hash per day ("insights:<YYYY-MM-DD>")
// holds every counter of that day as a field, so a day expires as a whole and
// a flush is one HINCRBY per field plus one EXPIRE. Parts are ids from the
// catalog (slugs) or stored query texts; "|" separates them and cannot occur
// in a slug, and query texts come last so they may contain anything.
export const FEEDBACK_REASONS = ['information-fehlt', 'link-kaputt', 'zustaendigkeit-falsch', 'schwer-verstaendlich'] as const
export type FeedbackReason = typeof FEEDBACK_REASONS[number]
export const FEEDBACK_REASON_LABELS: Record<FeedbackReason, string> = {
  'information-fehlt': 'Information fehlt',
  'link-kaputt': 'Link funktioniert nicht',
  'zustaendigkeit-falsch': 'Zuständigkeit falsch',
  'schwer-verstaendlich': 'Schwer verständlich',
}
export type FeedbackAnswer = 'ja' | 'nein' | FeedbackReason

/** "-" stands for "no member known" (search without postal code or member) */
export const NO_MEMBER = '-'

export const field = {
  searches: (member: string) => `s|${member}`,
  zeroResults: (member: string) => `z|${member}`,
  query: (member: string, text: string) => `q|${member}|${text}`,
  zeroQuery: (member: string, text: string) => `zq|${member}|${text}`,
  filter: (member: string) => `f|${member}`,
  lifeSituation: (id: string) => `ls|${id}`,
  serviceView: (id: string) => `sv|${id}`,
  go: (member: string, service: string) => `go|${member}|${service}`,
  proxy: (member: string) => `px|${member}`,
  feedback: (member: string, service: string, answer: FeedbackAnswer) => `fb|${member}|${service}|${answer}`,
}

export type ParsedField =
  | { kind: 's' | 'z' | 'f' | 'px'; member: string }
  | { kind: 'q' | 'zq'; member: string; text: string }
  | { kind: 'ls' | 'sv'; id: string }
  | { kind: 'go'; member: string; service: string }
  | { kind: 'fb'; member: string; service: string; answer: string }

export function parseField(name: string): ParsedField | undefined {
  const [kind, a = '', ...rest] = name.split('|')
  switch (kind) {
    case 's': case 'z': case 'f': case 'px': return { kind, member: a }
    case 'q': case 'zq': return { kind, member: a, text: rest.join('|') }
    case 'ls': case 'sv': return { kind, id: a }
    case 'go': return { kind, member: a, service: rest[0] ?? '' }
    case 'fb': return { kind, member: a, service: rest[0] ?? '', answer: rest[1] ?? '' }
    default: return undefined
  }
}

/** UTC day of a date, YYYY-MM-DD */
export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10)
}
