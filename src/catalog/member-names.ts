// A member's name in every form a German sentence needs. The region config
// states them (config/region.json "names"); what it leaves out is derived
// from the level, so a test region or a new member still reads right. Pure.
import type { MemberConfig, MemberNames } from '../config/region-schema.js'

export type FullMemberNames = Required<MemberNames>

function derived(config: Pick<MemberConfig, 'name' | 'level'>): FullMemberNames {
  const n = config.name
  switch (config.level) {
    case 'stadt':
      return { label: `Stadt ${n}`, nominative: `die Stadt ${n}`, accusative: `die Stadt ${n}`, at: `bei der Stadt ${n}`, from: `von der Stadt ${n}` }
    case 'kreis': {
      const kreis = /^Kreis /.test(n) ? n : `Kreis ${n}`
      return { label: kreis, nominative: `der ${kreis}`, accusative: `den ${kreis}`, at: `beim ${kreis}`, from: `vom ${kreis}` }
    }
    case 'land': {
      const land = /^Land /.test(n) ? n : `Land ${n}`
      return { label: land, nominative: `das ${land}`, accusative: `das ${land}`, at: `beim ${land}`, from: `vom ${land}` }
    }
    case 'bund':
      return { label: 'Bund', nominative: 'der Bund', accusative: 'den Bund', at: 'beim Bund', from: 'vom Bund' }
  }
}

export function memberNames(config: Pick<MemberConfig, 'name' | 'level' | 'names'>): FullMemberNames {
  return { ...derived(config), ...config.names }
}
