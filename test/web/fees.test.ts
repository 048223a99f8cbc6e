// The Kosten section: the member's fee text, and the amounts only when they
// add one the text does not state (a resident should not read each fee twice).
import t from 'tap'
import fc from 'fast-check'
import { euro, feeLines, statedCents } from '../../src/web/fees.js'
import { startPortal } from '../helpers/browser.js'

const eur = (amount: number, text?: string) => ({ amount, currency: 'EUR' as const, ...(text === undefined ? {} : { text }) })

t.test('amounts in German writing, in cents', async (t) => {
  t.same([...statedCents('37,00 € (ab 24 Jahren), 22,80 € (unter 24 Jahren)')], [3700, 2280])
  t.same([...statedCents('Hundesteuer jährlich: 120 € für einen Hund')], [12000])
  t.same([...statedCents('7 Euro je angefangene 0,5 Kubikmeter')], [700], 'a number without a currency is no amount')
  t.same([...statedCents('1.250,5 EUR')], [125050])
  t.same([...statedCents('einmal im Jahr kostenlos')], [0])
  t.same([...statedCents('Die Gebühr richtet sich nach dem Aufwand.')], [])
})

t.test('the amounts are listed only when the text does not already state each of them', async (t) => {
  const personalausweis = feeLines('37,00 € (ab 24 Jahren), 22,80 € (unter 24 Jahren)', [eur(37, 'Personalausweis ab 24 Jahren'), eur(22.8, 'Personalausweis unter 24 Jahren')])
  t.same(personalausweis, { paragraphs: ['37,00 € (ab 24 Jahren), 22,80 € (unter 24 Jahren)'], items: [] }, 'Bottrop: once')
  t.same(feeLines('gebührenfrei; Änderung der Zulassungsbescheinigung Teil I: je 10,80 €', [eur(10.8)]).items, [], 'Datteln: the text says more and states the amount')
  t.same(feeLines('einmal im Jahr kostenlos', [eur(0, 'eine Sperrmüllabfuhr im Jahr')]).items, [], 'free is an amount of 0 €')
  const more = feeLines('Personalausweis 37,00 €', [eur(37, 'ab 24 Jahren'), eur(22.8, 'unter 24 Jahren')])
  // Intl writes a no-break space before the €
  t.same(more.items, ['37,00\u00a0€ – ab 24 Jahren', '22,80\u00a0€ – unter 24 Jahren'], 'one amount the text lacks: all amounts are listed, with what each is for')
  t.same(more.paragraphs, ['Personalausweis 37,00 €'], 'beside the text')
  t.same(feeLines(undefined, [eur(13)]), { paragraphs: [], items: ['13,00\u00a0€'] }, 'no text: the amounts')
  t.same(feeLines('nach Aufwand', undefined), { paragraphs: ['nach Aufwand'], items: [] }, 'no amounts: the text')
})

t.test('property: an amount written the way the page writes it counts as stated; one left out does not', async (t) => {
  const cents = fc.integer({ min: 0, max: 100_000_00 })
  fc.assert(fc.property(fc.uniqueArray(cents, { minLength: 1, maxLength: 5 }), (values) => {
    const items = values.map((c) => eur(c / 100))
    const all = items.map((i) => euro(i.amount)).join(', ')
    if (feeLines(`Gebühren: ${all}`, items).items.length !== 0) return false
    const [left, ...rest] = items
    if (left!.amount === 0) return true // "0,00 €" and a free word are the same statement
    const partial = rest.map((i) => euro(i.amount)).join(', ')
    return feeLines(`Gebühren: ${partial}`, items).items.length === items.length
  }))
})

t.test('the service page names each fee once (Personalausweis in Bottrop)', async (t) => {
  const { app } = await startPortal(t, { listen: false })
  const html = (await app.inject('/leistungen/personalausweis?plz=46236')).body
  const kosten = html.match(/<section aria-labelledby="kosten-titel"[\s\S]*?<\/section>/)?.[0] ?? ''
  t.match(kosten, /37,00 €/, 'the fee is there')
  t.equal(kosten.split('37,00').length - 1, 1, 'once')
})
