import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO } from './helpers/region.js'
import { TEST_GATEWAY_ENV } from './helpers/gateway-process.js'

// `npm start` = build + `node dist/main.js`; `npm test` builds first, so dist/ is current.
t.test('the real process starts with the bundled members and becomes ready', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'dp-main-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const child = spawn(process.execPath, [join(REPO, 'dist', 'main.js')], {
    cwd: REPO,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', REDIS_URL: '', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: TEST_GATEWAY_ENV.PRESSURE_MAX_EVENT_LOOP_DELAY_MS },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let output = ''
  child.stderr.on('data', (d) => { output += d })
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      output += d
      const m = /"address":"(http:\/\/[^"]+)"/.exec(output)
      if (m) resolve(m[1]!)
    })
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${output}`)))
  })
  let ready: any
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${address}/ready`).catch(() => undefined)
    if (res?.status === 200) { ready = await res.json(); break }
    await new Promise((r) => setTimeout(r, 50))
  }
  t.match(ready, { status: 'ready' })
  const members = await (await fetch(`${address}/api/v1/members?pageSize=100`)).json() as any
  t.equal(members.total, 15)
  t.ok(members.items.every((m: any) => m.status === 'ok'))
  child.kill('SIGTERM')
  const code = await new Promise((resolve) => child.on('exit', resolve))
  t.equal(code, 0, 'exits 0 on SIGTERM')
})
