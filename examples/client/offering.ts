// What a resident needs to act on an offering, from the typed Offering of the
// contract: the Leistungsbeschreibung (Voraussetzungen, Verfahrensablauf,
// Fristen, Bearbeitungsdauer, Gebühren, Formulare) and whom to contact (the
// responsible office first, then the Ansprechpunkte). Every field is optional:
// a member states only what a source backs, so show nothing rather than guess.
import type { Schemas } from './api.js'

export type Offering = Schemas['Offering']
export type Office = Schemas['Office']
export type ProcessingTime = Schemas['ProcessingTime']

export interface Contact {
  name: string
  phone?: string
  email?: string
  openingHours: string[]
  /** Terminvereinbarung: link it as "Termin buchen" */
  appointmentUrl?: string
}

export interface OfferingSheet {
  requirements?: string
  steps: string[]
  deadlines?: string
  processingTime?: string
  fees?: string
  /** the sum of the stated fee amounts (EUR), when the member states amounts */
  feeTotal?: number
  forms: { title: string; url: string }[]
  legalBasis: string[]
  contacts: Contact[]
  /** the public page the facts were taken from: show it as "Quelle" */
  source?: string
}

const UNITS: Record<NonNullable<ProcessingTime['unit']>, [string, string]> = {
  year: ['Jahr', 'Jahre'], month: ['Monat', 'Monate'], week: ['Woche', 'Wochen'], day: ['Tag', 'Tage'],
  workday: ['Werktag', 'Werktage'], hour: ['Stunde', 'Stunden'], minute: ['Minute', 'Minuten'], second: ['Sekunde', 'Sekunden'],
}

/** "1–2 Wochen", "bis 3 Tage", or the source's own text */
export function processingTimeText(time: ProcessingTime): string | undefined {
  if (time.text !== undefined) return time.text
  if (time.unit === undefined) return undefined
  const [one, many] = UNITS[time.unit]
  const word = (n: number) => (n === 1 ? one : many)
  const { min, max } = time
  if (min !== undefined && max !== undefined) return min === max ? `${max} ${word(max)}` : `${min}–${max} ${many}`
  if (max !== undefined) return `bis ${max} ${word(max)}`
  if (min !== undefined) return `ab ${min} ${word(min)}`
  return undefined
}

function contact(office: Office): Contact {
  return {
    name: office.name,
    ...(office.phone === undefined ? {} : { phone: office.phone }),
    ...(office.email === undefined ? {} : { email: office.email }),
    openingHours: office.openingHours ?? [],
    ...(office.appointmentUrl === undefined ? {} : { appointmentUrl: office.appointmentUrl }),
  }
}

export function offeringSheet(offering: Offering): OfferingSheet {
  const time = offering.processingTime === undefined ? undefined : processingTimeText(offering.processingTime)
  const amounts = offering.feeItems?.map((item) => item.amount)
  return {
    ...(offering.requirements === undefined ? {} : { requirements: offering.requirements }),
    steps: offering.procedure ?? [],
    ...(offering.deadlines === undefined ? {} : { deadlines: offering.deadlines }),
    ...(time === undefined ? {} : { processingTime: time }),
    ...(offering.fees === undefined ? {} : { fees: offering.fees }),
    // in cents: 0.1 + 0.2 is not 0.3 in floating point
    ...(amounts === undefined ? {} : { feeTotal: amounts.reduce((sum, a) => sum + Math.round(a * 100), 0) / 100 }),
    forms: (offering.forms ?? []).map(({ title, url }) => ({ title, url })),
    legalBasis: (offering.legalBasis ?? []).map((law) => law.title),
    contacts: [...(offering.office ? [offering.office] : []), ...(offering.contactPoints ?? [])].map(contact),
    ...(offering.source === undefined ? {} : { source: offering.source }),
  }
}
