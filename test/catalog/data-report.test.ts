// The data report (npm run data-report, issue 28 item 7) counts what a
// resident can act on for the 25 most used services, and the bundled data
// keeps the item's rules: no online link is a front page, every named source
// is listed in the manifest.
import t from 'tap'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { REPO } from '../helpers/region.js'
// @ts-expect-error plain ESM script without types
import { TOP_SERVICES, dataReport, formatReport, isFrontPage, loadBundled } from '../../scripts/data-report.mjs'

const run = promisify(execFile)
type Report = ReturnType<typeof dataReport>

t.test('a front page is the root of a member website or portal host, nothing else', async (t) => {
  const hosts = new Set(['www.gladbeck.de', 'serviceportal.gladbeck.de'])
  t.ok(isFrontPage('https://www.gladbeck.de/', hosts))
  t.ok(isFrontPage('https://serviceportal.gladbeck.de', hosts))
  t.notOk(isFrontPage('https://www.gladbeck.de/Rathaus_Politik/Rathaus/BuergerService.asp?seite=angebot&id=948', hosts))
  t.notOk(isFrontPage('https://www.gladbeck.de/?seite=angebot&id=1', hosts), 'a query makes it a page of its own')
  t.notOk(isFrontPage('https://www.fuehrungszeugnis.bund.de/', hosts), 'a dedicated service host is the service')
  t.ok(isFrontPage('not a url', hosts))
})

t.test('counts per member: service page, reachable office, fees, documents, online link, sources', async (t) => {
  const region = {
    members: [
      { id: 'a', level: 'stadt', parent: 'k', postalCodes: ['45964'] },
      { id: 'k', level: 'kreis' },
    ],
  }
  const manifests = {
    a: {
      links: { website: 'https://a.example/' },
      sources: [{ what: 'x', source: 'y', url: 'https://a.example/seite' }],
      offices: [
        { id: 'amt', name: 'Bürgeramt', phone: '0201 1', source: 'https://a.example/seite' },
        { id: 'haus', name: 'Rathaus' },
      ],
      services: [
        { id: 'personalausweis', infoUrl: 'https://a.example/seite', office: 'amt', fees: '37 €', source: 'https://a.example/seite' },
        { id: 'reisepass', infoUrl: 'https://a.example/', office: 'haus', onlineUrl: 'https://a.example/', source: 'https://a.example/unlisted' },
        { id: 'wohngeld', office: 'haus', contactPoints: ['amt'], documents: ['Antrag'], onlineUrl: 'https://a.example/wohngeld/antrag' },
        { id: 'not-in-the-25', office: 'amt' },
      ],
    },
    k: { links: {}, sources: [], offices: [], services: [{ id: 'elterngeld', onlineService: 'a:none' }] },
  }
  const report: Report = dataReport(region, manifests)
  const a = report.members.find((m: { member: string }) => m.member === 'a')
  t.match(a, {
    offered: 3, servicePage: 1, reachableOffice: 2, fees: 1, documents: 1, onlineDeepLink: 1,
    serviceSourced: 1, withOffice: 3, officeSourced: 1,
  }, 'the portal root is neither a service page nor an online link; an unlisted source does not count')
  t.equal(a.missing.length, TOP_SERVICES.length - 3)
  const resident = report.residents.find((r: { postalCode: string }) => r.postalCode === '45964')
  t.same(resident.chain, ['a', 'k'])
  t.match(resident, { offered: 4, reachableOffice: 2, onlineDeepLink: 1 })
  t.match(formatReport(report), /^a +stadt +3\/25 +1 +2 +1 +1 +1 +1\/3 +1\/3$/m)
})

t.test('bundled data: no online link of the 25 is a front page; Gladbeck and the Kreis name their sources', async (t) => {
  const { region, manifests } = await loadBundled(join(REPO, 'config', 'region.json'))
  const report: Report = dataReport(region, manifests)
  t.equal(report.members.length, region.members.length, 'every member is reported')
  for (const [id, m] of Object.entries(manifests as Record<string, { services: Array<Record<string, string>>, links: Record<string, string> }>)) {
    for (const s of m.services) {
      if (!TOP_SERVICES.includes(s.key ?? s.id) || s.onlineUrl === undefined) continue
      t.not(s.onlineUrl, m.links.website, `${id}/${s.id}: onlineUrl is not the website`)
      t.not(s.onlineUrl, m.links.servicePortal, `${id}/${s.id}: onlineUrl is not the portal front page`)
    }
  }
  const gladbeck = report.members.find((m: { member: string }) => m.member === 'gladbeck')
  t.ok(gladbeck.reachableOffice >= 7, `Gladbeck: ${gladbeck.reachableOffice} offerings with a reachable office`)
  t.ok(gladbeck.serviceSourced >= 17, `Gladbeck: ${gladbeck.serviceSourced} offerings name their source`)
  const kreis = report.members.find((m: { member: string }) => m.member === 'kreis-recklinghausen')
  t.equal(kreis.servicePage, kreis.offered, 'the Kreis links a service page for every service it offers (the vehicle registration: kreis-re.de/sva)')
  t.equal(kreis.officeSourced, kreis.withOffice)
})

t.test('npm run data-report prints one line per member', async (t) => {
  const { stdout } = await run(process.execPath, [join(REPO, 'scripts', 'data-report.mjs')], { cwd: REPO })
  t.match(stdout, /^gladbeck +stadt +\d+\/25/m)
  t.match(stdout, /^kreis-recklinghausen +kreis/m)
  t.match(stdout, /^ {2}45964 \(gladbeck\): \d+\/25 beantwortet/m)
  const json = JSON.parse((await run(process.execPath, [join(REPO, 'scripts', 'data-report.mjs'), '--json'], { cwd: REPO })).stdout)
  t.equal(json.services, 25)
})
