// Issue 25, finding 2: 10,000 "Barriere melden" posts from 21 IPv6 /64
// networks (every post from another address of its /64) must not push out
// the real report posted first. The budget counts the /64 (clientNetwork),
// and the store refuses rather than evicts when a network's or its own
// bound is reached.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { startPortal } from '../helpers/browser.js'

const POSTS = 10_000
const NETWORKS = 21

const post = (app: FastifyInstance, meldung: string, remoteAddress: string) => app.inject({
  method: 'POST', url: '/barrierefreiheit', remoteAddress,
  payload: new URLSearchParams({ meldung }).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
})

t.test('10,000 report posts from 21 /64 networks leave the first real report intact', async (t) => {
  const { app } = await startPortal(t, { listen: false })
  t.equal((await post(app, 'Der Kontrast der Filter ist zu schwach.', '203.0.113.9')).statusCode, 303)
  const statuses = new Map<number, number>()
  for (let i = 0; i < POSTS; i++) {
    const network = i % NETWORKS
    // another host address of the same /64 for every post
    const address = `2001:db8:${network.toString(16)}:1:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}:0:1`
    const { statusCode } = await post(app, `Flut ${i}`, address)
    statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1)
  }
  t.comment(`answers: ${JSON.stringify(Object.fromEntries(statuses))}`)
  const reports = await app.store.listReports()
  t.equal(reports[0]?.message, 'Der Kontrast der Filter ist zu schwach.', 'the first real report is still there')
  t.ok(reports.length <= 1 + NETWORKS * 5, `at most five per network kept (${reports.length - 1} flood reports stored)`)
  t.equal(statuses.get(303), reports.length - 1, 'every accepted post was stored')
  const metrics = (await app.inject({ url: '/metrics' })).body
  t.match(metrics, new RegExp(`dachportal_reports_refused_total\\{reason="rate"\\} ${statuses.get(429) ?? 0}\\b`), 'the operator sees the refused posts')
})
