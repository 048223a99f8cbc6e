// Rules for the Leistungsbeschreibung fields (schema v2) that JSON Schema
// cannot say: Ansprechpunkte and sources must name entries of this manifest,
// a processing time's numbers need their unit, and links are safe. Pure.
// Messages are German: they go to the member city's IT team (422 body).
import { checkUrl } from './url-safety.js'
import type { Issue } from '../http/problem.js'

type Loose = Record<string, unknown>
const obj = (v: unknown): Loose => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Loose : {})
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

export function checkDescriptionRules(doc: unknown, allowedHosts: readonly string[] | undefined): Issue[] {
  const errors: Issue[] = []
  const root = obj(doc)
  const link = (path: string, url: string | undefined, hosts: readonly string[] | undefined) => {
    if (url === undefined) return
    const problem = checkUrl(url, hosts)
    if (problem) errors.push({ path, message: `Der Link ist ungültig: ${problem}.` })
  }

  const sourceUrls = new Set<string>()
  arr(root.sources).forEach((raw, i) => {
    const url = str(obj(raw).url)
    if (url === undefined) return
    link(`/sources/${i}/url`, url, undefined)
    sourceUrls.add(url)
  })
  const sourceRef = (path: string, url: string | undefined) => {
    if (url !== undefined && !sourceUrls.has(url)) {
      errors.push({ path, message: `"${url}" steht nicht als url in /sources; jede Quelle wird dort mit dem, was sie belegt, aufgeführt.` })
    }
  }

  const officeIds = new Set<string>()
  arr(root.offices).forEach((raw, i) => {
    const office = obj(raw)
    const id = str(office.id)
    if (id !== undefined) officeIds.add(id)
    sourceRef(`/offices/${i}/source`, str(office.source))
  })

  arr(root.services).forEach((raw, i) => {
    const at = `/services/${i}`
    const service = obj(raw)
    sourceRef(`${at}/source`, str(service.source))
    const office = str(service.office)
    arr(service.contactPoints).forEach((entry, j) => {
      if (typeof entry !== 'string') return
      if (!officeIds.has(entry)) errors.push({ path: `${at}/contactPoints/${j}`, message: `Keine Dienststelle mit der id "${entry}" in /offices.` })
      else if (entry === office) errors.push({ path: `${at}/contactPoints/${j}`, message: `"${entry}" ist schon die zuständige Stelle (office); ein Ansprechpunkt ist eine andere Dienststelle.` })
    })
    // a form is the member's own: on its declared hosts like onlineUrl; laws and further reading may be elsewhere
    arr(service.forms).forEach((f, j) => link(`${at}/forms/${j}/url`, str(obj(f).url), allowedHosts))
    arr(service.furtherInformation).forEach((f, j) => link(`${at}/furtherInformation/${j}/url`, str(obj(f).url), undefined))
    arr(service.legalBasis).forEach((f, j) => link(`${at}/legalBasis/${j}/url`, str(obj(f).url), undefined))

    const time = obj(service.processingTime)
    const min = typeof time.min === 'number' ? time.min : undefined
    const max = typeof time.max === 'number' ? time.max : undefined
    const hasUnit = str(time.unit) !== undefined
    if ((min !== undefined || max !== undefined) && !hasUnit) {
      errors.push({ path: `${at}/processingTime/unit`, message: 'Eine Bearbeitungsdauer mit min oder max braucht ihre Einheit (unit).' })
    }
    if (hasUnit && min === undefined && max === undefined) {
      errors.push({ path: `${at}/processingTime/unit`, message: 'Eine Einheit ohne min oder max sagt nichts; ein Text gehört in text.' })
    }
    if (min !== undefined && max !== undefined && min > max) {
      errors.push({ path: `${at}/processingTime/min`, message: `min (${min}) ist größer als max (${max}).` })
    }
  })
  return errors
}
