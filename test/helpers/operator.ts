// The complete operator block of test/fixtures/operator.json on top of the
// bundled region data (the bundled config has no operator block).
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { loadRegionData, type RegionData } from '../../src/config/load.js'
import type { Operator } from '../../src/config/region-schema.js'

const FIXTURE_OPERATOR_PATH = resolve('test/fixtures/operator.json')

export function fixtureOperator(): Operator {
  const { $comment: _comment, ...operator } = JSON.parse(readFileSync(FIXTURE_OPERATOR_PATH, 'utf8')) as Operator & { $comment?: string }
  return operator
}

/** The bundled region data with the fixture operator. */
export async function regionWithOperator(): Promise<RegionData> {
  const data = await loadRegionData(resolve('config/region.json'))
  return { ...data, region: { ...data.region, operator: fixtureOperator() } }
}
