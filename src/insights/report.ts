// Turns stored day counters into the insights report: pure, no I/O. Query
// texts leave only here, and only when at least `minCount` distinct client
// networks used them on one day (k-anonymity by people, not searches: one
// network padding a text stays one); rarer texts stay invisible even to the
// region admin, and the count shown is the distinct count.
import type { DayCounters } from '../store/counters.js'
import { distinctField } from '../store/counters.js'
import { NO_MEMBER, parseField } from './fields.js'

export interface ReportOptions {
  from: string
  to: string
  /** only this member's counters; undefined = the whole region */
  member?: string
  minCount: number
}

interface QueryRow { day: string; member: string; query: string; count: number }
interface UsageRow { member: string; service: string; count: number }
interface FeedbackRow { member: string; service: string; answer: string; count: number }

export interface InsightsReport {
  from: string
  to: string
  member: string | null
  minCount: number
  days: { day: string; searches: number; zeroResults: number; filtered: number }[]
  zeroResultQueries: QueryRow[]
  topQueries: QueryRow[]
  go: UsageRow[]
  proxy: { member: string; count: number }[]
  feedback: FeedbackRow[]
  lifeSituations: { id: string; count: number }[]
  serviceViews: { id: string; count: number }[]
}

const byCount = <T extends { count: number }>(a: T, b: T) => b.count - a.count

export function buildReport(counters: readonly DayCounters[], options: ReportOptions): InsightsReport {
  const mine = (member: string) => options.member === undefined || member === options.member
  const days = new Map<string, { searches: number; zeroResults: number; filtered: number }>()
  const zero: QueryRow[] = []
  const top: QueryRow[] = []
  const go = new Map<string, UsageRow>()
  const proxy = new Map<string, number>()
  const feedback = new Map<string, FeedbackRow>()
  const ls = new Map<string, number>()
  const sv = new Map<string, number>()
  const add = (map: Map<string, number>, key: string, n: number) => map.set(key, (map.get(key) ?? 0) + n)
  for (const { day, counts } of counters) {
    const totals = days.get(day) ?? { searches: 0, zeroResults: 0, filtered: 0 }
    days.set(day, totals)
    for (const [name, count] of Object.entries(counts)) {
      const f = parseField(name)
      if (f === undefined) continue
      switch (f.kind) {
        case 's': if (mine(f.member)) totals.searches += count; break
        case 'z': if (mine(f.member)) totals.zeroResults += count; break
        case 'f': if (mine(f.member)) totals.filtered += count; break
        case 'q': case 'zq': {
          // k-anonymity by people, not searches: the distinct client networks that used the text that day
          const people = counts[distinctField(name)] ?? 0
          if (mine(f.member) && people >= options.minCount) (f.kind === 'zq' ? zero : top).push({ day, member: f.member, query: f.text, count: people })
        } break
        case 'go': if (mine(f.member)) {
          const row = go.get(`${f.member}|${f.service}`) ?? { member: f.member, service: f.service, count: 0 }
          row.count += count
          go.set(`${f.member}|${f.service}`, row)
        } break
        case 'px': if (mine(f.member)) add(proxy, f.member, count); break
        case 'fb': if (mine(f.member)) {
          const key = `${f.member}|${f.service}|${f.answer}`
          const row = feedback.get(key) ?? { member: f.member, service: f.service, answer: f.answer, count: 0 }
          row.count += count
          feedback.set(key, row)
        } break
        // pages are not tied to one member: region report only
        case 'ls': if (options.member === undefined) add(ls, f.id, count); break
        case 'sv': if (options.member === undefined) add(sv, f.id, count); break
      }
    }
  }
  return {
    from: options.from,
    to: options.to,
    member: options.member ?? null,
    minCount: options.minCount,
    days: [...days].map(([day, t]) => ({ day, ...t })).sort((a, b) => a.day.localeCompare(b.day)),
    zeroResultQueries: zero.sort(byCount),
    topQueries: top.sort(byCount),
    go: [...go.values()].sort(byCount),
    proxy: [...proxy].map(([member, count]) => ({ member, count })).sort(byCount),
    feedback: [...feedback.values()].sort(byCount),
    lifeSituations: [...ls].map(([id, count]) => ({ id, count })).sort(byCount),
    serviceViews: [...sv].map(([id, count]) => ({ id, count })).sort(byCount),
  }
}

/** every day from..to (UTC, inclusive), at most the last `maxDays` of them (older ones have expired) */
export function daysBetween(from: string, to: string, maxDays: number): string[] {
  const out: string[] = []
  const start = Date.parse(`${from}T00:00:00Z`)
  for (let t = Date.parse(`${to}T00:00:00Z`); t >= start && out.length < maxDays; t -= 86_400_000) out.push(new Date(t).toISOString().slice(0, 10))
  return out.reverse()
}

const cell = (v: string | number) => {
  const s = String(v)
  // quote always; neutralise spreadsheet formulas in query texts
  return `"${(/^[=+\-@]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"`
}

/** one flat table: kind, day, member, service, key, count */
export function reportCsv(report: InsightsReport): string {
  const rows: (string | number)[][] = [['kind', 'day', 'member', 'service', 'key', 'count']]
  for (const d of report.days) {
    rows.push(['searches', d.day, report.member ?? '', '', '', d.searches])
    rows.push(['zero-results', d.day, report.member ?? '', '', '', d.zeroResults])
  }
  for (const q of report.zeroResultQueries) rows.push(['zero-result-query', q.day, q.member === NO_MEMBER ? '' : q.member, '', q.query, q.count])
  for (const q of report.topQueries) rows.push(['query', q.day, q.member === NO_MEMBER ? '' : q.member, '', q.query, q.count])
  for (const g of report.go) rows.push(['go', '', g.member, g.service, '', g.count])
  for (const p of report.proxy) rows.push(['proxy', '', p.member, '', '', p.count])
  for (const f of report.feedback) rows.push(['feedback', '', f.member === NO_MEMBER ? '' : f.member, f.service, f.answer, f.count])
  for (const l of report.lifeSituations) rows.push(['life-situation', '', '', '', l.id, l.count])
  for (const s of report.serviceViews) rows.push(['service-view', '', '', s.id, '', s.count])
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n'
}
