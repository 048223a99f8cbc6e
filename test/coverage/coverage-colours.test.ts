// /abdeckung: every heat-map colour has at least 3:1 contrast against the
// white page (WCAG 1.4.11 non-text contrast; issue 28 measured 1.12-2.53:1).
import t from 'tap'
import { FILL } from '../../src/coverage/routes.js'

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0)
}
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05)
}

t.test('heat-map colours against white', async (t) => {
  for (const [state, fill] of Object.entries(FILL)) {
    const ratio = contrast(fill, '#ffffff')
    t.ok(ratio >= 3, `${state} ${fill}: ${ratio.toFixed(2)}:1`)
  }
  t.equal(new Set(Object.values(FILL)).size, Object.keys(FILL).length, 'four different colours')
})
