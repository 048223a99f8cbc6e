// The region config for the command-line tools: either loaded, or the reason
// it cannot be read said in the tool's own output (the tools then exit 2).
import { loadRegionData, type RegionData } from '../config/load.js'

export async function loadRegionOrSay(regionPath: string, say: (line: string) => void): Promise<RegionData | undefined> {
  try {
    return await loadRegionData(regionPath)
  } catch (error) {
    say(`cannot read the region config: ${(error as Error).message}`)
    return undefined
  }
}
