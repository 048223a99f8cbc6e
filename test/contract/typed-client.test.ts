// Issue 19 item 5: a typed client built the way a frontend team would. The
// document is saved from a running gateway to a file, types are generated from
// that file offline with openapi-typescript, and the example client under
// examples/client/ must pass `tsc --strict` against them: a breaking change of
// the contract (a renamed field the example uses) fails here. The compiled
// example then runs both journeys against a real gateway on 127.0.0.1.
import t from 'tap'
import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import openapiTS, { astToString } from 'openapi-typescript'
import { REPO } from '../helpers/region.js'
import { contractGateway, MEMBER_ID, MEMBER_TOKEN } from '../helpers/contract-gateway.js'

const run = promisify(execFile)
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc')
const EXAMPLE = join(REPO, 'examples', 'client')
// what a browser project would use: strict, ESM, DOM fetch types, no Node types
// skipLibCheck: TypeScript's own lib .d.ts files need no re-checking; the example and the generated types are checked
const TSC_FLAGS = ['--strict', '--skipLibCheck', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--lib', 'es2022,dom']

type Json = Record<string, any>
type Registration = { ok: true; accepted: { member: string }; etag: string | null } | { ok: false; status: number; errors: { path: string; message: string }[]; etag: string | null }
interface ResidentModule {
  residentJourney(base: string, q: string, postalCode: string): Promise<{ service: { id: string }; chain: string[]; forYou?: { member: string }; goLink?: string; sheet?: Json }>
  goTarget(goLink: string): Promise<string | null>
}
interface OfferingModule {
  offeringSheet(offering: Json): Json
}
interface RoutingModule {
  portalRoutes(base: string, leikaKey: string, postalCode: string): Promise<{ member: string }[]>
  fitConnectRoutes(base: string, leikaKey: string, areaTerm: string): Promise<{ area?: { id: string; name: string; type: string }; routes: unknown[] }>
}
interface MemberModule {
  memberJourney(base: string, member: string, token: string, manifest: unknown): Promise<{ registration: Registration; status: { id: string; meta: { acceptedAt?: string } } }>
  registerManifest(base: string, member: string, token: string, manifest: unknown, ifMatch?: string): Promise<Registration>
  readManifest(base: string, member: string, token: string): Promise<{ manifest: Json; etag: string | null }>
  editManifest(base: string, member: string, token: string, change: (manifest: Json) => Json): Promise<Registration>
}

/** the example's sources plus types generated from `doc` in a fresh directory */
async function project(doc: Json, root: string): Promise<string[]> {
  await mkdir(join(root, 'generated'), { recursive: true })
  const docFile = join(root, 'openapi.json')
  await writeFile(docFile, JSON.stringify(doc))
  // generation reads the saved file only: no server involved
  await writeFile(join(root, 'generated', 'api.ts'), astToString(await openapiTS(pathToFileURL(docFile))))
  const sources = (await readdir(EXAMPLE)).filter((f) => f.endsWith('.ts'))
  for (const f of sources) await copyFile(join(EXAMPLE, f), join(root, f))
  await writeFile(join(root, 'package.json'), '{"type":"module"}\n')
  return sources.map((f) => join(root, f))
}

async function tsc(files: string[], extra: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout } = await run(process.execPath, [TSC, ...TSC_FLAGS, ...extra, ...files], { cwd: REPO })
    return { ok: true, out: stdout }
  } catch (err) {
    return { ok: false, out: String((err as { stdout?: string }).stdout ?? err) }
  }
}

// two tsc runs (the example, emitted; the four broken contracts in one
// program): minutes on a loaded CI machine, more than tap's default per file
t.setTimeout(600_000)
const { base } = await contractGateway(t)
const doc = await (await fetch(`${base}/docs/json`)).json() as Json
const tmp = await mkdtemp(join(tmpdir(), 'dp-typed-client-'))
t.teardown(() => rm(tmp, { recursive: true, force: true }))

// The example against the real document: type-checked and emitted in one run.
const root = join(tmp, 'run')
const emitted = project(doc, root).then((files) => tsc(files, ['--outDir', join(root, 'out')]))

/** Breaking changes a frontend would feel, each in its own project directory. */
function brokenContracts(): Record<string, Json> {
  const renamed = structuredClone(doc)
  const resp = renamed.components.schemas.Responsibility
  resp.properties.responsibleCandidates = resp.properties.candidates
  delete resp.properties.candidates
  resp.required = resp.required.map((r: string) => (r === 'candidates' ? 'responsibleCandidates' : r))
  const param = structuredClone(doc)
  for (const p of param.paths['/api/v1/search'].get.parameters) if (p.name === 'postalCode') p.name = 'plz'
  // the Leistungsbeschreibung: the offering sheet reads the office's appointmentUrl and the fee items' amounts
  const office = structuredClone(doc)
  office.components.schemas.Office.properties.bookingUrl = office.components.schemas.Office.properties.appointmentUrl
  delete office.components.schemas.Office.properties.appointmentUrl
  const fee = structuredClone(doc)
  fee.components.schemas.FeeItem.properties.amount.type = 'string'
  return { renamed, param, office, fee }
}

// One program for all four: each project imports only its own generated types,
// so every error names the project directory it belongs to.
const broken = (async () => {
  const files: string[] = []
  for (const [name, contract] of Object.entries(brokenContracts())) files.push(...await project(contract, join(tmp, name)))
  const res = await tsc(files, ['--noEmit'])
  const lines = res.out.split('\n')
  return { ok: res.ok, errorsOf: (name: string) => lines.filter((l) => l.includes(`${name}/`) && /error TS\d+/.test(l)).join('\n') }
})()

t.test('the example client type-checks with tsc --strict against types generated offline from /docs/json', async (t) => {
  const res = await emitted
  t.ok(res.ok, `tsc --strict: ${res.out || 'no errors'}`)
})

t.test('a renamed field the example uses breaks the type check (the contract guard is not hollow)', async (t) => {
  const { ok, errorsOf } = await broken
  t.notOk(ok, 'tsc fails')
  t.match(errorsOf('renamed'), /resident\.ts.*candidates/, 'a renamed field: the use in the resident journey is named')
  t.match(errorsOf('param'), /postalCode/, 'a renamed query parameter fails too')
  t.match(errorsOf('office'), /offering\.ts.*appointmentUrl/, 'a renamed office field: its use in the offering sheet is named')
  t.match(errorsOf('fee'), /offering\.ts/, 'a fee amount that is no longer a number fails')
})

t.test('the compiled example runs both journeys against a real gateway on 127.0.0.1', async (t) => {
  const res = await emitted
  t.ok(res.ok, `tsc emits: ${res.out || 'ok'}`)
  await writeFile(join(root, 'out', 'package.json'), '{"type":"module"}\n')
  // the compiled modules (their types live in the temp project, generated/ is not in git)
  const resident = await import(pathToFileURL(join(root, 'out', 'resident.js')).href) as ResidentModule
  const member = await import(pathToFileURL(join(root, 'out', 'member.js')).href) as MemberModule
  const routing = await import(pathToFileURL(join(root, 'out', 'routing.js')).href) as RoutingModule

  // resident of Gladbeck (45964) looking for a Kita place (online via the city's Kita-Navigator)
  const r = await resident.residentJourney(base, 'Kita-Platz', '45964')
  t.equal(r.service.id, 'kita-platz', 'search finds the service')
  t.same(r.chain.slice(0, 2), ['gladbeck', 'kreis-recklinghausen'], 'Gladbeck is responsible, then the Kreis')
  t.equal(r.forYou?.member, 'gladbeck', 'the offering to use is Gladbeck\'s')
  t.ok(r.goLink?.startsWith(`${base}/go/gladbeck/`), `a /go link: ${r.goLink}`)
  t.equal(r.sheet?.contacts[0]?.name, 'Amt für Jugend und Familie, Kita-Verwaltung', 'the sheet names the responsible office (members/gladbeck.json: the Kita-Platz journey)')
  const target = await resident.goTarget(r.goLink!)
  t.match(target, /^https:\/\/[a-z0-9.-]+\//, `the /go link redirects to the online service: ${target}`)

  // the sheet from an offering that states every field of the Leistungsbeschreibung
  const sheets = await import(pathToFileURL(join(root, 'out', 'offering.js')).href) as OfferingModule
  const office = (name: string, extra: Json = {}) => ({ id: name.toLowerCase(), name, ...extra })
  t.same(sheets.offeringSheet({
    member: 'a', memberName: 'A', level: 'stadt', serviceId: 'hund', name: 'Hund anmelden', summary: 's', audiences: ['residents'], lifeSituations: ['tiere'], synonyms: [],
    requirements: 'Hauptwohnsitz in A', procedure: ['Formular senden', 'Steuermarke erhalten'], deadlines: 'zwei Wochen', processingTime: { min: 1, max: 2, unit: 'week' },
    fees: '96 € im Jahr', feeItems: [{ amount: 0.1, currency: 'EUR' }, { amount: 0.2, currency: 'EUR' }],
    forms: [{ title: 'Anmeldung', url: 'https://www.a.example/hund.pdf' }], legalBasis: [{ title: 'Hundesteuersatzung' }],
    office: office('Rathaus', { phone: '+49 1 2', email: 'rathaus@a.example', openingHours: ['Mo 8–12'], appointmentUrl: 'https://www.a.example/termin' }),
    contactPoints: [office('Bürgerbüro')], source: 'https://www.a.example/hund',
  }), {
    requirements: 'Hauptwohnsitz in A', steps: ['Formular senden', 'Steuermarke erhalten'], deadlines: 'zwei Wochen', processingTime: '1–2 Wochen',
    fees: '96 € im Jahr', feeTotal: 0.3, forms: [{ title: 'Anmeldung', url: 'https://www.a.example/hund.pdf' }], legalBasis: ['Hundesteuersatzung'],
    contacts: [
      { name: 'Rathaus', phone: '+49 1 2', email: 'rathaus@a.example', openingHours: ['Mo 8–12'], appointmentUrl: 'https://www.a.example/termin' },
      { name: 'Bürgerbüro', openingHours: [] },
    ],
    source: 'https://www.a.example/hund',
  }, 'every stated field reaches the sheet; the responsible office comes first')
  // routing: the portal's FIT-Connect-like answer, and a FIT-Connect sender's two steps
  t.same((await routing.portalRoutes(base, '99102013104000', '45964')).map((r) => r.member), ['gladbeck'], 'Hund anmelden in 45964: Gladbeck')
  const fc = await routing.fitConnectRoutes(base, '99102013104000', 'Gladbeck')
  t.same(fc.area, { id: '055620014014', name: 'Gladbeck', type: 'Kreisangehörige Stadt' }, 'the area by name, its ARS as id')
  t.same(fc.routes, [], 'no bundled manifest declares a FIT-Connect destination: no route')

  // member journey: a broken draft is refused with JSON paths, the good manifest goes live
  const good = JSON.parse(await readFile(join(REPO, 'members', `${MEMBER_ID}.json`), 'utf8'))
  const draft = { ...good, services: [{ ...good.services[0], key: 'Kein Schlüssel' }, ...good.services.slice(1)] }
  const refused = await member.memberJourney(base, MEMBER_ID, MEMBER_TOKEN, draft)
  t.equal(refused.registration.ok, false, 'the broken draft is refused')
  if (!refused.registration.ok) {
    t.equal(refused.registration.status, 422)
    t.ok(refused.registration.errors.some((e) => e.path.startsWith('/services/0')), 'the error names its JSON path')
  }
  const accepted = await member.memberJourney(base, MEMBER_ID, MEMBER_TOKEN, good)
  t.equal(accepted.registration.ok, true, 'the manifest goes live')
  if (accepted.registration.ok) t.equal(accepted.registration.accepted.member, MEMBER_ID)
  t.equal(accepted.status.id, MEMBER_ID, 'status via /api/v1/members/:id')
  t.ok(accepted.status.meta.acceptedAt, 'with the time the manifest was accepted')
  const wrong = await member.registerManifest(base, MEMBER_ID, 'not-the-token', good)
  t.same(wrong.ok ? 'ok' : wrong.status, 401, 'a wrong token is a 401 problem')

  // two colleagues edit from the same read: the second edit is a 412, the first stays
  const { manifest: read, etag } = await member.readManifest(base, MEMBER_ID, MEMBER_TOKEN)
  t.match(etag, /^"[0-9a-f]{40}"$/, 'the read names the manifest')
  const rename = (name: string) => (m: Json): Json => ({ ...m, services: [{ ...m.services[0], name }, ...m.services.slice(1)] })
  const first = await member.editManifest(base, MEMBER_ID, MEMBER_TOKEN, rename('Erste Änderung'))
  t.equal(first.ok, true, 'an edit of the current manifest lands')
  const second = await member.registerManifest(base, MEMBER_ID, MEMBER_TOKEN, rename('Zweite Änderung')(read), etag!)
  t.same(second.ok ? 'ok' : second.status, 412, 'an edit of the older read is refused')
  t.equal(second.etag, first.etag, 'and names the manifest that landed')
  t.equal((await member.readManifest(base, MEMBER_ID, MEMBER_TOKEN)).manifest.services[0].name, 'Erste Änderung')
})
