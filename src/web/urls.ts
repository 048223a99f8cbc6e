// Page URLs with their query strings. Everything the portal links to is built
// here, so the resident's postal code travels in every link (no cookie needed).

export type QueryValues = Record<string, string | number | undefined>

/** `/path?a=1&b=2`, skipping empty values; keys keep their order. */
export function pageUrl(path: string, query: QueryValues = {}): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value))
  }
  const qs = params.toString()
  return qs === '' ? path : `${path}?${qs}`
}

export const serviceUrl = (id: string, plz?: string) => pageUrl(`/leistungen/${encodeURIComponent(id)}`, { plz })
export const lifeSituationUrl = (id: string, plz?: string) => pageUrl(`/lebenslagen/${encodeURIComponent(id)}`, { plz })

export function phoneHref(phone: string): string {
  return `tel:${phone.replace(/[^0-9+]/g, '')}`
}
