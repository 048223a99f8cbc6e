// "War diese Seite hilfreich?" must work on every service page of the real
// region, member-local services (id "member:service") included: the form's
// own hidden fields, posted as a browser would, are accepted and counted.
import t from 'tap'
import { realApp } from '../helpers/app.js'

const FORM = 'application/x-www-form-urlencoded'

function hidden(html: string, name: string): string | undefined {
  return new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(html)?.[1]
}

t.test('the feedback form of every service page posts and is counted', async (t) => {
  const app = await realApp(t, { insights: { enabled: true, retentionDays: 400, minCount: 5, flushIntervalMs: 3_600_000, feedbackMax: 1_000_000 } })
  const services = app.live.current.services
  const local = services.filter((service) => service.id.includes(':'))
  t.ok(local.length > 0, 'the region has member-local services')

  const refused: string[] = []
  for (const service of services) {
    const page = await app.inject(`/leistungen/${encodeURIComponent(service.id)}`)
    const leistung = hidden(page.body, 'leistung')
    t.equal(leistung, service.id, `${service.id}: the form names the service`)
    const answer = await app.inject({ method: 'POST', url: '/feedback', headers: { 'content-type': FORM }, payload: new URLSearchParams({ leistung: leistung ?? '', antwort: 'ja' }).toString() })
    if (answer.statusCode !== 303) refused.push(`${service.id}: ${answer.statusCode}`)
  }
  t.same(refused, [], 'every form post is accepted')

  // a member-local service of the Kreis, seen by a resident of Gladbeck (in the Kreis): the form names the Kreis too
  const example = local.find((service) => service.offerings.some((offering) => offering.member === 'kreis-recklinghausen'))
  if (!example) return t.fail('the Kreis offers a member-local service')
  const page = await app.inject(`/leistungen/${encodeURIComponent(example.id)}?plz=45964`)
  const mitglied = hidden(page.body, 'mitglied')
  t.equal(mitglied, 'kreis-recklinghausen', 'the form names the resident\'s member')
  const posted = await app.inject({
    method: 'POST', url: '/feedback', headers: { 'content-type': FORM },
    payload: new URLSearchParams({ leistung: example.id, ...(mitglied ? { mitglied } : {}), antwort: 'link-kaputt' }).toString(),
  })
  t.equal(posted.statusCode, 303)
  t.equal(posted.headers.location, `/leistungen/${example.id}?feedback=danke#feedback`)
  await app.insights.flush()
  const [day] = await app.store.readCounts([new Date().toISOString().slice(0, 10)])
  t.equal(day?.counts[`fb|${mitglied ?? '-'}|${example.id}|link-kaputt`], 1, 'counted under the service (and member)')
})
