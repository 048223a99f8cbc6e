// What the "Kosten" section of a service page says. A member may state its
// fees twice: as text ("37,00 € (ab 24 Jahren), 22,80 € (unter 24 Jahren)")
// and as amounts (XZuFi modulKosten). The text is what the member wrote for
// residents and may say more ("gebührenfrei; …"), so it is shown; the amounts
// are listed only when one of them is not already in the text, so a resident
// on a phone does not read every fee twice. Pure.
import type { FeeItem } from '../manifest/schema.js'

export interface FeeLines {
  paragraphs: string[]
  items: string[]
}

/** "37,00 €", the way German pages write amounts. */
export function euro(amount: number): string {
  return new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR' }).format(amount)
}

// "37", "37,00", "1.250,50", "7,5" before "€", "Euro" or "EUR"
const AMOUNT = /(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?\s*(?:€|Euro\b|EUR\b)/g
// an amount of 0 € is stated by these words as much as by "0 €"
const FREE = /\b(?:kostenlos|kostenfrei|gebührenfrei|gratis|unentgeltlich)\b/i

/** The amounts a text states, in cents. */
export function statedCents(text: string): Set<number> {
  const cents = new Set<number>()
  for (const match of text.matchAll(AMOUNT)) {
    const whole = Number((match[1] ?? '').replaceAll('.', ''))
    const fraction = (match[2] ?? '').padEnd(2, '0')
    cents.add(whole * 100 + Number(fraction))
  }
  if (FREE.test(text)) cents.add(0)
  return cents
}

export function feeLines(text: string | undefined, items: readonly FeeItem[] | undefined): FeeLines {
  const amounts = items ?? []
  const paragraphs = text === undefined ? [] : [text]
  if (text !== undefined) {
    const stated = statedCents(text)
    if (amounts.every((item) => stated.has(Math.round(item.amount * 100)))) return { paragraphs, items: [] }
  }
  return { paragraphs, items: amounts.map((item) => `${euro(item.amount)}${item.text !== undefined ? ` – ${item.text}` : ''}`) }
}
