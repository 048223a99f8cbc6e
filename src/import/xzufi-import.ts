// XZuFi import, end to end: bytes (a stream or a buffer) -> safe reader ->
// records -> manifest + report -> the same validation as registration.
// Used by the CLI (dachportal-import) and the admin import route.
import type { RegionData } from '../config/load.js'
import type { MemberConfig } from '../config/region-schema.js'
import type { Manifest, ManifestV2 } from '../manifest/schema.js'
import { createXzufiReader, XZUFI_2_1, type ReaderOptions } from './xml-reader.js'
import { toRecord, type XzufiRecord } from './xzufi-records.js'
import { mapXzufi, type ImportReport, type MapContext } from './xzufi-map.js'

import type { Issue } from '../http/problem.js'
export type Validate = (doc: unknown) => { ok: true; value: Manifest } | { ok: false; errors: Issue[]; total?: number }

export interface ImportResult {
  ok: boolean
  report: ImportReport
  manifest: ManifestV2
  /** validation errors of the mapped manifest (empty when ok) */
  errors: Issue[]
  /** every error found; errors lists at most 50 and an "and N more" entry */
  total?: number
  value?: Manifest
}

/** Reads every chunk through the safe reader; throws XmlRejected on hostile or wrong input. */
export async function readXzufi(
  source: AsyncIterable<Uint8Array> | Uint8Array,
  limits: Omit<ReaderOptions, 'onObject'> = {},
): Promise<{ records: XzufiRecord[]; version: '2.2.0' | '2.1.0' }> {
  const records: XzufiRecord[] = []
  const reader = createXzufiReader({ ...limits, onObject: (element) => { const r = toRecord(element); if (r) records.push(r) } })
  if (source instanceof Uint8Array) reader.write(source)
  else for await (const chunk of source) reader.write(chunk)
  reader.end()
  return { records, version: reader.namespace === XZUFI_2_1 ? '2.1.0' : '2.2.0' }
}

export function mapContextFor(data: Pick<RegionData, 'region' | 'serviceCatalog' | 'lifeSituations'>, member: MemberConfig, links: MapContext['links'], version: MapContext['version'], now: Date): MapContext {
  return {
    member: { id: member.id, ars: member.ars, allowedHosts: member.allowedHosts },
    members: data.region.members.map((m) => ({ id: m.id, ars: m.ars })),
    catalog: data.serviceCatalog,
    lifeSituations: data.lifeSituations,
    ...(links ? { links } : {}),
    version,
    now,
  }
}

export function mapAndValidate(records: readonly XzufiRecord[], context: MapContext, validate: Validate): ImportResult {
  const { manifest, report } = mapXzufi(records, context)
  // registering it would replace the member's whole offering with nothing (a wrong file, another city's export)
  if (report.mapped.services === 0) {
    const errors = [{ path: '/services', message: `no Leistung could be mapped for ${context.member.id} (every one is dropped, see the report): an import without services is not registered` }]
    return { ok: false, report, manifest, errors }
  }
  const result = validate(manifest)
  return result.ok
    ? { ok: true, report, manifest, errors: [], value: result.value }
    : { ok: false, report, manifest, errors: result.errors, ...(result.total === undefined ? {} : { total: result.total }) }
}
