// /abdeckung: every heat-map colour has at least 3:1 contrast against the
// white page (WCAG 1.4.11 non-text contrast; issue 28 measured 1.12-2.53:1),
// and states whose colours are closer than 3:1 to each other differ by mark.
// Checked on the colours and marks the page actually draws.
import t from 'tap'
import { join } from 'node:path'
import { FILL, MARK } from '../../src/coverage/routes.js'
import { startPortal } from '../helpers/browser.js'
import { REPO } from '../helpers/region.js'

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0)
}
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05)
}
const WHITE = '#ffffff'

t.test('heat-map colours against white', async (t) => {
  for (const [state, fill] of Object.entries(FILL)) {
    const ratio = contrast(fill, WHITE)
    t.ok(ratio >= 3, `${state} ${fill}: ${ratio.toFixed(2)}:1`)
  }
  t.equal(new Set(Object.values(FILL)).size, Object.keys(FILL).length, 'four different colours')
})

t.test('neighbouring states: 3:1 apart, or told apart by their marks', async (t) => {
  const states = Object.keys(FILL) as (keyof typeof FILL)[]
  for (const [i, a] of states.entries()) {
    for (const b of states.slice(i + 1)) {
      const ratio = contrast(FILL[a], FILL[b])
      t.ok(ratio >= 3 || MARK[a] !== MARK[b], `${a}/${b}: ${ratio.toFixed(2)}:1, marks ${MARK[a]}/${MARK[b]}`)
    }
  }
  t.equal(new Set(Object.values(MARK)).size, states.length, 'every state its own mark')
})

// The drawn SVG, not the constants: each cell is a colour of FILL, white
// marks on it (a pattern of that colour and white) or its outline on white.
t.test('the page draws only those colours, each mark on 3:1', async (t) => {
  const { app } = await startPortal(t, { listen: false, settings: { regionConfig: join(REPO, 'config', 'region.json'), rateLimit: false } })
  const html = (await app.inject({ url: '/abdeckung', headers: { accept: 'text/html' } })).body
  const patterns = new Map([...html.matchAll(/<pattern id="([^"]+)"[^>]*>([\s\S]*?)<\/pattern>/g)].map((m) => [m[1] as string, [...(m[2] as string).matchAll(/fill="([^"]+)"/g)].map((f) => f[1] as string)]))
  const heat = html.match(/<svg[^>]*role="img"[\s\S]*?<\/svg>/)?.[0] ?? ''
  const legend = html.match(/<ul class="legend">[\s\S]*?<\/ul>/)?.[0] ?? ''
  const allowed = new Set(Object.values(FILL))
  const seen = new Set<string>()
  const wrong: string[] = []
  for (const [where, svg] of [['heat map', heat], ['legend', legend]] as const) {
    const cells = [...svg.matchAll(/<rect ([^>]*?)\/?>/g)].map((m) => m[1] as string).filter((a) => !/width="4"|width="1.5"/.test(a))
    t.ok(cells.length >= 4, `${where}: ${cells.length} cells`)
    for (const attrs of cells) {
      const fill = /fill="([^"]+)"/.exec(attrs)?.[1] ?? ''
      const stroke = /stroke="([^"]+)"/.exec(attrs)?.[1]
      const pattern = /^url\(#(.+)\)$/.exec(fill)?.[1]
      // the colours that tell this cell from the white page and from its neighbours
      const painted = pattern !== undefined ? patterns.get(pattern) ?? [] : stroke !== undefined ? [fill, stroke] : [fill]
      const colour = painted.find((c) => c !== WHITE) ?? ''
      seen.add(`${colour} ${pattern !== undefined ? 'pattern' : stroke !== undefined ? 'outline' : 'solid'}`)
      const marksOnColour = pattern === undefined || (painted.length === 2 && painted.includes(WHITE))
      if (!allowed.has(colour) || contrast(colour, WHITE) < 3 || !marksOnColour) wrong.push(`${where}: ${attrs} (${painted.join('/')})`)
    }
  }
  t.same(wrong, [], 'every cell: a colour of FILL with 3:1 against white, alone, as white marks or as an outline')
  t.equal(seen.size, Object.keys(FILL).length, `four kinds of cell drawn: ${[...seen].join(', ')}`)
})
