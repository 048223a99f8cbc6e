import t from 'tap'
import { existsSync } from 'node:fs'
import { readFile, symlink, writeFile } from 'node:fs/promises'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { run } from '../../src/cli/validate.js'
import { makeRegion, manifest, member, service, REPO } from '../helpers/region.js'

const capture = async (argv: string[]) => {
  const lines: string[] = []
  const code = await run(argv, (l) => lines.push(l))
  return { code, out: lines.join('\n') }
}

t.test('--all validates every bundled member: exit 0', async (t) => {
  const { code, out } = await capture(['--all', '--region', join(REPO, 'config', 'region.json')])
  t.equal(code, 0)
  t.match(out, /15 valid, 0 invalid/)
})

t.test('--upgrade prints the v2 form of a v1 manifest; an invalid one exits 1', async (t) => {
  const region = await makeRegion([member('alpha', 'stadt')], {
    alpha: manifest('alpha', [service('a', { onlineUrl: 'https://www.alpha.example/a' })]),
  })
  t.teardown(region.cleanup)
  const file = join(region.dir, 'members', 'alpha.json')
  const { code, out } = await capture(['--region', region.regionPath, '--upgrade', file])
  t.equal(code, 0)
  const v1 = JSON.parse(await readFile(file, 'utf8'))
  t.same(JSON.parse(out), { ...v1, schemaVersion: 2 })
  const bad = join(region.dir, 'bad.json')
  await writeFile(bad, JSON.stringify(manifest('alpha', [service('a', { onlineUrl: 'https://evil.example/' })])))
  const failed = await capture(['--region', region.regionPath, '--upgrade', bad])
  t.equal(failed.code, 1)
  t.match(failed.out, /\/services\/0\/onlineUrl/)
  t.equal((await capture(['--region', region.regionPath, '--upgrade', file, bad])).code, 2, 'one file only')
})

t.test('an invalid manifest: every error with its path, exit 1', async (t) => {
  const region = await makeRegion([member('alpha', 'stadt')], {
    alpha: manifest('alpha', [service('a', { onlineUrl: 'https://evil.example/' }), service('a')]),
  })
  t.teardown(region.cleanup)
  const { code, out } = await capture(['--region', region.regionPath, join(region.dir, 'members', 'alpha.json')])
  t.equal(code, 1)
  t.match(out, /\/services\/0\/onlineUrl: host "evil.example" is not one of the member's allowed hosts/)
  t.match(out, /\/services\/1\/id: duplicate service id "a"/)
  t.match(out, /0 valid, 1 invalid/)
})

t.test('more errors than are listed: the count says all of them, as the 422 detail does', async (t) => {
  const services = Array.from({ length: 30 }, (_, i) => ({ ...service(`s${i}`), name: 5, summary: 7 }))
  const region = await makeRegion([member('alpha', 'stadt')], { alpha: JSON.stringify(manifest('alpha', services as never)) })
  t.teardown(region.cleanup)
  const file = join(region.dir, 'members', 'alpha.json')
  const { code, out } = await capture(['--region', region.regionPath, file])
  t.equal(code, 1)
  t.match(out, /alpha\.json: 60 error\(s\)/, 'not the 51 lines listed')
  t.match(out, /and 10 more error\(s\) not listed/)
  const upgrade = await capture(['--region', region.regionPath, '--upgrade', file])
  t.match(upgrade.out, /alpha\.json: 60 error\(s\)/)
})

t.test('a Latin-1 file is refused as not UTF-8 (was valid, with every umlaut turned into U+FFFD); a BOM is fine', async (t) => {
  const region = await makeRegion([member('alpha', 'stadt')], {})
  t.teardown(region.cleanup)
  const doc = manifest('alpha', [service('a', { name: 'Anmeldung im Bürgerbüro' })])
  const latin1 = join(region.dir, 'latin1.json')
  await writeFile(latin1, Buffer.from(JSON.stringify(doc), 'latin1'))
  const refused = await capture(['--region', region.regionPath, latin1])
  t.equal(refused.code, 1)
  t.match(refused.out, /latin1\.json: 1 error\(s\)\n  \/: not valid UTF-8/)
  const bom = join(region.dir, 'bom.json')
  await writeFile(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(doc))]))
  const upgraded = await capture(['--region', region.regionPath, '--upgrade', bom])
  t.equal(upgraded.code, 0, upgraded.out)
  t.equal(JSON.parse(upgraded.out).services[0].name, 'Anmeldung im Bürgerbüro')
})

t.test('broken JSON reports line and column; unknown member notes unchecked hosts', async (t) => {
  const region = await makeRegion([member('alpha', 'stadt')], { alpha: manifest('alpha', []) })
  t.teardown(region.cleanup)
  const broken = join(region.dir, 'broken.json')
  await writeFile(broken, '{\n  "a": 1,\n}')
  const other = join(region.dir, 'other.json')
  await writeFile(other, JSON.stringify(manifest('zeta', [service('z', { onlineUrl: 'https://anything.example/' })])))
  const { code, out } = await capture(['--region', region.regionPath, broken, other])
  t.equal(code, 1)
  t.match(out, /invalid JSON at line 3, column 1/)
  t.match(out, /other\.json: valid/)
  t.match(out, /member is not in the region config/)
})

t.test('usage errors exit 2', async (t) => {
  t.equal((await capture([])).code, 2)
  t.equal((await capture(['--bogus'])).code, 2)
  t.equal((await capture(['--region', '/nonexistent/region.json', 'x.json'])).code, 2)
})

t.test('as an installed bin: runs through the node_modules/.bin symlink', async (t) => {
  const bin = join(REPO, 'dist', 'cli', 'validate.js')
  if (!existsSync(bin)) return void t.fail(`${bin} missing: run npx tsc -p tsconfig.build.json first`)
  const dir = t.testdir({})
  const link = join(dir, 'dachportal-validate')
  await symlink(bin, link)
  const region = join(REPO, 'config', 'region.json')
  const members = (JSON.parse(await readFile(region, 'utf8')) as { members: unknown[] }).members.length
  const result = spawnSync(process.execPath, [link, '--all', '--region', region], { encoding: 'utf8', cwd: dir })
  t.equal(result.status, 0, result.stderr)
  t.match(result.stdout, new RegExp(`${members} valid, 0 invalid`))
  const extensionless = spawnSync(process.execPath, [bin.replace(/\.js$/, ''), '--all'], { encoding: 'utf8', cwd: dir })
  t.notMatch(extensionless.stderr, /ENOENT.*realpath|at invokedDirectly/, 'a path Node resolves itself does not crash the check')
})
