// A small LRU of serialised responses for one index. Popular queries and
// search-box prefixes repeat a lot; the catalog changes rarely. A new index
// (new catalog version) empties the cache, so an answer is never staler
// than the index that would compute it.
export class ResponseCache<K extends object, V> {
  private owner: K | undefined
  private readonly entries = new Map<string, V>()

  constructor(private readonly maxEntries: number) {}

  get(owner: K, key: string): V | undefined {
    if (owner !== this.owner) return undefined
    const value = this.entries.get(key)
    if (value !== undefined) {
      this.entries.delete(key)
      this.entries.set(key, value)
    }
    return value
  }

  set(owner: K, key: string, value: V): void {
    if (this.maxEntries <= 0) return
    if (owner !== this.owner) {
      this.entries.clear()
      this.owner = owner
    }
    this.entries.set(key, value)
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string)
  }
}
