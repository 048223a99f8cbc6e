// What a query text must look like before it may be counted: normalised
// (NFKC, lower case, single spaces, bounded) and free of anything that looks
// like personal data. A text that fails is counted only as "a search", never
// stored. The rules, in the words of the Datenschutz page (PII_RULES), are:
// digits in any script, e-mail addresses also when written "(at)", dates,
// street and house number, and names (two capitalised words in a row that
// the catalog does not know).

/** the catalog's words (service names, synonyms, summaries, life situations, members), lower case */
export interface Vocabulary {
  has(word: string): boolean
}

// Any script's digits (\p{Nd}: fullwidth, Arabic-Indic, Devanagari, ...):
// phone, customer and ID numbers are 5+ digits in total, also when split by
// spaces, dots, slashes, dashes or brackets.
const DIGIT_RUN = /\p{Nd}(?:[\s./()+\-\u2010-\u2015_:,]*\p{Nd}){4,}/u
// IBAN-like: two letters, two digits, then 10+ letters/digits (spaces allowed)
const IBAN = /(?<![\p{L}\p{N}])\p{L}{2}\p{Nd}{2}(?:\s?[\p{L}\p{Nd}]){10,}/u
// "@" itself, or written as (at) [at] {at} <at> " at " " ät ", with "(dot)"
const AT = String.raw`(?:\s*[(\[{<]\s*(?:at|ät|@)\s*[)\]}>]\s*|\s+(?:at|ät)\s+)`
const DOT = String.raw`(?:\.|\s*[(\[{<]\s*(?:dot|punkt)\s*[)\]}>]\s*|\s+(?:dot|punkt)\s+)`
const EMAIL = /[^\s@]+@[^\s@]+/u
const OBFUSCATED_EMAIL = new RegExp(String.raw`[\p{L}\p{N}._%+\-]+${AT}[\p{L}\p{N}\-]+(?:${DOT}[\p{L}\p{N}\-]+)+`, 'iu')
const MONTHS = 'januar|jänner|februar|märz|maerz|april|mai|juni|juli|august|september|oktober|november|dezember|jan|feb|mär|mrz|apr|jun|jul|aug|sep|sept|okt|nov|dez'
// 1.2.90, 01.02.1990, 1/2/1990, 1990-02-01, "1. Februar 1990", "1 feb 90"
const DATE = new RegExp(String.raw`(?<!\p{Nd})\p{Nd}{1,2}\s*[./-]\s*\p{Nd}{1,2}\s*[./-]\s*\p{Nd}{2,4}(?!\p{Nd})` +
  String.raw`|(?<!\p{Nd})\p{Nd}{4}-\p{Nd}{1,2}-\p{Nd}{1,2}(?!\p{Nd})` +
  String.raw`|(?<!\p{Nd})\p{Nd}{1,2}\.?\s*(?:${MONTHS})\.?\s*\p{Nd}{2,4}(?!\p{Nd})`, 'iu')
// Hauptstraße 12a, Hauptstr. 12, Am Ring 5, Marktplatz 1
const STREET = /(?:straße|strasse|str\.|str|weg|allee|platz|gasse|ring|damm)\s*\p{Nd}{1,4}(?!\p{Nd})/iu
const CAPITALISED = /^\p{Lu}\p{Ll}+$/u
// Capitalised words a name search is not made of, beside the catalog's own.
const COMMON = new Set(['und', 'oder', 'der', 'die', 'das', 'den', 'dem', 'des', 'ein', 'eine', 'einen', 'für', 'fuer', 'in', 'im', 'am', 'an', 'auf', 'aus', 'von', 'vom', 'zu', 'zum', 'zur', 'mit', 'bei', 'nach', 'wie', 'was', 'wo', 'wann', 'wer', 'ich', 'mein', 'meine', 'meinen', 'neu', 'neue', 'neuer', 'neuen', 'antrag', 'anträge', 'beantragen', 'anmelden', 'abmelden', 'ummelden', 'anmeldung', 'abmeldung', 'online', 'termin', 'formular', 'kosten', 'gebühr', 'gebühren', 'öffnungszeiten', 'stadt', 'amt', 'kreis', 'bürgerbüro', 'rathaus', 'verwaltung', 'service', 'hilfe', 'kontakt', 'verloren', 'beantragung', 'verlängern', 'ändern'])

const MAX_STORED_QUERY = 80

/** the form a query text is counted in: NFKC, lower case, whitespace collapsed and trimmed */
export function normalizeQueryText(q: string): string {
  return q.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim().slice(0, MAX_STORED_QUERY)
}

/** two capitalised words in a row, neither known to the catalog: a person's name */
function namesPerson(text: string, vocabulary: Vocabulary | undefined): boolean {
  const words = text.split(/[^\p{L}'’-]+/u)
  const unknownCapitalised = (word: string | undefined) => {
    if (word === undefined || !CAPITALISED.test(word)) return false
    const lower = word.toLowerCase()
    return !COMMON.has(lower) && vocabulary?.has(lower) !== true
  }
  for (let i = 1; i < words.length; i++) if (unknownCapitalised(words[i - 1]) && unknownCapitalised(words[i])) return true
  return false
}

/** true when the text could identify or reach a person (never stored) */
export function looksPersonal(q: string, vocabulary?: Vocabulary): boolean {
  const text = q.normalize('NFKC')
  return DIGIT_RUN.test(text) || EMAIL.test(text) || OBFUSCATED_EMAIL.test(text) || IBAN.test(text) ||
    DATE.test(text) || STREET.test(text) || namesPerson(text, vocabulary)
}

/** the text to count, or undefined when it must not be stored */
export function storableQuery(q: string, vocabulary?: Vocabulary): string | undefined {
  if (looksPersonal(q, vocabulary)) return undefined
  const text = normalizeQueryText(q)
  if (text === '' || looksPersonal(text, vocabulary)) return undefined
  return text
}

/** the rules above in plain German, for the Datenschutz page (one sentence each) */
export const PII_RULES: readonly string[] = [
  'Ziffernfolgen mit fünf oder mehr Ziffern, auch mit Leerzeichen, Punkten oder Strichen dazwischen und in jeder Schrift (zum Beispiel Telefon-, Kunden- oder Ausweisnummern)',
  'E-Mail-Adressen, auch wenn sie als „(at)“, „[at]“ oder „ at “ geschrieben sind',
  'Datumsangaben (zum Beispiel 1.2.90, 01.02.1990, 1990-02-01 oder „1. Februar 1990“)',
  'Straßen mit Hausnummer (zum Beispiel „Hauptstraße 12a“)',
  'IBAN und ähnliche Kontonummern',
  'zwei großgeschriebene Wörter hintereinander, die in keiner Leistung, Lebenslage und keinem Ortsnamen des Portals vorkommen (zum Beispiel ein Vor- und Nachname)',
]
