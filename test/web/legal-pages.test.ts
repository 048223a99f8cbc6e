// Issue 17: Impressum, Datenschutz, Barrierefreiheit (with "Barriere melden"),
// Leichte Sprache and Gebärdensprache over the real app (inject; the
// Chromium checks are in legal-browser.test.ts).
import t from 'tap'
import { Writable } from 'node:stream'
import { mkdtemp, readFile, rm, writeFile, cp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { startPortal } from '../helpers/browser.js'
import { fixtureOperator, regionWithOperator } from '../helpers/operator.js'
import { ConfigError, loadRegionData } from '../../src/config/load.js'
import { RedisStore } from '../../src/store/redis-store.js'
import { redisAvailable, requireRedis, startRedis } from '../helpers/redis.js'
import { operatorGaps } from '../../src/config/operator-gaps.js'

export const LEGAL_PAGES = ['/impressum', '/datenschutz', '/barrierefreiheit', '/leichte-sprache', '/gebaerdensprache']
const get = (app: FastifyInstance, url: string) => app.inject({ method: 'GET', url, headers: { accept: 'text/html' } })
const post = (app: FastifyInstance, form: Record<string, string>, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/barrierefreiheit', payload: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } })

t.test('every page links all five pages from its footer', async (t) => {
  const { app } = await startPortal(t, { listen: false })
  for (const url of ['/', '/suche?q=hund', '/lebenslagen/tiere', '/leistungen/hund-anmelden', '/mitglieder', '/gibt-es-nicht', ...LEGAL_PAGES]) {
    const html = (await get(app, url)).body
    const footer = html.slice(html.indexOf('<footer'))
    for (const page of LEGAL_PAGES) t.match(footer, new RegExp(`<a href="${page}"`), `${url} footer links ${page}`)
  }
})

t.test('bundled config: the pages say plainly what the operator has not provided yet', async (t) => {
  const { app } = await startPortal(t, { listen: false })
  const expected: Record<string, RegExp[]> = {
    '/impressum': [/Name des Betreibers dieses Portals/, /Postanschrift des Betreibers/, /Vertretungsberechtigte Person/, /Wer dieses Portal betreibt, ist noch nicht angegeben/],
    '/datenschutz': [/Kontakt der oder des Datenschutzbeauftragten/, /Zuständige Datenschutz-Aufsichtsbehörde/, /Speicherdauer der Protokolle: noch nicht angegeben/],
    '/barrierefreiheit': [/Stand der Vereinbarkeit mit der BITV NRW und Datum der letzten Prüfung/, /Schlichtungsstelle für Barrierefreiheit/, /<form class="report-form" action="\/barrierefreiheit" method="post">/],
    '/gebaerdensprache': [/noch keine Videos in Gebärdensprache/],
  }
  for (const [url, patterns] of Object.entries(expected)) {
    const res = await get(app, url)
    t.equal(res.statusCode, 200, url)
    t.match(res.body, /<strong>Noch nicht angegeben:<\/strong>/, `${url} names the gap`)
    for (const p of patterns) t.match(res.body, p, `${url} ${p}`)
    t.notMatch(res.body, /example\.org|Musterstraße/, `${url}: no placeholder that looks like real data`)
  }
})

t.test('fixture config: the full pages, no gaps', async (t) => {
  const { app } = await startPortal(t, { listen: false, regionData: await regionWithOperator() })
  const op = fixtureOperator()
  const pages: Record<string, string[]> = {
    '/impressum': [op.name, 'Musterstraße 1', '45657 Recklinghausen', 'Vertreten durch: Verbandsvorsteherin Erika Muster', 'mailto:portal@example.org', 'Max Muster'],
    '/datenschutz': ['datenschutz@example.org', 'https://aufsicht.example.org/', '14 Tage', 'keine Cookies zur Analyse', '<code>plz</code>', 'nur gekürzt', 'ohne die Angaben nach dem Fragezeichen', 'Nach 180 Tagen wird sie automatisch gelöscht', 'Auskunft über Ihre Daten (Art. 15 DSGVO)', 'Art. 77 DSGVO'],
    '/barrierefreiheit': ['<strong>teilweise vereinbar</strong>', '15. Oktober 2026', 'Selbstbewertung', 'Testbarriere: Einige PDF-Dokumente', 'mailto:barrierefreiheit@example.org', 'https://schlichtung.example.org/', 'Test-Schlichtungsstelle Barrierefreiheit'],
    '/gebaerdensprache': ['https://video.example.org/dgs-portal', 'Inhalt des Videos als Text', 'Mit Ihrer Postleitzahl sehen Sie, wer zuständig ist.'],
  }
  for (const [url, texts] of Object.entries(pages)) {
    const html = (await get(app, url)).body
    t.notMatch(html, /Noch nicht angegeben|noch nicht angegeben/, `${url} has no gaps`)
    for (const text of texts) t.ok(html.includes(text), `${url} shows ${text}`)
  }
})

t.test('Leichte Sprache: German, marked, short sentences with explained words', async (t) => {
  const { app } = await startPortal(t, { listen: false })
  const html = (await get(app, '/leichte-sprache')).body
  t.match(html, /<html lang="de">/)
  t.match(html, /<div class="easy-language" lang="de">/)
  t.match(html, /Dieser Text ist in Leichter Sprache\./)
  for (const explained of ['Zuständig heißt:', 'Eine Lebens·lage ist', 'Ein Cookie ist', 'Eine Barriere ist']) t.ok(html.includes(explained), explained)
  // Pages keep their word: no videos promised that do not exist, no phone promised on every page (issue 28)
  t.notMatch(html, /Es gibt auch Videos in Gebärden·sprache/, 'the bundled config lists no videos')
  t.match(html, /Videos in Gebärden·sprache gibt es noch nicht/)
  t.notMatch(html, /Ihre Stadt ist für Sie zuständig/, 'the Kreis, Land or Bund can be responsible')
  t.match(html, /Das steht da nur, wenn wir es wissen/)
  // One statement per sentence: Leichte Sprache keeps sentences short.
  const text = html.slice(html.indexOf('<div class="easy-language"'), html.indexOf('</main>')).replace(/<[^>]+>/g, '\n')
  const sentences = text.split(/[.?!:\n]/).map((s) => s.trim().split(/\s+/).filter(Boolean)).filter((w) => w.length > 0)
  const longest = Math.max(...sentences.map((w) => w.length))
  t.ok(longest <= 10, `longest sentence ${longest} words`)
})

t.test('no operator block: one warning at start, /ready stays ready', async (t) => {
  const lines: { level: number; msg: string; missing?: string[] }[] = []
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done() } })
  const { app } = await startPortal(t, { listen: false, logger: { level: 'warn', stream } })
  const warnings = lines.filter((l) => /operator data not provided yet/.test(l.msg))
  t.equal(warnings.length, 1, 'exactly one warning')
  t.same(warnings[0]?.missing, operatorGaps(undefined))
  const ready = await get(app, '/ready')
  t.equal(ready.statusCode, 200)
  t.equal(ready.json().status, 'ready')

  const quiet: { msg: string }[] = []
  const stream2 = new Writable({ write(chunk, _enc, done) { quiet.push(JSON.parse(String(chunk))); done() } })
  await startPortal(t, { listen: false, logger: { level: 'warn', stream: stream2 }, regionData: await regionWithOperator() })
  t.notOk(quiet.some((l) => /operator data/.test(l.msg)), 'no warning with a complete operator block')
})

t.test('the operator block is checked like the rest of the region config', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dp-operator-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await cp(resolve('config'), dir, { recursive: true })
  const region = JSON.parse(await readFile(join(dir, 'region.json'), 'utf8')) as Record<string, unknown>
  await writeFile(join(dir, 'region.json'), JSON.stringify({ ...region, operator: fixtureOperator() }))
  const loaded = await loadRegionData(join(dir, 'region.json'))
  t.equal(loaded.region.operator?.name, fixtureOperator().name)
  t.same(operatorGaps(loaded.region.operator), [])
  const bad = { ...fixtureOperator(), signLanguageVideos: [{ title: 'x', url: 'http://video.example.org/', textAlternative: 'x' }], invented: true }
  await writeFile(join(dir, 'region.json'), JSON.stringify({ ...region, operator: bad }))
  await t.rejects(loadRegionData(join(dir, 'region.json')), ConfigError)
  await t.rejects(loadRegionData(join(dir, 'region.json')), /\/operator\/signLanguageVideos\/0\/url/)
})

t.test('Barriere melden: stored for the operator with its retention, without JavaScript', async (t) => {
  const { app } = await startPortal(t, { listen: false, settings: { reportRetentionDays: 30 } })
  const res = await post(app, { meldung: 'Der Kontrast der Filter ist zu schwach.', fundstelle: '/suche?q=hund', kontakt: 'leser@example.org' })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/barrierefreiheit?gemeldet=1#barriere-melden')
  const [report] = await app.store.listReports()
  t.equal(report?.message, 'Der Kontrast der Filter ist zu schwach.')
  t.equal(report?.page, '/suche?q=hund')
  t.equal(report?.contact, 'leser@example.org')
  const days = (Date.parse(report?.expiresAt ?? '') - Date.parse(report?.receivedAt ?? '')) / 86_400_000
  t.equal(days, 30, 'kept for REPORT_RETENTION_DAYS')
  const thanks = (await get(app, '/barrierefreiheit?gemeldet=1')).body
  t.match(thanks, /Vielen Dank, Ihre Meldung ist angekommen/)
})

t.test('Barriere melden: empty, oversize and too many reports answer in plain German', async (t) => {
  const { app } = await startPortal(t, { listen: false })
  const empty = await post(app, { meldung: '   ' })
  t.equal(empty.statusCode, 400)
  t.match(empty.body, /Bitte beschreiben Sie die Barriere/)
  const long = await post(app, { meldung: 'ä'.repeat(3001), kontakt: 'bleibt@example.org' })
  t.equal(long.statusCode, 400)
  t.match(long.body, /„Ihre Meldung“ ist zu lang: höchstens 3\.000 Zeichen, Sie haben 3\.001 Zeichen eingegeben\. Bitte kürzen Sie den Text\./)
  t.match(long.body, /<textarea id="meldung"[^>]*aria-invalid="true"[^>]*>ä{3001}<\/textarea>/, 'the text is kept to shorten it')
  t.match(long.body, /value="bleibt@example\.org"/)
  const huge = await post(app, { meldung: 'x'.repeat(70_000) })
  t.equal(huge.statusCode, 413)
  t.match(huge.headers['content-type'], /^text\/html/)
  t.match(huge.body, /Ihre Meldung ist zu groß, um sie zu senden: Bitte kürzen Sie sie auf höchstens 3\.000 Zeichen/)
  t.same(await app.store.listReports(), [], 'nothing stored from rejected input')

  for (let i = 0; i < 5; i++) t.equal((await post(app, { meldung: `Meldung ${i}` })).statusCode, 303)
  const limited = await post(app, { meldung: 'Meldung 6' })
  t.equal(limited.statusCode, 429)
  t.ok(Number(limited.headers['retry-after']) > 0)
  t.match(limited.body, /Von Ihrem Anschluss kamen gerade viele Meldungen\. Bitte senden Sie Ihre Meldung in \d+ Minuten? noch einmal\./)
  t.equal((await app.store.listReports()).length, 5)
})

t.test('Barriere melden with Redis: the report is in the shared store', async (t) => {
  if (!redisAvailable()) return void requireRedis(t)
  const server = await startRedis(t)
  const store = new RedisStore({ target: server.url, prefix: 'reports-test:' })
  const { app } = await startPortal(t, { listen: false, store })
  t.equal((await post(app, { meldung: 'Vorlesefunktion liest Tabellen falsch.' })).statusCode, 303)
  const reader = new RedisStore({ target: server.url, prefix: 'reports-test:' })
  await reader.init()
  t.teardown(() => reader.close())
  t.same((await reader.listReports()).map((r) => r.message), ['Vorlesefunktion liest Tabellen falsch.'])
  await store.close()
})
