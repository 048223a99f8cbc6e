// Minimal types for snowball-stemmers (the package ships none).
declare module 'snowball-stemmers' {
  interface Stemmer {
    stem(word: string): string
  }
  const factory: { newStemmer(language: string): Stemmer; algorithms(): string[] }
  export default factory
}
