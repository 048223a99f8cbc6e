#!/usr/bin/env node
// dachportal-import: turn a member's XZuFi export into a v2 manifest and show
// what will appear in the portal and why anything is missing. Same validation
// as registration. Exit 0 valid, 1 rejected or invalid (report printed), 2 usage.
import { createReadStream, realpathSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { loadRegionOrSay } from './region.js'
import { readManifestFile } from '../manifest/load.js'
import { validateManifest } from '../manifest/validate.js'
import type { ManifestV2 } from '../manifest/schema.js'
import { bundledManifestPath } from '../config/member-source.js'
import { XmlRejected } from '../import/xml-reader.js'
import { mapAndValidate, mapContextFor, readXzufi, type ImportResult } from '../import/xzufi-import.js'
import type { XzufiRecord } from '../import/xzufi-records.js'
import { regionConfigFromEnv } from '../config/env.js'

const USAGE = `usage: dachportal-import xzufi <file.xml>... --member <id> [--out manifest.json] [--region config/region.json]
  Reads XZuFi 2.2.0 (2.1.0 too) and writes a schema-v2 manifest for the member
  (to --out, else to stdout); the mapping report goes to stderr.`

export async function run(argv: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  let regionPath = regionConfigFromEnv() ?? 'config/region.json'
  let memberId: string | undefined
  let outFile: string | undefined
  const files: string[] = []
  const [command, ...rest] = argv
  if (command === '--help' || command === '-h') { out(USAGE); return 0 }
  if (command !== 'xzufi') { err(USAGE); return 2 }
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string
    if (arg === '--member') memberId = rest[++i]
    else if (arg === '--out') outFile = rest[++i]
    else if (arg === '--region') regionPath = rest[++i] ?? ''
    else if (arg.startsWith('-')) { err(`unknown option ${arg}\n${USAGE}`); return 2 }
    else files.push(arg)
  }
  if (!memberId || files.length === 0) { err(USAGE); return 2 }
  const data = await loadRegionOrSay(regionPath, err)
  if (data === undefined) return 2
  const member = data.region.members.find((m) => m.id === memberId)
  if (!member) { err(`unknown member "${memberId}" (not in ${regionPath})`); return 2 }

  const records: XzufiRecord[] = []
  let version: '2.2.0' | '2.1.0' = '2.2.0'
  for (const file of files) {
    try {
      const read = await readXzufi(createReadStream(file))
      for (const r of read.records) records.push(r) // not push(...): a Land's export has more objects than call arguments fit
      if (read.version === '2.1.0') version = '2.1.0'
    } catch (error) {
      if (error instanceof XmlRejected) { err(`✗ ${file}: rejected (${error.code}): ${error.message}`); return 1 }
      err(`✗ ${file}: ${(error as Error).message}`)
      return 1
    }
  }
  // XZuFi has no city links: keep those of the member's bundled manifest
  let links: ManifestV2['links'] | undefined
  const file = bundledManifestPath(member)
  if (file !== undefined) {
    const bundled = await readManifestFile(resolve(dirname(data.regionPath), file))
    const l = bundled.ok ? (bundled.value as { links?: ManifestV2['links'] } | null)?.links : undefined
    if (l && typeof l === 'object') links = l
  }
  const result = mapAndValidate(records, mapContextFor(data, member, links, version, new Date()), (doc) => validateManifest(doc, {
    memberId: member.id,
    allowedHosts: member.allowedHosts,
    lifeSituationIds: new Set(data.lifeSituations.map((l) => l.id)),
    serviceKeys: new Set(data.serviceCatalog.map((e) => e.key)),
    members: new Map(data.region.members.map((m) => [m.id, { ars: m.ars }])),
  }))
  printReport(result, err)
  if (!result.ok) return 1
  const json = `${JSON.stringify(result.value, null, 2)}\n`
  if (outFile) {
    try {
      await writeFile(outFile, json)
    } catch (error) {
      // a wrong path is the operator's slip, not a bug: one line, no stack
      err(`✗ --out ${outFile}: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
      return 1
    }
  } else out(json.trimEnd())
  return 0
}

export function printReport(result: ImportResult, line: (s: string) => void): void {
  const { report } = result
  line(`XZuFi ${report.xzufiVersion} for ${report.member}: read ${report.read.leistungen} Leistungen, ${report.read.organisationseinheiten} Organisationseinheiten, ${report.read.onlinedienste} Onlinedienste`)
  line(`mapped: ${report.mapped.services} services (${report.mapped.catalogServices} in the region catalog, ${report.mapped.localServices} by LeiKa key only), ${report.mapped.offices} offices, ${report.mapped.onlineServices} online services`)
  if (report.dropped.length > 0) {
    line(`dropped ${report.dropped.length}:`)
    for (const d of report.dropped.slice(0, 200)) line(`  ${d.kind} ${d.id}${d.name ? ` "${d.name}"` : ''}: ${d.reason}`)
    if (report.dropped.length > 200) line(`  … and ${report.dropped.length - 200} more`)
  }
  for (const n of report.notMapped) line(`not shown in the portal (no manifest field): ${n.what} in ${n.count} object(s)`)
  for (const u of report.unknownCodes) line(`unknown code: ${u.what}, ${u.count} time(s)`)
  if (result.ok) line('✓ valid manifest')
  else {
    line(`✗ the mapped manifest is invalid: ${result.total ?? result.errors.length} error(s)`)
    for (const e of result.errors) line(`  ${e.path || '/'}: ${e.message}`)
  }
}

function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href
  } catch {
    return false
  }
}

if (invokedDirectly()) {
  run(process.argv.slice(2), (l) => process.stdout.write(`${l}\n`), (l) => process.stderr.write(`${l}\n`))
    .then((code) => { process.exitCode = code }, (error: unknown) => {
      // anything unforeseen still ends in one line and a failing exit code
      process.stderr.write(`✗ ${error instanceof Error ? error.message : String(error)}\n`)
      process.exitCode = 1
    })
}
