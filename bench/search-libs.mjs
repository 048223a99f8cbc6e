// Search library comparison (issue 5): minisearch vs @orama/orama vs
// flexsearch on the real region's 76 regional services, each library alone —
// WITHOUT the project's synonym table, compound splitting or ranking layer.
// Same documents (name, synonyms, summary), same preprocessing for all three
// (the project's foldText/tokenize + stop words from dist/search/normalize.js,
// optionally its snowball stem), each library's own prefix/fuzzy options at
// comparable settings. Reports build time (median of 15), heap delta after
// build, in-process query latency over the judged queries
// (test/fixtures/search-judgments.json) and relevance (expected service in
// the top 3, MRR over the top 10; also on the judged queries with one
// letter dropped, since the service synonyms make the plain ones easy). Also the same build/heap/latency on the
// synthetic NRW catalog from nrw-scale.mjs (about 25k services).
// Build first: npx tsc -p tsconfig.build.json. Dev-only dependencies.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import MiniSearch from 'minisearch'
import { create, insertMultiple, search as oramaSearch } from '@orama/orama'
import FlexSearch from 'flexsearch'
import { loadRegionData } from '../dist/config/load.js'
import { normalizeQuery, stem, tokenize, typoBudget, STOP_WORDS } from '../dist/search/normalize.js'
import { syntheticCatalog } from './nrw-scale.mjs'
import { printTable, quantile } from './lib/table.mjs'
import { regionCatalog } from './lib/gateway.mjs'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc')
const BOOST = { name: 3, synonyms: 2, summary: 1 }
const FIELDS = Object.keys(BOOST)
const LIMIT = 10

/** Same analysis for documents and queries: fold, digraphs, stop words, optional stem. */
function analyze(text, stemmed) {
  const tokens = tokenize(text).filter((t) => !STOP_WORDS.has(t))
  return (stemmed ? tokens.map(stem) : tokens).join(' ')
}
function queryTerms(q, stemmed) {
  const { tokens } = normalizeQuery(q)
  return stemmed ? tokens.map(stem) : tokens
}
function documents(services, stemmed) {
  return services.map((s, id) => ({
    id, name: analyze(s.name, stemmed), synonyms: analyze(s.synonyms.join(' '), stemmed), summary: analyze(s.summary, stemmed),
  }))
}
const splitSpaces = (text) => (text.length === 0 ? [] : text.split(' '))

// Each adapter: build(docs) -> index; query(index, terms) -> ids, best first.
const LIBRARIES = {
  minisearch: {
    build(docs) {
      const ms = new MiniSearch({ fields: FIELDS, storeFields: [], tokenize: splitSpaces, processTerm: (t) => t })
      ms.addAll(docs)
      return ms
    },
    query(ms, terms) {
      return ms.search(terms.join(' '), { boost: BOOST, prefix: true, fuzzy: (t) => typoBudget(t), combineWith: 'OR' })
        .slice(0, LIMIT).map((r) => r.id)
    },
  },
  orama: {
    build(docs) {
      const tokenizer = { language: 'german', normalizationCache: new Map(), tokenize: (raw) => splitSpaces(String(raw)) }
      const db = create({ schema: { name: 'string', synonyms: 'string', summary: 'string' }, components: { tokenizer } })
      insertMultiple(db, docs.map((d) => ({ ...d, id: String(d.id) })))
      return db
    },
    query(db, terms) {
      // one tolerance per query (Orama has no per-term setting): the largest budget; prefix matching is its default
      const tolerance = Math.max(0, ...terms.map(typoBudget))
      const res = oramaSearch(db, { term: terms.join(' '), properties: FIELDS, boost: BOOST, tolerance, limit: LIMIT })
      if (typeof res?.then === 'function') throw new Error('orama search went async')
      return res.hits.map((h) => Number(h.id))
    },
  },
  flexsearch: flexsearch(splitSpaces),
  // flexsearch has no edit distance; its phonetic encoder is its typo tolerance (region only)
  'flexsearch+soundex': { ...flexsearch('LatinSoundex'), regionOnly: true },
}

function flexsearch(encoding) {
  const encoderOption = typeof encoding === 'function' ? { encode: encoding } : { encoder: encoding }
  return {
    build(docs) {
      // 'forward' = prefix matching; suggest:true at query time lets partial matches through
      const index = new FlexSearch.Document({
        document: { id: 'id', index: FIELDS.map((field) => ({ field, tokenize: 'forward', ...encoderOption })) },
      })
      for (const d of docs) index.add(d)
      return index
    },
    query(index, terms) {
      // no cross-field scoring: fuse the per-field rankings with the same field weights
      const fields = index.search(terms.join(' '), { index: FIELDS, limit: LIMIT, suggest: true })
      const score = new Map()
      for (const { field, result } of fields) {
        result.forEach((id, rank) => score.set(id, (score.get(id) ?? 0) + BOOST[field] / (rank + 1)))
      }
      return [...score].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, LIMIT).map(([id]) => Number(id))
    },
  }
}

function heapUsed() {
  gc(); gc()
  return process.memoryUsage().heapUsed
}

function measureBuild(lib, docs, rounds) {
  const times = []
  let heap = []
  for (let r = 0; r < rounds; r++) {
    const before = heapUsed()
    const t0 = performance.now()
    let index = lib.build(docs)
    times.push(performance.now() - t0)
    heap.push(heapUsed() - before)
    index = null
  }
  return { buildMs: quantile(times, 0.5), buildMax: quantile(times, 1), heapMb: quantile(heap, 0.5) / 1048576 }
}

function measureQueries(lib, index, termLists, rounds) {
  for (const t of termLists) lib.query(index, t) // warm-up
  const samples = []
  for (let r = 0; r < rounds; r++) for (const t of termLists) {
    const t0 = performance.now()
    lib.query(index, t)
    samples.push((performance.now() - t0) * 1000)
  }
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) }
}

function relevance(lib, index, services, judged, stemmed) {
  let hits = 0
  let rr = 0
  const misses = []
  for (const j of judged) {
    const re = new RegExp(j.expect, 'i')
    const ids = lib.query(index, queryTerms(j.q, stemmed))
    const rank = ids.findIndex((id) => re.test(services[id].name))
    if (rank >= 0 && rank < 3) hits++
    else misses.push(j.q)
    if (rank >= 0) rr += 1 / (rank + 1)
  }
  return { hitRate: hits / judged.length, mrr: rr / judged.length, misses }
}


/** Judged queries with one typo: the middle letter of the longest word (>= 6 letters) dropped. */
function typoVariants(judged) {
  const out = []
  for (const j of judged) {
    const words = j.q.split(' ')
    const longest = words.reduce((a, w) => (w.length > a.length ? w : a), '')
    if (longest.length < 6) continue
    const cut = Math.floor(longest.length / 2)
    const q = words.map((w) => (w === longest ? w.slice(0, cut) + w.slice(cut + 1) : w)).join(' ')
    if (!out.some((o) => o.q === q)) out.push({ q, expect: j.expect })
  }
  return out
}

const r2 = (x) => Math.round(x * 100) / 100
const pct = (x) => `${Math.round(x * 1000) / 10}%`

export async function run({ durationSeconds } = {}) {
  const rounds = durationSeconds && durationSeconds < 5 ? 50 : 200
  const data = await loadRegionData(fileURLToPath(new URL('../config/region.json', import.meta.url)))
  const catalog = await regionCatalog(data)
  const judged = JSON.parse(await readFile(new URL('../test/fixtures/search-judgments.json', import.meta.url), 'utf8')).queries
  const services = catalog.services
  const docs = documents(services, false)
  const docsStemmed = documents(services, true)
  const typos = typoVariants(judged)
  const termLists = judged.map((j) => queryTerms(j.q, false))
  const nrwServices = syntheticCatalog(data.serviceCatalog, data.lifeSituations).services
  const nrwDocs = documents(nrwServices, false)
  const rows = []
  for (const [name, lib] of Object.entries(LIBRARIES)) {
    const b = measureBuild(lib, docs, 15)
    const index = lib.build(docs)
    const q = measureQueries(lib, index, termLists, rounds)
    const rel = relevance(lib, index, services, judged, false)
    const relStem = relevance(lib, lib.build(docsStemmed), services, judged, true)
    const relTypo = relevance(lib, index, services, typos, false)
    rows.push(
      { label: `${name}: build, region (ms)`, p50: r2(b.buildMs), p99: r2(b.buildMax), note: `heap +${r2(b.heapMb)} MB; p99 col = max of 15` },
      { label: `${name}: query, region (µs)`, p50: r2(q.p50), p99: r2(q.p99), note: `${judged.length} judged queries x ${rounds}` },
      { label: `${name}: relevance, folded`, note: `hit@3 ${pct(rel.hitRate)}, MRR ${r2(rel.mrr)}; missed: ${rel.misses.slice(0, 6).join(" | ")}` },
      { label: `${name}: relevance, folded+stemmed`, note: `hit@3 ${pct(relStem.hitRate)}, MRR ${r2(relStem.mrr)}` },
      { label: `${name}: relevance, one typo`, note: `hit@3 ${pct(relTypo.hitRate)}, MRR ${r2(relTypo.mrr)} over ${typos.length}; missed: ${relTypo.misses.slice(0, 6).join(" | ")}${relTypo.misses.length > 6 ? " …" : ""}` },
    )
    if (lib.regionOnly) continue
    const nb = measureBuild(lib, nrwDocs, 5)
    const nIndex = lib.build(nrwDocs)
    const nq = measureQueries(lib, nIndex, termLists, 5)
    rows.push(
      { label: `${name}: build, NRW (ms)`, p50: r2(nb.buildMs), p99: r2(nb.buildMax), note: `${nrwDocs.length} services; heap +${r2(nb.heapMb)} MB; p99 col = max of 5` },
      { label: `${name}: query, NRW (µs)`, p50: r2(nq.p50), p99: r2(nq.p99) },
    )
  }
  return { name: `search libraries alone (no project synonyms/compounds/ranking), ${services.length} services; ${process.version}`, rows }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) printTable(await run())
