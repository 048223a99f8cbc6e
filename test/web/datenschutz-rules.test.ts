// Issue 25: the Datenschutz page states the rules the insights code applies,
// rendered from the same settings (threshold, retention) and the filter's
// own rule list, not from numbers written into the page.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { startPortal } from '../helpers/browser.js'
import { PII_RULES } from '../../src/insights/privacy.js'

const page = async (app: FastifyInstance) => (await app.inject({ url: '/datenschutz', headers: { accept: 'text/html' } })).body
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')

t.test('threshold, retention and the PII filter come from the settings', async (t) => {
  const insights = { enabled: true, retentionDays: 123, minCount: 7, flushIntervalMs: 3_600_000, feedbackMax: 10 }
  const { app } = await startPortal(t, { listen: false, settings: { insights } })
  const body = text(await page(app))
  t.match(body, `mindestens ${insights.minCount} verschiedene Anschlüsse gesucht`)
  t.match(body, `nach ${insights.retentionDays} Tagen gelöscht`)
  // the texts themselves are kept (issue 28): said with the same settings
  t.match(body, `Suchbegriffe ohne Hinweis auf eine Person werden als Text mit ihrer Tageszahl gespeichert und bis zu ${insights.retentionDays} Tage aufbewahrt; in der Auswertung sichtbar sind davon nur die, die an einem Tag mindestens ${insights.minCount} verschiedene Anschlüsse gesucht haben`)
  t.ok(PII_RULES.length >= 5)
  for (const rule of PII_RULES) t.ok(body.includes(rule), `the page names: ${rule.slice(0, 40)}…`)
  t.notMatch(body, /mindestens 5 verschiedene/, 'not the default written into the page')
})

t.test('without insights the page says nothing about them', async (t) => {
  const { app } = await startPortal(t, { listen: false, settings: { insights: { enabled: false, retentionDays: 400, minCount: 5, flushIntervalMs: 5000, feedbackMax: 10 } } })
  t.notMatch(text(await page(app)), /Nutzungsstatistik/)
})
