// Per-request counting without prom-client's per-call label work: prom-client
// 15 validates and hashes the label object on every inc()/observe(), even on
// a child from labels(). A counter cell is a plain number, created once per
// label set and summed into the counter at scrape time (its `collect`); a
// histogram child is created once per label set and kept.
import type { Counter, Histogram } from 'prom-client'

export interface CounterCell { n: number }

/** Label-set cells of one counter; pass `flush` as the counter's `collect`. */
export class CounterCells<T extends string> {
  private readonly cells = new Map<string, { labels: Partial<Record<T, string>>; cell: CounterCell }>()

  /** The cell for these labels under a caller-chosen key (same key, same labels). */
  cell(key: string, labels: Partial<Record<T, string>>): CounterCell {
    let entry = this.cells.get(key)
    if (entry === undefined) this.cells.set(key, entry = { labels, cell: { n: 0 } })
    return entry.cell
  }

  /** add what the cells counted since the last scrape to the counter */
  flush(counter: Counter<T>): void {
    for (const { labels, cell } of this.cells.values()) {
      if (cell.n === 0) continue
      counter.inc(labels, cell.n)
      cell.n = 0
    }
  }
}

export type Observe = (seconds: number) => void

/** The observe function of a histogram child per key, created on first use. */
export function histogramChildren<T extends string>(histogram: Histogram<T>): (key: string, labels: Record<T, string>) => Observe {
  const children = new Map<string, Observe>()
  return (key, labels) => {
    let observe = children.get(key)
    if (observe === undefined) children.set(key, observe = histogram.labels(labels).observe)
    return observe
  }
}
