// GET /api/v1/search and GET /api/v1/suggest over the in-process search
// index. Schemas are the contract: validation, serialisation and OpenAPI.
// Hits carry a bounded offering list (see MAX_OFFERINGS_PER_HIT in
// src/search/search.ts): the full list is at /api/v1/services/:id.
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import type { View } from '../catalog/views.js'
import type { Catalog } from '../catalog/types.js'
import { errors } from '../http/problem.js'
import { Level } from '../manifest/schema.js'
import { AGS_PATTERN, ARS_PATTERN, type AreaKey } from '../catalog/responsibility.js'
import { search } from '../search/search.js'
import { SEARCH_CHANNELS } from '../search/channels.js'
import { suggest } from '../search/suggest.js'
import type { SearchIndex } from '../search/search-index.js'
import { ResponseCache } from '../search/response-cache.js'
import { Paging, PostalCode, problemResponses, Slug, ViewParam } from './schemas.js'
import { notModified } from '../http/cache.js'
import { checkKnownFilters } from './known-filters.js'
import { serializeView } from './send-view.js'
import { withSpan } from '../telemetry/index.js'
import { EncodedBody, sendEncoded, type Compressor } from '../http/encoded-body.js'
import { readsCatalog } from '../lifecycle/catalog-plugin.js'
import { clientNetwork } from '../http/client-key.js'

/** The catalog and its index come from the catalog plugin (app.live, app.searchIndex). */
interface SearchRoutesOptions {
  /** serialised answers kept per index version (LRU); 0 turns the cache off. Default 1000. */
  cacheEntries?: number
  /** latency of each answered search/suggest (metrics) */
  observe?: (kind: 'search' | 'suggest', seconds: number) => void
  /** each answered search with its total (pilot insights count it; must not throw or block) */
  /** `client` is the client network (clientNetwork): insights count distinct networks per text */
  onSearch?: (query: SearchQuerystring, total: number, client: string) => void
  /** compresses a cached answer once per encoding (tests count the calls); default src/http/compression.ts */
  compress?: Compressor
}

const MAX_QUERY_LENGTH = 200
const SEARCH_CACHE = 'public, max-age=60'
const SUGGEST_CACHE = 'public, max-age=300'

const Query = Type.String({
  minLength: 1,
  maxLength: MAX_QUERY_LENGTH,
  pattern: '\\S',
  description: 'Suchbegriffe, wie Bürgerinnen und Bürger sie tippen (max. 200 Zeichen)',
  examples: ['perso', 'hund anmelden', 'kita platz'],
})

const SearchQuerystring = Type.Object({
  q: { ...Query, description: 'Suchbegriffe, wie Bürgerinnen und Bürger sie tippen (max. 200 Zeichen), oder ein LeiKa-Schlüssel (14 Ziffern)' },
  postalCode: Type.Optional({ ...PostalCode, description: 'Postleitzahl: Angebote der zuständigen Stadt zuerst, mit forYou' }),
  ars: Type.Optional(Type.String({ pattern: ARS_PATTERN, description: 'Amtlicher Regionalschlüssel (2, 3, 5, 9 oder 12 Ziffern) statt postalCode, wie beim PVOG: Angebote der Mitglieder in diesem Gebiet zuerst, mit forYou', examples: ['055620014014'] })),
  ags: Type.Optional(Type.String({ pattern: AGS_PATTERN, description: 'Amtlicher Gemeindeschlüssel (2, 3, 5 oder 8 Ziffern) statt postalCode', examples: ['05562014'] })),
  residentMember: Type.Optional({ ...Slug, description: 'Wohnort als Mitglied (statt postalCode): dessen Angebote (und die von Kreis, Land, Bund) zuerst, mit forYou; filtert nicht', examples: ['gladbeck'] }),
  member: Type.Optional({ ...Slug, description: 'nur Leistungen, die dieses Mitglied selbst anbietet (wie /api/v1/services); forYou ist dann dessen Angebot. Die Anbieter-Facette zählt so, als wäre dieser Filter nicht gesetzt.', examples: ['gladbeck'] }),
  lifeSituation: Type.Optional({ ...Slug, description: 'nur Leistungen dieser Lebenslage', examples: ['familie-kind'] }),
  level: Type.Optional(Level),
  channel: Type.Optional(Type.Unsafe<(typeof SEARCH_CHANNELS)[number]>({
    type: 'string',
    enum: [...SEARCH_CHANNELS],
    description: 'nur Leistungen, die mindestens ein Mitglied so anbietet: online (Online-Link, Onlinedienst oder Kanal online) oder in-person (Kanal vor Ort; ohne angegebene Kanäle: mit Dienststelle). Die Kanal-Facette zählt so, als wäre dieser Filter nicht gesetzt.',
    examples: ['online'],
  })),
  view: ViewParam,
  ...Paging,
}, { additionalProperties: false })
type SearchQuerystring = Static<typeof SearchQuerystring>

const FacetValues = Type.Array(Type.Object({ value: Type.String(), count: Type.Integer() }))

const DEPRECATED_FOR_YOU = 'deprecated: the same as service.forYou (kept for older clients)'

/** The answer with hits of one view; `hit` is the view's service schema. */
function searchResponse(service: TSchema, forYou: TSchema, description: string, $id?: string) {
  return Type.Object({
    query: Type.String({ examples: ['Hunde anmelden'] }),
    normalizedQuery: Type.String({ examples: ['hunde anmelden'] }),
    total: Type.Integer({ examples: [3] }),
    page: Type.Integer({ examples: [1] }),
    pageSize: Type.Integer({ examples: [20] }),
    hits: Type.Array(Type.Object({
      service,
      score: Type.Number({ examples: [183.97] }),
      highlights: Type.Array(Type.String(), { description: 'words of the service that matched', examples: [['Hund', 'anmelden']] }),
      forYou: Type.Optional(forYou),
    })),
    facets: Type.Object({
      member: FacetValues,
      lifeSituation: FacetValues,
      level: FacetValues,
      channel: Type.Array(Type.Object({ value: Type.String({ enum: [...SEARCH_CHANNELS] }), count: Type.Integer() }), { description: 'online / in-person: services with at least one offering done that way' }),
    }),
  }, $id === undefined ? { description } : { $id, description })
}

/** Serialises each view; the document shows their union. */
const SEARCH_RESPONSE: Record<View, TSchema> = {
  full: searchResponse(
    Type.Ref('RegionalService', { description: 'the regional service with forYou; offerings bounded (forYou first), offeringCount has the total' }),
    Type.Ref('Offering', { deprecated: true, description: DEPRECATED_FOR_YOU }),
    'Suchergebnis',
  ),
  compact: searchResponse(Type.Ref('CompactService'), Type.Ref('CompactOffering', { deprecated: true, description: DEPRECATED_FOR_YOU }), 'Suchergebnis, kurz (view=compact)'),
}
export const SearchResponse = searchResponse(
  Type.Union([Type.Ref('RegionalService'), Type.Ref('CompactService')], { description: 'the regional service with forYou: RegionalService (view=full; offerings bounded, forYou first, offeringCount has the total) or CompactService (view=compact)' }),
  Type.Union([Type.Ref('Offering'), Type.Ref('CompactOffering')], { deprecated: true, description: DEPRECATED_FOR_YOU }),
  'Suchergebnis',
  'SearchAnswer',
)

const SuggestQuerystring = Type.Object({ q: { ...Query, examples: ['pers', 'hund an'] } }, { additionalProperties: false })

export const SuggestResponse = Type.Object({
  query: Type.String({ examples: ['hund an'] }),
  suggestions: Type.Array(Type.Object({
    text: Type.String({ examples: ['Hund anmelden (Hundesteuer)'] }),
    serviceId: Type.Optional(Type.String({ examples: ['hund-anmelden'] })),
  }), { maxItems: 10 }),
}, { $id: 'SuggestAnswer', description: 'Vorschläge für ein Suchfeld' })

const NOT_READY = Type.Ref('Problem', { description: 'the search index is not built yet (first moments after start)' })

async function searchRoutes(fastify: FastifyInstance, options: SearchRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { live, searchIndex } = app
  // Bodies are kept as UTF-8 bytes: German text (umlauts, „quotes“) would
  // otherwise be re-encoded and re-measured on every send; their br/gzip
  // forms are added on first use, so a hit costs no compression.
  const searchCache = new ResponseCache<SearchIndex, { body: EncodedBody; total: number }>(options.cacheEntries ?? 1000)
  const suggestCache = new ResponseCache<SearchIndex, EncodedBody>(options.cacheEntries ?? 1000)
  const encoded = (json: string) => new EncodedBody(Buffer.from(json), options.compress)

  /** The serving index; nudges a rebuild when the catalog moved on (the old index serves meanwhile). */
  const serving = (): SearchIndex => {
    const catalog = live.current
    const index = searchIndex.current()
    if (!index) {
      void searchIndex.update(catalog)
      throw new errors.NOT_READY()
    }
    if (catalog.version > index.version) void searchIndex.update(catalog)
    return index
  }

  app.get('/api/v1/search', {
    schema: {
      tags: ['Search'],
      operationId: 'search',
      summary: 'Suche über alle Leistungen der Region (Tippfehler, Umlaute, Komposita, Synonyme)',
      querystring: SearchQuerystring,
      response: { 200: Type.Ref('SearchAnswer'), ...problemResponses, 503: NOT_READY },
    },
  }, async (request, reply) => {
    const query = request.query
    const index = serving()
    checkKnownFilters(index.catalog, query)
    const area: AreaKey | undefined = query.ars !== undefined ? { ars: query.ars } : query.ags !== undefined ? { ags: query.ags } : undefined
    const residence = [query.postalCode, query.residentMember, query.ars, query.ags].filter((x) => x !== undefined)
    if (area !== undefined && residence.length > 1) throw new errors.BAD_QUERY('Bitte nur eines von postalCode, residentMember, ars oder ags angeben.')
    // the URL carries the query, so the index version alone identifies the answer
    if (notModified(request, reply, index.version, '', SEARCH_CACHE)) return reply
    reply.type('application/json; charset=utf-8')
    const key = [query.q, query.postalCode, query.residentMember, query.ars, query.ags, query.member, query.lifeSituation, query.level, query.channel, query.page, query.pageSize, query.view].join('\u0001')
    const started = performance.now()
    let answer = searchCache.get(index, key)
    if (answer === undefined) {
      // the span never carries the search words (they may name a person)
      const result = withSpan('search', { 'dachportal.search.kind': 'api' }, () => search(index, area === undefined ? query : { ...query, area }, undefined, query.view))
      answer = { body: encoded(serializeView(reply, SEARCH_RESPONSE[query.view], result)), total: result.total }
      searchCache.set(index, key, answer)
    }
    options.observe?.('search', (performance.now() - started) / 1000)
    options.onSearch?.(query, answer.total, clientNetwork(request.ip))
    return sendEncoded(request, reply, answer.body)
  })

  app.get('/api/v1/suggest', {
    schema: {
      tags: ['Search'],
      operationId: 'suggest',
      summary: 'Bis zu 10 Vorschläge für ein Suchfeld (Präfix, tippfehlertolerant)',
      querystring: SuggestQuerystring,
      response: { 200: Type.Ref('SuggestAnswer'), ...problemResponses, 503: NOT_READY },
    },
  }, async (request, reply) => {
    const { q } = request.query
    const index = serving()
    if (notModified(request, reply, index.version, '', SUGGEST_CACHE)) return reply
    reply.type('application/json; charset=utf-8')
    const started = performance.now()
    let body = suggestCache.get(index, q)
    if (body === undefined) {
      body = withSpan('suggest', {}, () => encoded(reply.serialize({ query: q, suggestions: suggest(index.suggest, q) }) as string))
      suggestCache.set(index, q, body)
    }
    options.observe?.('suggest', (performance.now() - started) / 1000)
    return sendEncoded(request, reply, body)
  })
}

export default readsCatalog(searchRoutes, 'dachportal-search-routes', ['live', 'searchIndex'])
