// Issue 25, finding 4: personal data in search texts is never stored, in any
// script or spelling. Property tests with generated variants (fast-check),
// the issue's own examples, and a scan of every key and value of a real
// Redis after posting them as searches.
import t from 'tap'
import fc from 'fast-check'
import { Redis } from 'ioredis'
import { storableQuery } from '../../src/insights/privacy.js'
import { catalogVocabulary } from '../../src/insights/vocabulary.js'
import { realApp } from '../helpers/app.js'
import { requireRedis, startRedis } from '../helpers/redis.js'

const ISSUE_EXAMPLES = ['０１７１１２３４５６７', '٠١٧١١٢٣٤٥٦٧', 'max(at)example.de', 'geb 1.2.90 Hans', 'Hauptstraße 12a … Erika Musterfrau']
const ORDINARY = ['Personalausweis beantragen', 'Hund anmelden Gladbeck', 'Kfz Zulassung', 'Wohngeld']

// zero of each decimal digit block: ASCII, fullwidth, Arabic-Indic, Extended Arabic-Indic, Devanagari, Bengali, Thai
const ZEROS = [0x30, 0xff10, 0x660, 0x6f0, 0x966, 0x9e6, 0xe50]
const inScript = (digits: string, zero: number) => [...digits].map((d) => String.fromCodePoint(zero + Number(d))).join('')
const digits = (min: number, max: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((a) => a.join(''))
const separator = fc.constantFrom('', ' ', '-', '/', '.', ' / ')

t.test('phone and ID numbers in any script, with any separators', async (t) => {
  fc.assert(fc.property(digits(3, 5), digits(4, 8), fc.constantFrom(...ZEROS), separator, fc.constantFrom('', 'tel ', 'Rückruf an '),
    (area, line, zero, sep, before) => storableQuery(`${before}${inScript(area, zero)}${sep}${inScript(line, zero)}`) === undefined))
})

t.test('e-mail addresses, also written with (at), [at], " at ", {at}, " ät ", (dot)', async (t) => {
  const word = fc.stringMatching(/^[a-z][a-z0-9]{1,10}$/)
  const at = fc.constantFrom('@', '(at)', '[at]', ' at ', '{at}', ' ät ', ' (at) ', '＠', ' [AT] ')
  const dot = fc.constantFrom('.', '(dot)', ' dot ', ' (punkt) ')
  fc.assert(fc.property(word, at, word, dot, fc.constantFrom('de', 'org', 'com'), fc.constantFrom('', 'mail an '),
    (local, a, domain, d, tld, before) => storableQuery(`${before}${local}${a}${domain}${d}${tld}`) === undefined))
})

t.test('dates in numbers and words', async (t) => {
  const months = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember']
  const date = fc.tuple(fc.integer({ min: 1, max: 28 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1920, max: 2025 }), fc.integer({ min: 0, max: 4 }))
    .map(([d, m, y, form]) => [
      `${d}.${m}.${String(y).slice(2)}`,
      `${String(d).padStart(2, '0')}.${String(m).padStart(2, '0')}.${y}`,
      `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
      `${d}. ${months[m - 1]} ${y}`,
      `${d}/${m}/${y}`,
    ][form]!)
  fc.assert(fc.property(date, fc.constantFrom('', 'geb ', 'geboren am ', 'Termin '), (d, before) => storableQuery(`${before}${d}`) === undefined))
})

t.test('street and house number', async (t) => {
  const street = fc.tuple(fc.constantFrom('Haupt', 'Bahnhof', 'Linden', 'Kirch', 'Markt'), fc.constantFrom('straße', 'strasse', 'str.', 'weg', 'allee', 'platz', 'gasse', 'ring', 'damm'))
  fc.assert(fc.property(street, fc.integer({ min: 1, max: 999 }), fc.constantFrom('', 'a', 'b'), fc.constantFrom('', ' ', '  '),
    ([name, kind], n, suffix, gap) => storableQuery(`${name}${kind}${gap}${n}${suffix}`) === undefined))
})

t.test('the issue\'s examples are refused, ordinary queries kept (real catalog vocabulary)', async (t) => {
  const app = await realApp(t)
  await app.ready()
  const vocabulary = catalogVocabulary(app.live.current)
  for (const q of ISSUE_EXAMPLES) t.equal(storableQuery(q, vocabulary), undefined, q)
  t.equal(storableQuery('Hans Mustermann Sterbeurkunde', vocabulary), undefined, 'a name before a service')
  for (const q of ORDINARY) t.equal(storableQuery(q, vocabulary), q.toLowerCase(), q)
})

t.test('posted as searches, none of them is anywhere in Redis (SCAN every key, read every value)', async (t) => {
  if (!requireRedis(t)) return
  const redis = await startRedis(t)
  const app = await realApp(t, { redisUrl: redis.url, redisPrefix: 'pii:', rateLimit: false })
  await app.ready()
  for (const q of [...ISSUE_EXAMPLES, ...ORDINARY]) {
    t.equal((await app.inject({ url: `/api/v1/search?q=${encodeURIComponent(q)}` })).statusCode, 200)
    t.equal((await app.inject({ url: `/suche?q=${encodeURIComponent(q)}`, headers: { accept: 'text/html' } })).statusCode, 200)
  }
  await app.insights.flush()
  const raw = new Redis(redis.url)
  t.teardown(() => raw.disconnect())
  let dump = ''
  let cursor = '0'
  do {
    const [next, keys] = await raw.scan(cursor, 'COUNT', 500)
    cursor = next
    for (const key of keys) {
      dump += `\n${key}`
      const type = await raw.type(key)
      if (type === 'string') dump += `\n${await raw.get(key)}`
      else if (type === 'hash') dump += `\n${JSON.stringify(await raw.hgetall(key))}`
      else if (type === 'set') dump += `\n${(await raw.smembers(key)).join('\n')}`
      else if (type === 'zset') dump += `\n${(await raw.zrange(key, 0, -1)).join('\n')}`
      else if (type === 'list') dump += `\n${(await raw.lrange(key, 0, -1)).join('\n')}`
    }
  } while (cursor !== '0')
  const stored = (q: string) => dump.includes(q) || dump.includes(q.normalize('NFKC').toLowerCase()) || dump.includes(JSON.stringify(q.normalize('NFKC').toLowerCase()).slice(1, -1))
  for (const q of ISSUE_EXAMPLES) t.notOk(stored(q), `not stored: ${q}`)
  // the catalog's manifests sit in the same Redis: 'max' alone is also processingTime's upper bound
  for (const part of ['01711234567', 'max(at)', 'max@', 'example', 'musterfrau', 'hauptstraße', '1.2.90']) t.notOk(dump.toLowerCase().includes(part), `no trace of ${part}`)
  for (const q of ORDINARY) t.ok(dump.includes(`|${q.toLowerCase()}`), `stored: ${q}`)
})
