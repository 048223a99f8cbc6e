// GET /api/v1/coverage (JSON) and the page /abdeckung (SVG heat map plus the
// same data as tables, no JS). Public catalog data only.
import type { FastifyInstance } from 'fastify'
import { buildCoverage, STATE_LABELS, type CellState, type Coverage, type CoverageCell } from './coverage.js'
import { heatMap, heatSwatch, type HeatMark } from '../charts/svg.js'
import { loadAssets } from '../web/assets.js'
import { renderPage } from '../web/render.js'
import { notModified } from '../http/cache.js'
import { readsCatalog } from '../lifecycle/catalog-plugin.js'

// Each at least 3:1 against the white page (WCAG 1.4.11). Against each other
// they are not (no four colours can be, with 3:1 against white too), so each
// state also has its own mark (charts/svg.ts), besides each cell's title and
// the tables below.
export const FILL: Record<CellState, string> = { online: '#0b4f8a', 'in-person': '#1e7d4f', 'higher-level': '#8a4b00', missing: '#767676' }
export const MARK: Record<CellState, HeatMark> = { online: 'solid', 'in-person': 'stripes', 'higher-level': 'dots', missing: 'outline' }
const MARK_LABEL: Record<HeatMark, string> = { solid: 'voll', stripes: 'gestreift', dots: 'gepunktet', outline: 'nur umrandet' }
const STATES: CellState[] = ['online', 'in-person', 'higher-level', 'missing']

const Cell = {
  type: 'object',
  required: ['service', 'state'],
  properties: {
    service: { type: 'string' },
    state: { type: 'string', enum: STATES },
    maturity: { type: 'object', properties: { model: { type: 'string' }, level: { type: 'integer' }, text: { type: 'string' } } },
    provider: { type: 'string', description: 'online through this member\'s shared service' },
    by: { type: 'string', description: 'higher-level: the Kreis/Land/Bund member offering it' },
    couldShare: { type: 'array', items: { type: 'object', properties: { provider: { type: 'string' }, providerName: { type: 'string' }, onlineService: { type: 'string' } } } },
  },
} as const
export const CoverageSchema = {
  $id: 'Coverage',
  type: 'object',
  description: 'Member × service matrix of the region',
  required: ['version', 'services', 'members'],
  properties: {
    version: { type: 'integer' },
    services: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } } },
    members: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          member: { type: 'string' },
          memberName: { type: 'string' },
          counts: { type: 'object', properties: Object.fromEntries(STATES.map((s) => [s, { type: 'integer' }])) },
          cells: { type: 'array', items: Cell },
        },
      },
    },
  },
} as const

function cellText(cell: CoverageCell, nameOf: (id: string) => string): string {
  let text: string
  if (cell.state === 'online') {
    text = 'online'
    if (cell.maturity) text += ` (Reifegrad ${cell.maturity.level})`
    if (cell.provider) text += `, Dienst von ${nameOf(cell.provider)}`
  } else if (cell.state === 'higher-level') {
    text = `über ${nameOf(cell.by ?? '')}`
  } else {
    text = STATE_LABELS[cell.state]
  }
  for (const option of cell.couldShare ?? []) text += `; könnte den Online-Dienst von ${option.providerName} mitnutzen`
  return text
}

async function routes(app: FastifyInstance): Promise<void> {
  const assets = await loadAssets()
  let cached: Coverage | undefined
  const current = (): Coverage => {
    const catalog = app.live.current
    if (cached?.version !== catalog.version) cached = buildCoverage(catalog)
    return cached
  }

  app.get('/api/v1/coverage', {
    schema: { tags: ['Navigation'], operationId: 'getCoverage', summary: 'Abdeckung: Städte × Leistungen (online mit Reifegrad, vor Ort, über Kreis/Land/Bund, fehlt; Hinweise auf mitnutzbare Online-Dienste)', response: { 200: { $ref: 'Coverage#' } } },
  }, async (request, reply) => {
    const coverage = current()
    if (notModified(request, reply, coverage.version)) return reply
    return coverage
  })

  app.get('/abdeckung', { schema: { hide: true } }, async (_request, reply) => {
    const coverage = current()
    const catalog = app.live.current
    const nameOf = (id: string) => catalog.memberById.get(id)?.name ?? id
    const svg = heatMap(
      'Abdeckung der Leistungen je Stadt',
      coverage.members.map((m) => `${m.memberName}: ${m.counts.online} online, ${m.counts['in-person']} nur vor Ort, ${m.counts['higher-level']} über Kreis, Land oder Bund, ${m.counts.missing} fehlen`).join('. '),
      coverage.members.map((m) => ({ label: m.memberName, cells: m.cells.map((c) => ({ fill: FILL[c.state], mark: MARK[c.state], tooltip: cellText(c, nameOf) })) })),
    )
    const html = renderPage('coverage', {
      title: `Abdeckung der Leistungen – ${catalog.region.name}`,
      description: 'Welche Stadt bietet welche Leistung online, vor Ort oder über Kreis, Land und Bund an.',
      regionName: catalog.region.name,
      css: assets.get('portal.css')?.href ?? '/assets/portal.css',
      js: assets.get('portal.js')?.href ?? '/assets/portal.js',
      icon: assets.get('icon.svg')?.href ?? '/assets/icon.svg',
      version: coverage.version,
      legend: STATES.map((state) => ({ state, label: STATE_LABELS[state], swatch: heatSwatch({ fill: FILL[state], mark: MARK[state] }), markLabel: MARK_LABEL[MARK[state]] })),
      svg,
      services: coverage.services,
      members: coverage.members.map((m) => ({
        ...m,
        shareable: m.cells.filter((c) => c.couldShare !== undefined).length,
        texts: m.cells.map((c) => cellText(c, nameOf)),
      })),
    })
    return reply.type('text/html; charset=utf-8').header('cache-control', 'public, max-age=60').send(html)
  })
}

export const coverageRoutes = readsCatalog(routes, 'dachportal-coverage-routes')
