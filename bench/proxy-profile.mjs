// CPU profile of one proxy role from bench/proxy.mjs under autocannon load:
// which functions spend the time (self time, and total time per package).
//   node bench/proxy-profile.mjs gateway|plugin|minimal [seconds]
// Writes the .cpuprofile to a temp dir (path printed; open it in Chrome
// DevTools) and prints the top functions by self time. Build dist first.
import { fork } from 'node:child_process'
import { mkdtemp, readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { load } from './lib/autocannon.mjs'

const ROLE = process.argv[2] ?? 'gateway'
const SECONDS = Number(process.argv[3] ?? 8)
const MEMBER_PATHS = ['/a', '/services/1?x=1', '/forms/antrag/schritt-2', '/static/app.css']
const PROXY = fileURLToPath(new URL('./proxy.mjs', import.meta.url))

function startRole(role, arg, execArgv = []) {
  const child = fork(PROXY, ['--role', role, arg ?? ''], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv })
  return new Promise((resolve, reject) => {
    const exited = new Promise((done) => child.once('exit', done))
    child.once('message', (port) => resolve({ port, stop: () => (child.kill('SIGTERM'), exited) }))
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)))
  })
}

/** Self time per function and total self time per package/file group. */
// Only samples taken during the measured load count (not start-up, warm-up
// or shutdown): V8's profile clock and process.hrtime are both CLOCK_MONOTONIC.
// Samples are counted, not weighted by their time delta: on a loaded machine
// one sample after the process was descheduled would carry the whole gap.
function summarize(profile, fromUs, toUs, requests, top = 30) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map()
  const dt = profile.timeDeltas
  let t = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    t += dt[i] ?? 0
    if (t < fromUs || t > toUs) continue
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + 1)
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  const fns = new Map()
  const groups = new Map()
  for (const [id, us] of self) {
    const { callFrame: f } = byId.get(id)
    const file = f.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'nm:').replace(/.*\/(dist|bench)\//, '$1/')
    const key = `${f.functionName || '(anonymous)'}  ${file}:${f.lineNumber + 1}`
    fns.set(key, (fns.get(key) ?? 0) + us)
    const group = file === '' ? f.functionName : file.startsWith('nm:') ? file.split('/').slice(0, file.startsWith('nm:@') ? 2 : 1).join('/') : file.startsWith('node:') ? file : file.split('/').slice(0, 2).join('/')
    groups.set(group, (groups.get(group) ?? 0) + us)
  }
  const pct = (n) => `${((n / total) * 100).toFixed(1).padStart(5)}%  ${((n * 1000) / requests).toFixed(1).padStart(6)}/1k req`
  const busy = total - (fns.get('(idle)  :0') ?? 0)
  console.log(`\nTop ${top} functions by self time (${total} samples of ~1 ms, ${((busy * 1000) / requests).toFixed(1)} busy samples per 1000 requests):`)
  for (const [k, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${k}`)
  console.log('\nSelf time by package / file:')
  for (const [k, us] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(us)}  ${k}`)
}

const dir = await mkdtemp(join(tmpdir(), 'dp-proxy-prof-'))
const upstream = await startRole('upstream')
const upstreamUrl = `http://127.0.0.1:${upstream.port}`
const target = await startRole(ROLE, upstreamUrl, ['--cpu-prof', `--cpu-prof-dir=${dir}`])
const paths = ROLE === 'minimal' ? MEMBER_PATHS : MEMBER_PATHS.map((p) => `/cities/gladbeck${p}`)
const url = `http://127.0.0.1:${target.port}`
await load({ url, paths, durationSeconds: 2, label: 'warm-up' })
const nowUs = () => Number(process.hrtime.bigint() / 1000n)
const from = nowUs()
const row = await load({ url, paths, durationSeconds: SECONDS, label: ROLE })
const to = nowUs()
console.log(row)
await target.stop()
await upstream.stop()
const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'))
console.log(`profile: ${join(dir, file)}`)
summarize(JSON.parse(await readFile(join(dir, file), 'utf8')), from, to, row.rps * SECONDS)
