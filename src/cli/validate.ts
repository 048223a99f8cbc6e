#!/usr/bin/env node
// dachportal-validate: offline check of member manifests with the gateway's
// own rules, for member city IT teams. Exit 0 valid, 1 invalid, 2 usage.
import { realpathSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { RegionData } from '../config/load.js'
import { loadRegionOrSay } from './region.js'
import { readManifestFile } from '../manifest/load.js'
import { validateManifest } from '../manifest/validate.js'
import type { Issue } from '../http/problem.js'
import type { SharedOnlineService } from '../manifest/rules-v2.js'
import type { Manifest } from '../manifest/schema.js'
import { bundledManifestPath } from '../config/member-source.js'
import { regionConfigFromEnv } from '../config/env.js'

const USAGE = `usage: dachportal-validate [--region config/region.json] <manifest.json>...
       dachportal-validate --all                  validate every member's manifest in the region config
       dachportal-validate --upgrade <v1.json>    validate, then print the manifest in schema version 2`

export interface FileReport {
  file: string
  member?: string
  ok: boolean
  errors: Issue[]
  /** every error found; errors lists at most 50 and an "and N more" entry */
  total: number
  notes: string[]
  /** the valid manifest in the current schema version (a v1 file converted) */
  value?: Manifest
}

/**
 * Other members' online services as their bundled files declare them, so a
 * reference to another member's shared service is checked offline too.
 * Remote manifests are not fetched: references to them are not checked.
 */
async function bundledOnlineServices(data: RegionData): Promise<Map<string, SharedOnlineService[]>> {
  const map = new Map<string, SharedOnlineService[]>()
  for (const m of data.region.members) {
    const file = bundledManifestPath(m)
    if (file === undefined) continue
    const parsed = await readManifestFile(resolve(dirname(data.regionPath), file))
    const list = parsed.ok ? (parsed.value as { onlineServices?: unknown } | null)?.onlineServices : undefined
    map.set(m.id, Array.isArray(list)
      ? list.flatMap((os: unknown) => {
        const { id, serves } = (os ?? {}) as { id?: unknown; serves?: unknown }
        return typeof id === 'string' && Array.isArray(serves) ? [{ id, serves: serves.filter((x): x is string => typeof x === 'string') }] : []
      })
      : [])
  }
  return map
}

export async function validateFile(file: string, data: RegionData, others?: ReadonlyMap<string, SharedOnlineService[]>): Promise<FileReport> {
  const parsed = await readManifestFile(file)
  if (!parsed.ok) return { file, ok: false, errors: parsed.errors, total: parsed.errors.length, notes: [] }
  const claimed = (parsed.value as { member?: unknown } | null)?.member
  const member = typeof claimed === 'string' ? data.region.members.find((m) => m.id === claimed) : undefined
  const notes = member ? [] : ['member is not in the region config: its hosts were not checked']
  const result = validateManifest(parsed.value, {
    lifeSituationIds: new Set(data.lifeSituations.map((l) => l.id)),
    serviceKeys: new Set(data.serviceCatalog.map((e) => e.key)),
    members: new Map(data.region.members.map((m) => [m.id, { ars: m.ars }])),
    // a remote member's manifest is not fetched offline: null = not checked
    ...(others ? { onlineServicesOf: (id: string) => (others.has(id) ? others.get(id) : null) } : {}),
    ...(member ? { memberId: member.id, allowedHosts: member.allowedHosts } : {}),
  })
  const report: FileReport = { file, ok: result.ok, errors: result.ok ? [] : result.errors, total: result.ok ? 0 : result.total ?? result.errors.length, notes }
  if (result.ok) report.value = result.value
  if (member) report.member = member.id
  return report
}

export async function run(argv: string[], out: (line: string) => void): Promise<number> {
  let regionPath = regionConfigFromEnv() ?? 'config/region.json'
  let all = false
  let upgrade = false
  const files: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--all') all = true
    else if (arg === '--upgrade') upgrade = true
    else if (arg === '--region') regionPath = argv[++i] ?? ''
    else if (arg === '--help' || arg === '-h') { out(USAGE); return 0 }
    else if (arg.startsWith('-')) { out(`unknown option ${arg}\n${USAGE}`); return 2 }
    else files.push(arg)
  }
  if (!all && files.length === 0) { out(USAGE); return 2 }
  const data = await loadRegionOrSay(regionPath, out)
  if (data === undefined) return 2
  if (all) {
    for (const m of data.region.members) {
      const file = bundledManifestPath(m)
      if (file !== undefined) files.push(resolve(dirname(data.regionPath), file))
      if (m.xzufi !== undefined) out(`- ${m.id}: XZuFi feed ${m.xzufi} (not checked offline)`)
      else if (file === undefined) out(`- ${m.id}: remote manifest ${m.manifest ?? ''} (not checked offline)`)
    }
  }
  if (upgrade && (all || files.length !== 1)) { out(`--upgrade takes exactly one manifest file\n${USAGE}`); return 2 }
  const others = await bundledOnlineServices(data)
  if (upgrade) {
    const report = await validateFile(files[0] as string, data, others)
    if (report.ok && report.value) { out(JSON.stringify(report.value, null, 2)); return 0 }
    out(`✗ ${report.file}: ${report.total} error(s)`)
    for (const e of report.errors) out(`  ${e.path || '/'}: ${e.message}`)
    return 1
  }
  let failed = 0
  for (const file of files) {
    const report = await validateFile(file, data, others)
    if (report.ok) out(`✓ ${file}${report.member ? ` (${report.member})` : ''}: valid`)
    else {
      failed++
      out(`✗ ${file}: ${report.total} error(s)`)
      for (const e of report.errors) out(`  ${e.path || '/'}: ${e.message}`)
    }
    for (const note of report.notes) out(`  note: ${note}`)
  }
  out(`${files.length - failed} valid, ${failed} invalid`)
  return failed === 0 ? 0 : 1
}

// Run only as a program, not when imported by tests. npm installs bins as
// symlinks (node_modules/.bin), so compare against the resolved target.
function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href
  } catch {
    return false // argv[1] is not a file (node -e, or a path Node resolved by itself)
  }
}

if (invokedDirectly()) {
  run(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`)).then((code) => { process.exitCode = code })
}
