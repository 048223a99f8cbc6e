import t from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadRegionData } from '../../src/config/load.js'
import { validateManifest, type ValidationContext } from '../../src/manifest/validate.js'
import type { Manifest } from '../../src/manifest/schema.js'
import { REPO } from '../helpers/region.js'

const data = await loadRegionData(join(REPO, 'config', 'region.json'))
const baseContext = (memberId: string): ValidationContext => {
  const m = data.region.members.find((x) => x.id === memberId)!
  return {
    memberId,
    allowedHosts: m.allowedHosts,
    lifeSituationIds: new Set(data.lifeSituations.map((l) => l.id)),
    serviceKeys: new Set(data.serviceCatalog.map((e) => e.key)),
  }
}

t.test('every bundled manifest validates against the region rules', async (t) => {
  t.equal(data.region.members.length, 15)
  for (const m of data.region.members) {
    const doc = JSON.parse(await readFile(join(REPO, 'config', m.manifest!), 'utf8'))
    const result = validateManifest(doc, baseContext(m.id))
    t.ok(result.ok, `${m.id} is valid${result.ok ? '' : `: ${JSON.stringify(result.errors.slice(0, 3))}`}`)
  }
})

t.test('each city offers at least 25 services over at least 8 life situations, incl. the seed services', async (t) => {
  for (const m of data.region.members.filter((x) => x.level === 'stadt')) {
    const doc = JSON.parse(await readFile(join(REPO, 'config', m.manifest!), 'utf8')) as Manifest
    t.ok(doc.services.length >= 25, `${m.id}: ${doc.services.length} services`)
    t.ok(new Set(doc.services.flatMap((s) => s.lifeSituations)).size >= 8, `${m.id}: life situations`)
    const keys = new Set(doc.services.map((s) => s.key))
    for (const key of ['geburtsurkunde', 'eheurkunde', 'sterbeurkunde', 'hund-anmelden', 'hund-abmelden']) {
      t.ok(keys.has(key), `${m.id} offers ${key}`)
    }
  }
})

const gladbeck = JSON.parse(await readFile(join(REPO, 'members', 'gladbeck.json'), 'utf8')) as Manifest

type Case = [name: string, mutate: (m: any) => void, paths: string[]]
const cases: Case[] = [
  ['not an object', (m) => { for (const k of Object.keys(m)) delete m[k]; Object.assign(m, { schemaVersion: 1 }) }, ['/member', '/updatedAt', '/sources', '/links', '/offices', '/services']],
  ['wrong schemaVersion', (m) => { m.schemaVersion = 3 }, ['/schemaVersion']],
  ['missing member', (m) => { delete m.member }, ['/member']],
  ['member of another city', (m) => { m.member = 'bottrop' }, ['/member']],
  ['unknown top-level field', (m) => { m.extra = true }, ['/extra']],
  ['bad updatedAt', (m) => { m.updatedAt = 'gestern' }, ['/updatedAt']],
  ['no sources', (m) => { m.sources = [] }, ['/sources']],
  ['http link', (m) => { m.links.website = 'http://www.gladbeck.de/' }, ['/links/website']],
  ['javascript: url', (m) => { m.services[0].onlineUrl = 'javascript:alert(1)' }, ['/services/0/onlineUrl']],
  ['data: url', (m) => { m.services[1].infoUrl = 'data:text/html,<script>alert(1)</script>' }, ['/services/1/infoUrl']],
  ['host not allowed', (m) => { m.services[2].onlineUrl = 'https://evil.example/phish' }, ['/services/2/onlineUrl']],
  ['credentials in url', (m) => { m.services[0].onlineUrl = 'https://user:pw@serviceportal.gladbeck.de/' }, ['/services/0/onlineUrl']],
  ['duplicate service id', (m) => { m.services[1].id = m.services[0].id }, ['/services/1/id']],
  ['duplicate catalog key', (m) => { m.services[1].key = m.services[0].key }, ['/services/1/key']],
  ['unknown catalog key', (m) => { m.services[3].key = 'gibt-es-nicht' }, ['/services/3/key']],
  ['unknown life situation', (m) => { m.services[0].lifeSituations = ['tiere', 'weltraum'] }, ['/services/0/lifeSituations/1']],
  ['unknown office', (m) => { m.services[4].office = 'keller' }, ['/services/4/office']],
  ['bad slug id', (m) => { m.services[0].id = 'Hund Anmelden!' }, ['/services/0/id']],
  ['empty name', (m) => { m.services[5].name = '' }, ['/services/5/name']],
  ['name too long', (m) => { m.services[5].name = 'x'.repeat(500) }, ['/services/5/name']],
  ['bad trust level', (m) => { m.services[0].trustLevel = 'maximal' }, ['/services/0/trustLevel']],
  ['no audience', (m) => { m.services[0].audiences = [] }, ['/services/0/audiences']],
  ['too many services', (m) => { m.services = Array.from({ length: 501 }, (_, i) => ({ ...m.services[0], id: `s-${i}`, key: undefined })) }, ['/services']],
  ['bad office postal code', (m) => { m.offices[0].address = { street: 'A 1', postalCode: '4596', city: 'Gladbeck' } }, ['/offices/0/address/postalCode']],
  ['bad email', (m) => { m.offices[0].email = 'kein-at-zeichen' }, ['/offices/0/email']],
  ['several errors at once', (m) => { m.services[0].name = ''; m.services[1].onlineUrl = 'ftp://x'; m.links.app = 'https://other.example/' }, ['/services/0/name', '/services/1/onlineUrl', '/links/app']],
]

t.test('broken manifests are rejected with the JSON path of every error', async (t) => {
  t.ok(cases.length >= 15)
  for (const [name, mutate, paths] of cases) {
    const doc = structuredClone(gladbeck) as any
    mutate(doc)
    const result = validateManifest(JSON.parse(JSON.stringify(doc)), baseContext('gladbeck'))
    t.notOk(result.ok, `${name}: rejected`)
    if (result.ok) continue
    const got = result.errors.map((e) => e.path)
    for (const p of paths) t.ok(got.includes(p), `${name}: names ${p} (got ${got.join(', ')})`)
    for (const e of result.errors) t.ok(e.message.length > 5, `${name}: message says what is wrong: ${e.message}`)
  }
})

t.test('a union/enum error reads as plain words', async (t) => {
  const doc = structuredClone(gladbeck) as any
  doc.services[0].trustLevel = 'maximal'
  const result = validateManifest(doc, baseContext('gladbeck'))
  t.notOk(result.ok)
  if (!result.ok) t.match(result.errors[0]!.message, /must be one of: none, low, substantial, high/)
})

t.test('error paths are JSON Pointers: "/" and "~" in a field name are escaped (a key "links/app" is not /links/app)', async (t) => {
  const doc: Record<string, any> = {
    schemaVersion: 2, member: 'alpha', updatedAt: '2026-11-25T00:00:00Z', sources: [{ what: 'test', source: 'test' }], links: {}, offices: [],
    services: [{ id: 'a', name: 'A', summary: 'Zusammenfassung.', audiences: ['residents'], lifeSituations: ['tiere'], 'name~de': 'x' }],
    'links/app': 'https://www.alpha.example/',
  }
  const result = validateManifest(doc, { lifeSituationIds: new Set(['tiere']), serviceKeys: new Set() })
  t.notOk(result.ok)
  if (result.ok) return
  t.same(result.errors.map((e) => e.path).sort(), ['/links~1app', '/services/0/name~0de'])
})
