// dachportal-import xzufi: fixture -> valid manifest file and report; hostile input exits 1.
import t from 'tap'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run } from '../../src/cli/import.js'
import { REPO } from '../helpers/region.js'

const fixture = (name: string) => join(REPO, 'test', 'fixtures', 'xzufi', name)
async function capture(argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await run(argv, (l) => out.push(l), (l) => err.push(l))
  return { code, out: out.join('\n'), err: err.join('\n') }
}

t.test('two fixtures for Gladbeck: manifest written, report on stderr, exit 0', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dp-cli-import-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const out = join(dir, 'manifest.json')
  const r = await capture(['xzufi', fixture('gladbeck-personalausweis.xml'), fixture('gladbeck-hund.xml'), '--member', 'gladbeck', '--out', out, '--region', join(REPO, 'config', 'region.json')])
  t.equal(r.code, 0, r.err)
  t.match(r.err, /mapped: 3 services \(2 in the region catalog, 1 by LeiKa key only\), 1 offices, 1 online services/)
  t.match(r.err, /onlinedienst OD-2 "Fremder Dienst": URL not allowed/)
  t.match(r.err, /✓ valid manifest/)
  const manifest = JSON.parse(await readFile(out, 'utf8'))
  t.equal(manifest.schemaVersion, 2)
  t.same(manifest.services.map((s: { key?: string; leikaKey?: string }) => s.key ?? s.leikaKey), ['personalausweis', 'hund-anmelden', '99102013999000'])
})

t.test('hostile file: exit 1 with the reason; usage errors exit 2', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dp-cli-import-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const bad = join(dir, 'xxe.xml')
  await writeFile(bad, '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x:t xmlns:x="http://xoev.de/schemata/xzufi/2_2_0">&xxe;</x:t>')
  const r = await capture(['xzufi', bad, '--member', 'gladbeck'])
  t.equal(r.code, 1)
  t.match(r.err, /rejected \(doctype\)/)
  t.equal((await capture(['xzufi', bad])).code, 2, 'no --member')
  t.equal((await capture(['xzufi', bad, '--member', 'nobody'])).code, 2, 'unknown member')
  t.equal((await capture(['json', bad, '--member', 'gladbeck'])).code, 2, 'unknown format')
})

t.test('an --out the CLI cannot write: one line naming it, exit 1, no stack trace', async (t) => {
  const r = await capture(['xzufi', fixture('gladbeck-hund.xml'), '--member', 'gladbeck', '--out', '/nonexistent/x.json', '--region', join(REPO, 'config', 'region.json')])
  t.equal(r.code, 1)
  const last = r.err.split('\n').at(-1) ?? ''
  t.equal(last, '✗ --out /nonexistent/x.json: cannot write (ENOENT)')
  t.notMatch(r.err, /\n\s+at /, 'no stack')
  t.equal(r.out, '', 'nothing on stdout either')
})

t.test('one bad link (a backslash before @) drops that item with a report line; the rest is imported', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dp-cli-import-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const xml = (await readFile(fixture('gladbeck-hund.xml'), 'utf8'))
    .replace('https://serviceportal.gladbeck.de/hundesteuer', 'https://serviceportal.gladbeck.de\\@evil.com/hundesteuer')
  const file = join(dir, 'bad-link.xml')
  await writeFile(file, xml)
  const r = await capture(['xzufi', file, fixture('gladbeck-personalausweis.xml'), '--member', 'gladbeck', '--region', join(REPO, 'config', 'region.json')])
  t.equal(r.code, 0, r.err)
  t.match(r.err, /onlinedienst \S+ "[^"]*": URL not allowed: .*RFC 3986/, 'the item and why')
  t.match(r.err, /✓ valid manifest/)
  t.notMatch(r.out, /evil\.com/, 'the bad link is not in the manifest')
  t.ok(JSON.parse(r.out).services.length > 0, 'the rest is imported')
})

t.test('a large export (200 000 objects, e.g. a whole Land) is read: records are not spread into one call', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dp-cli-import-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const big = join(dir, 'land.xml')
  const gladbeck = await readFile(fixture('gladbeck-personalausweis.xml'), 'utf8')
  const others = Array.from({ length: 200_000 }, (_, i) => `<xzufi:schreibe><xzufi:leistung><xzufi:id>X-${i}</xzufi:id></xzufi:leistung></xzufi:schreibe>`).join('')
  await writeFile(big, gladbeck.replace('</xzufi:transfer.operation.040101>', `${others}</xzufi:transfer.operation.040101>`))
  const r = await capture(['xzufi', big, '--member', 'gladbeck', '--out', join(dir, 'm.json'), '--region', join(REPO, 'config', 'region.json')])
  t.equal(r.code, 0, r.err.slice(0, 500))
  t.match(r.err, /mapped: 1 services/)
})

t.test('the full export through the CLI: every new field in the manifest, owners, expired and unknown codes in the report', async (t) => {
  const r = await capture(['xzufi', fixture('gladbeck-full.xml'), '--member', 'gladbeck', '--region', join(REPO, 'config', 'region.json')])
  t.equal(r.code, 0, r.err)
  t.match(r.err, /mapped: 3 services \(1 in the region catalog, 2 by LeiKa key only\), 2 offices, 1 online services/)
  t.match(r.err, /organisationseinheit OE-K "Straßenverkehrsamt Kreis Recklinghausen": no Zuständigkeit in the member's area \(belongs to kreis-recklinghausen: import it there\)/)
  t.match(r.err, /leistung L-540 "BAföG beantragen": no Zuständigkeit in the member's area \(belongs to nrw: import it there\)/)
  t.match(r.err, /leistung L-520 "Hund anmelden \(alte Fassung\)": validity ended on 2025-12-31 \(gueltigkeit\): skipped/)
  t.match(r.err, /unknown code: unknown vertrauensniveau "4711", 1 time\(s\)/)
  t.match(r.err, /unknown code: unknown rolle code "09" \(Zuständigkeit not used\)/)
  t.match(r.err, /not shown in the portal \(no manifest field\): text module 18 Urheber in 1 object\(s\)/)
  const manifest = JSON.parse(r.out)
  const s = manifest.services.find((x: { key?: string }) => x.key === 'wohnsitz-anmelden')
  for (const field of ['requirements', 'procedure', 'deadlines', 'processingTime', 'legalBasis', 'forms', 'furtherInformation', 'notes', 'fees', 'feeItems', 'contactPoints', 'office', 'synonyms']) t.ok(s[field] !== undefined, `${field} filled`)
  const office = manifest.offices.find((o: { id: string }) => o.id === s.office)
  for (const field of ['phone', 'email', 'url', 'openingHours', 'address']) t.ok(office[field] !== undefined, `office ${field} filled`)
  t.same(manifest.services.filter((x: { leikaKey?: string }) => x.leikaKey).map((x: { leikaKey: string; lifeSituations: string[] }) => [x.leikaKey, x.lifeSituations]), [['99123777001000', ['umwelt-abfall']], ['99400777001000', ['weitere-leistungen']]])
})
