// What a query text must look like before it may be counted: normalised
// (lower case, single spaces, bounded) and free of anything that looks like
// personal data. A text that fails is counted only as "a search", never stored.
const EMAIL = /[^\s@]+@[^\s@]+/
// phone numbers, customer numbers, dates of birth: any run of 5+ digits,
// also when split by spaces, dots, slashes or dashes
const DIGIT_RUN = /\d(?:[\s./()+-]*\d){4,}/
// IBAN-like: two letters, two digits, then 10+ letters/digits (spaces allowed)
const IBAN = /\b[a-z]{2}\d{2}(?:\s?[a-z0-9]){10,}/i

const MAX_STORED_QUERY = 80

function normalizeQueryText(q: string): string {
  return q.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim().slice(0, MAX_STORED_QUERY)
}

/** true when the text could identify or reach a person (never stored) */
function looksPersonal(text: string): boolean {
  return EMAIL.test(text) || DIGIT_RUN.test(text) || IBAN.test(text)
}

/** the text to count, or undefined when it must not be stored */
export function storableQuery(q: string): string | undefined {
  if (looksPersonal(q)) return undefined
  const text = normalizeQueryText(q)
  if (text === '' || looksPersonal(text)) return undefined
  return text
}
