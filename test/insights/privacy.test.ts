// Query texts that look like personal data are never stored; ordinary
// queries are normalised and kept.
import t from 'tap'
import { storableQuery } from '../../src/insights/privacy.js'

t.test('personal data is refused', async (t) => {
  for (const q of [
    'anna.muster@example.org', 'mail an x@y.de bitte', '0209 123456', '+49 (0)2043 99-1234', 'kundennummer 12345',
    'geboren 01.02.1980', 'DE89 3704 0044 0532 0130 00', 'de89370400440532013000',
  ]) t.equal(storableQuery(q), undefined, q)
})

t.test('ordinary queries are normalised and kept', async (t) => {
  t.equal(storableQuery('  Hund   ANMELDEN '), 'hund anmelden')
  t.equal(storableQuery('Personalausweis 2024'), 'personalausweis 2024', 'a year is not a digit run of 5+')
  t.equal(storableQuery('PLZ 4571'), 'plz 4571')
  t.equal(storableQuery('x'.repeat(300))?.length, 80)
})
