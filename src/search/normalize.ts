// German query and text normalisation. Pure, never throws.
// One fold is applied to indexed text and to queries alike, so spellings
// meet on one key form: "Führungszeugnis", "fuehrungszeugnis" and
// "fuhrungszeugnis" all become "fuhrungszeugnis".
// Only the German Snowball stemmer (Orama's per-language build of the Snowball
// algorithm, the same stems as snowball-stemmers' German, which loaded all
// 24 languages at every start)
import { stemmer as germanStem } from '@orama/stemmers/german'

export const MAX_QUERY_TERMS = 12
const MAX_TERM_LENGTH = 40

// Function words only; content words such as "beantragen" stay and are
// weighed by BM25 instead. Listed in folded form (für -> fur).
export const STOP_WORDS: ReadonlySet<string> = new Set(
  ('der die das des dem den ein eine einer eines einem einen und oder aber auch als am an auf aus bei bin bis '
    + 'da dass du er es fur gibt hat habe haben ich ihr im in ist ja kann konnen man mein meine meinen meiner mich '
    + 'mir mit muss nach nicht noch nur ob sein sich sie sind so um und uns vom von vor was welche wer wie wir wird '
    + 'wo zu zum zur uber unter gegen ohne bitte mal')
    .split(' '),
)

const LINE_BREAKS = /[\t\n\r\v\f\u0085\u2028\u2029]/g
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu
const MARKS = /\p{M}+/gu
const NOT_WORD = /[^\p{L}\p{N}]+/u
// ae/oe/ue as umlaut spelling; not after a vowel or q, so "steuer", "bauer",
// "quelle" keep their letters. Applied to a fixed point for idempotence.
const DIGRAPH = /(?<![aeiouyq])([aou])e/g

/** NFC, control characters out, lower case, diacritics and ß folded. */
export function foldText(input: string): string {
  const text = String(input).replace(LINE_BREAKS, ' ').replace(INVISIBLE, '')
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(MARKS, '')
    .normalize('NFC')
}

/** Folds umlaut digraphs (ae, oe, ue) in one lower-case token. */
export function foldDigraphs(token: string): string {
  let previous = token
  for (;;) {
    const next = previous.replace(DIGRAPH, '$1')
    if (next === previous) return next
    previous = next
  }
}

/** Text -> folded word tokens (operators and punctuation are separators). */
export function tokenize(input: string): string[] {
  const tokens: string[] = []
  for (const raw of foldText(input).split(NOT_WORD)) {
    if (raw.length === 0) continue
    tokens.push(foldDigraphs(raw).slice(0, MAX_TERM_LENGTH))
  }
  return tokens
}

export interface NormalizedQuery {
  /** folded tokens, stop words removed, at most MAX_QUERY_TERMS */
  tokens: string[]
  /** tokens joined by one space: what the API reports as normalizedQuery */
  text: string
}

/** Query normaliser: idempotent on its own `text` output. */
export function normalizeQuery(input: string): NormalizedQuery {
  const all = tokenize(input)
  const content = all.filter((t) => !STOP_WORDS.has(t))
  // A query of stop words only ("die") is still searched as typed.
  const tokens = (content.length > 0 ? content : all).slice(0, MAX_QUERY_TERMS)
  return { tokens, text: tokens.join(' ') }
}

const stemCache = new Map<string, string>()
const STEM_CACHE_LIMIT = 50_000

/** German snowball stem of a folded token (cached; digits pass through). */
export function stem(token: string): string {
  const cached = stemCache.get(token)
  if (cached !== undefined) return cached
  const result = token.length < 4 || /\d/.test(token) ? token : germanStem(token)
  if (stemCache.size >= STEM_CACHE_LIMIT) stemCache.clear()
  stemCache.set(token, result)
  return result
}

/** Index terms that are function words: the stop words and their stems ("einen" -> "ein", "müssen" -> "muss"). */
export const STOP_STEMS: ReadonlySet<string> = new Set([...STOP_WORDS].flatMap((w) => [w, stem(w)]))

/**
 * Every distinct word with two neighbouring letters swapped ("hudn" -> "uhdn",
 * "hdun", "hund"): the typo a thumb makes most, and two edits for Levenshtein.
 */
export function transpositions(term: string): string[] {
  const out = new Set<string>()
  for (let i = 0; i + 1 < term.length; i++) {
    if (term[i] === term[i + 1]) continue
    out.add(term.slice(0, i) + term[i + 1] + term[i] + term.slice(i + 2))
  }
  return [...out]
}

/** Allowed edit distance for a query term: none for short words, more for long ones. */
export function typoBudget(term: string): number {
  if (term.length <= 4) return 0
  if (term.length <= 8) return 1
  return 2
}
