// Runs autocannon against 127.0.0.1 and returns one bench row.
// `paths` rotates per request, so a route is measured over a query mix.
import autocannon from 'autocannon'

export async function load({ url, paths, connections = 50, durationSeconds = 10, label }) {
  let i = 0
  const result = await autocannon({
    url,
    connections,
    duration: durationSeconds,
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
