// German compounds. Index side: a long word is also indexed by its inner
// suffixes, so "parkausweis" (exact) and "park" (prefix) reach
// "Bewohnerparkausweis", "steuer" reaches "Hundesteuer". Query side: a
// compound typed by the resident is split against the index vocabulary, so
// "hundesteuer" also finds a text that says "Hund" and "Steuer".
import { stem, STOP_WORDS } from './normalize.js'

const MIN_HEAD = 3
const MIN_PART = 4
const FUGEN = ['', 's', 'es', 'e', 'n', 'en'] as const

/** Inner suffixes (>= 4 letters, after a head of >= 3) of a stemmed term. */
export function compoundSuffixes(stemmed: string): string[] {
  const out: string[] = []
  for (let i = MIN_HEAD; i + MIN_PART <= stemmed.length; i++) out.push(stemmed.slice(i))
  return out
}

/**
 * Splits a folded token into known words: head(s) must be vocabulary words
 * (a Fugen-s/-e/-n may follow), the tail a vocabulary word or, when long
 * enough, any rest. Returns [] when no split is found. Prefers the split with
 * the longest shortest part.
 */
export function splitCompound(token: string, vocabulary: ReadonlySet<string>, depth = 0): string[] {
  if (token.length < MIN_HEAD + MIN_PART || depth > 2) return []
  let best: string[] = []
  let bestScore = 0
  for (let i = MIN_HEAD; i <= token.length - MIN_HEAD; i++) {
    const head = token.slice(0, i)
    if (!known(head, vocabulary)) continue
    for (const fuge of FUGEN) {
      if (!token.startsWith(fuge, i)) continue
      const tail = token.slice(i + fuge.length)
      if (tail.length < MIN_HEAD) continue
      const parts = tailParts(tail, vocabulary, depth)
      if (parts.length === 0) continue
      const score = Math.min(head.length, ...parts.map((p) => p.length))
      if (score > bestScore) {
        best = [head, ...parts]
        bestScore = score
      }
    }
  }
  return best
}

function tailParts(tail: string, vocabulary: ReadonlySet<string>, depth: number): string[] {
  if (known(tail, vocabulary)) return [tail]
  const deeper = splitCompound(tail, vocabulary, depth + 1)
  if (deeper.length > 0) return deeper
  // An unknown but long tail is still a useful term ("anwohner|parken").
  return tail.length >= 5 ? [tail] : []
}

/** A function word ("ein", "vors" -> "vor") is in every text: as a part ("ein|wohnermeldeamt") it would match them all. */
function known(word: string, vocabulary: ReadonlySet<string>): boolean {
  const stemmed = stem(word)
  if (STOP_WORDS.has(word) || STOP_WORDS.has(stemmed)) return false
  return vocabulary.has(word) || vocabulary.has(stemmed)
}
