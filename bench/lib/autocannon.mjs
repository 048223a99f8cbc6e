// Runs autocannon against 127.0.0.1 and returns one bench row.
// `paths` rotates per request, so a route is measured over a query mix.
import autocannon from 'autocannon'

export async function load({ url, paths, connections = 50, durationSeconds = 10, label, headers }) {
  let i = 0
  const result = await autocannon({
    url,
    connections,
    duration: durationSeconds,
    ...(headers ? { headers } : {}),
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
  })
  const failed = result.errors + result.timeouts + result.non2xx
  return {
    label,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    ...(failed > 0 ? { note: `${failed} failed` } : {}),
  }
}

export function durationFromEnv(fallback = 10) {
  const n = Number(process.env.BENCH_DURATION)
  return Number.isFinite(n) && n > 0 ? n : fallback
}

/**
 * Loads every target ({ label, url, paths, headers? }) in interleaved rounds
 * after a short warm-up, so JIT warm-up and drift on a busy machine hit all
 * alike; one row per target with the mean of its rounds.
 */
export async function measureInterleaved(targets, durationSeconds, rounds = 2) {
  const slice = Math.max(1, Math.round(durationSeconds / rounds))
  for (const t of targets) await load({ ...t, durationSeconds: Math.min(2, slice), label: 'warm-up' })
  const samples = targets.map(() => [])
  for (let r = 0; r < rounds; r++) {
    for (const [i, t] of targets.entries()) samples[i].push(await load({ ...t, durationSeconds: slice }))
  }
  return targets.map((t, i) => {
    const s = samples[i]
    const mean = (k) => Math.round((s.reduce((a, x) => a + x[k], 0) / s.length) * 100) / 100
    const notes = s.map((x) => x.note).filter(Boolean)
    return { label: t.label, rps: Math.round(mean('rps')), p50: mean('p50'), p99: mean('p99'), ...(notes.length ? { note: notes.join('; ') } : {}) }
  })
}
