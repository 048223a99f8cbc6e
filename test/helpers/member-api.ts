// Talking to real gateway processes as a member city and as a resident:
// register a manifest, read a service back, wait for a condition (bounded).
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { TestRegion } from './gateway-process.js'

/** Polls `probe` until it returns a value (not undefined); fails after `ms`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((done) => setTimeout(done, 25))
  }
}

export const TEST_SERVICE_ID = 'zebrafinken-anmelden'

/** The member's bundled manifest plus one test service named `name`. */
export async function manifestWithService(region: TestRegion, member: string, name: string, updatedAt = new Date().toISOString()) {
  const doc = JSON.parse(await readFile(join(region.dir, `members/${member}.json`), 'utf8'))
  doc.updatedAt = updatedAt
  doc.services.push({
    id: TEST_SERVICE_ID, name, summary: 'Testleistung für die Verteilung über mehrere Instanzen.',
    audiences: ['residents'], lifeSituations: [doc.services[0].lifeSituations[0]],
  })
  return doc
}

export function putManifest(base: string, region: TestRegion, member: string, body: unknown): Promise<Response> {
  return fetch(`${base}/api/v1/admin/members/${member}/manifest`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${region.tokens[member]}` },
    body: JSON.stringify(body),
  })
}

/** The test service's name as `base` serves it; undefined when not served. */
export async function servedName(base: string, member: string): Promise<string | undefined> {
  const res = await fetch(`${base}/api/v1/services/${encodeURIComponent(`${member}:${TEST_SERVICE_ID}`)}`)
  if (res.status !== 200) return undefined
  return ((await res.json()) as { offerings: { name: string }[] }).offerings[0]?.name
}

export async function readiness(base: string): Promise<{ status: string; version: number; reasons: string[] }> {
  return (await fetch(`${base}/ready`)).json() as Promise<{ status: string; version: number; reasons: string[] }>
}
