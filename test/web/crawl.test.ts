// Walk the portal of the real region as a resident would: every internal
// link and every form (as its own fields post it) on every reachable page,
// with and without a postal code. Nothing a page offers may answer 4xx/5xx;
// /go answers 302 to a member's host and is not followed; /cities/* (the
// proxy) would leave the machine and is only collected, never requested.
import t from 'tap'
import { realApp } from '../helpers/app.js'

const MAX_PAGES = 3000

interface Step { method: 'GET' | 'POST'; url: string; payload?: string; from: string }

const decode = (text: string): string => text.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, '\'').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
const attribute = (tag: string, name: string): string | undefined => {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag)
  return match ? decode(match[1]!) : undefined
}

/** internal links and the requests each form sends with its own fields (first submit button, search: a real query) */
function stepsOf(html: string, from: string): Step[] {
  const steps: Step[] = []
  for (const [tag] of html.matchAll(/<a\s[^>]*>/g)) {
    const href = attribute(tag, 'href')
    if (href?.startsWith('/') && !href.startsWith('//')) steps.push({ method: 'GET', url: href.split('#')[0]!, from })
  }
  for (const [form] of html.matchAll(/<form\b[\s\S]*?<\/form>/g)) {
    const open = /<form\b[^>]*>/.exec(form)![0]
    const action = attribute(open, 'action') ?? from
    const method = (attribute(open, 'method') ?? 'get').toUpperCase()
    const fields = new URLSearchParams()
    for (const [input] of form.matchAll(/<input\b[^>]*>/g)) {
      const name = attribute(input, 'name')
      if (!name) continue
      const type = attribute(input, 'type') ?? 'text'
      if (type === 'hidden') fields.append(name, attribute(input, 'value') ?? '')
      else if (name === 'q') fields.append(name, 'Hund anmelden')
      else if (name === 'plz') fields.append(name, '45964')
    }
    const button = /<button\b[^>]*\bname="([^"]+)"[^>]*\bvalue="([^"]*)"/.exec(form)
    if (button) fields.append(button[1]!, decode(button[2]!))
    if (method === 'GET') steps.push({ method, url: `${action.split('?')[0]}?${fields}`, from })
    // forms that need typed free text or a secret (report, login) are tested on their own
    else if (!/<textarea|type="password"/.test(form)) steps.push({ method: 'POST', url: action, payload: fields.toString(), from })
  }
  return steps
}

t.test('every link and form on every portal page works, with and without a postal code', async (t) => {
  // one client walks the whole portal: far beyond the per-client budgets
  const app = await realApp(t, { rateLimit: false, insights: { enabled: true, retentionDays: 400, minCount: 5, flushIntervalMs: 3_600_000, feedbackMax: 1_000_000 } })
  const seen = new Set<string>()
  const queue: Step[] = [{ method: 'GET', url: '/', from: 'start' }, { method: 'GET', url: '/?plz=45964', from: 'start' }]
  const broken: string[] = []
  const proxied = new Set<string>()
  let pages = 0
  let redirects = 0
  let posts = 0
  while (queue.length > 0 && pages < MAX_PAGES) {
    const step = queue.shift()!
    const key = `${step.method} ${step.url} ${step.payload ?? ''}`
    if (seen.has(key)) continue
    seen.add(key)
    if (step.url.startsWith('/cities/')) { proxied.add(step.url); continue }
    const res = await app.inject({
      method: step.method, url: step.url,
      ...(step.payload === undefined ? {} : { payload: step.payload, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    })
    if (res.statusCode >= 400) { broken.push(`${step.method} ${step.url} -> ${res.statusCode} (from ${step.from})`); continue }
    if (step.method === 'POST') posts++
    if (res.statusCode >= 300) {
      redirects++
      const location = String(res.headers.location ?? '')
      if (step.url.startsWith('/go/')) {
        if (!/^https:\/\//.test(location)) broken.push(`${step.url} -> ${res.statusCode} to "${location}" (from ${step.from})`)
      } else if (location.startsWith('/')) queue.push({ method: 'GET', url: location.split('#')[0]!, from: step.url })
      continue
    }
    if (!String(res.headers['content-type']).startsWith('text/html')) continue
    pages++
    // the crawl stays on pages: API and asset answers are checked, not parsed
    queue.push(...stepsOf(res.body, step.url))
  }
  t.comment(`${pages} pages, ${posts} form posts, ${redirects} redirects, ${proxied.size} proxy links not followed`)
  t.ok(pages > 100, 'the crawl reached the catalog')
  t.ok(posts > 0, 'and posted forms')
  t.same(broken, [], 'nothing a page offers is broken')
})
