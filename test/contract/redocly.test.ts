// Redocly's recommended ruleset over the saved document: 0 errors. Run as a
// separate process, loopback-only (a preload refuses any other connection),
// with telemetry and the update check off.
import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { realApp } from '../helpers/app.js'
import { REPO } from '../helpers/region.js'

const run = promisify(execFile)

t.test('redocly lint --extends recommended reports no error on /docs/json', async (t) => {
  const app = await realApp(t)
  const dir = await mkdtemp(join(tmpdir(), 'dp-redocly-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'openapi.json')
  await writeFile(file, (await app.inject('/docs/json')).body)
  const env = {
    ...process.env,
    REDOCLY_TELEMETRY: 'off',
    REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
    NODE_OPTIONS: `--require ${join(REPO, 'test/contract/loopback-only.cjs')}`,
  }
  const result = await run(join(REPO, 'node_modules/.bin/redocly'), ['lint', '--extends', 'recommended', '--format', 'json', file], { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 })
    .catch((error: { stdout?: string; stderr?: string; code?: number }) => error)
  const report = JSON.parse(String(result.stdout)) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; severity: string; location: { pointer: string }[] }[] }
  const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} at ${p.location[0]?.pointer}`)
  t.same(errors, [], 'no errors')
  t.equal(report.totals.errors, 0)
  t.comment(`redocly recommended: ${report.totals.errors} errors, ${report.totals.warnings} warnings`)
})
