// Hostile and wrong XML is rejected by the streaming reader with a clear code.
import t from 'tap'
import { createXzufiReader, XmlRejected, type XmlElement } from '../../src/import/xml-reader.js'

const NS = 'http://xoev.de/schemata/xzufi/2_2_0'
const ok = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<x:transfer xmlns:x="${NS}" xzufiVersion="2.2.0"><x:schreibe>${body}</x:schreibe></x:transfer>`

function read(input: string | Uint8Array, options: { maxDepth?: number; maxBytes?: number } = {}): XmlElement[] {
  const objects: XmlElement[] = []
  const reader = createXzufiReader({ ...options, onObject: (o) => objects.push(o) })
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input
  // small chunks: the reader must not depend on where a chunk ends
  for (let i = 0; i < bytes.length; i += 7) reader.write(bytes.subarray(i, i + 7))
  reader.end()
  return objects
}

function rejects(input: string | Uint8Array, code: string, options?: { maxDepth?: number; maxBytes?: number }) {
  try {
    read(input, options)
  } catch (error) {
    t.ok(error instanceof XmlRejected, `XmlRejected (${String(error)})`)
    t.equal((error as XmlRejected).code, code, (error as Error).message)
    return (error as Error).message
  }
  t.fail(`expected a ${code} rejection`)
  return ''
}

t.test('captures XZuFi objects with unqualified children and multi-byte text across chunks', async (t) => {
  const objects = read(ok(`<x:leistung><x:id schemeAgencyID="A">L1</x:id><x:referenzLeiKa><code>99008001012000</code></x:referenzLeiKa><x:modulText><x:inhalt languageCode="de">Größe &amp; Maß &#228;</x:inhalt></x:modulText></x:leistung><x:other/>`))
  t.equal(objects.length, 1)
  const l = objects[0]!
  t.equal(l.name, 'leistung')
  t.equal(l.children[0]!.attrs.schemeAgencyID, 'A')
  t.equal(l.children[1]!.children[0]!.name, 'code')
  t.equal(l.children[2]!.children[0]!.text, 'Größe & Maß ä')
})

t.test('XXE with a local file is rejected as a DOCTYPE', async (t) => {
  const msg = rejects(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x:transfer xmlns:x="${NS}"><x:schreibe><x:leistung><x:id>&xxe;</x:id></x:leistung></x:schreibe></x:transfer>`, 'doctype')
  t.notMatch(msg, /root:/)
})

t.test('billion laughs is rejected before any expansion', async () => {
  const lol = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`)].join('')
  rejects(`<?xml version="1.0"?><!DOCTYPE lolz [${lol}]><x:transfer xmlns:x="${NS}">&lol9;</x:transfer>`, 'doctype')
})

t.test('an undeclared entity is rejected', async () => {
  rejects(ok('<x:leistung><x:id>&nbsp;</x:id></x:leistung>'), 'entity')
})

t.test('10 000-deep nesting is rejected at the depth limit', async () => {
  rejects(`<x:transfer xmlns:x="${NS}">${'<x:a>'.repeat(10_000)}${'</x:a>'.repeat(10_000)}</x:transfer>`, 'depth')
})

t.test('input above the size limit is rejected', async () => {
  rejects(ok('<x:leistung><x:id>L</x:id></x:leistung>'.repeat(100)), 'size', { maxBytes: 1000 })
})

t.test('wrong namespace and unsupported XZuFi version', async (t) => {
  t.match(rejects('<transfer xmlns="urn:other"/>', 'namespace'), /not an XZuFi document/)
  t.match(rejects('<transfer xmlns="http://xoev.de/schemata/xzufi/2_3_1"/>', 'namespace'), /version is not supported/)
  t.equal(read(`<transfer xmlns="http://xoev.de/schemata/xzufi/2_1_0"><leistung/></transfer>`).length, 1, '2.1.0 read')
})

t.test('wrong encoding: declared Latin-1, UTF-16 bytes, invalid UTF-8', async () => {
  rejects(`<?xml version="1.0" encoding="ISO-8859-1"?><x:transfer xmlns:x="${NS}"/>`, 'encoding')
  const utf16 = new Uint8Array([0xff, 0xfe, ...Array.from(`<x:transfer xmlns:x="${NS}"/>`).flatMap((c) => [c.charCodeAt(0), 0])])
  rejects(utf16, 'encoding')
  rejects(new Uint8Array([...new TextEncoder().encode(`<x:transfer xmlns:x="${NS}">`), 0xc3, 0x28, ...new TextEncoder().encode('</x:transfer>')]), 'encoding')
})

t.test('not well-formed and empty input', async () => {
  rejects(ok('<x:leistung>'), 'syntax')
  rejects('', 'syntax')
})

t.test('attributes count toward the per-object limit like text (1 000 children with 60 KB attributes each)', async (t) => {
  const reader = createXzufiReader({ onObject: () => t.fail('the object must not be delivered') })
  const encoder = new TextEncoder()
  const value = 'a'.repeat(60 * 1024)
  let rejected: unknown
  try {
    reader.write(encoder.encode(ok('<x:leistung>').replace('</x:schreibe></x:transfer>', '')))
    for (let i = 0; i < 1000; i++) reader.write(encoder.encode(`<x:id schemeAgencyID="${value}">L${i}</x:id>`))
    reader.write(encoder.encode('</x:leistung></x:schreibe></x:transfer>'))
    reader.end()
  } catch (error) {
    rejected = error
  }
  t.ok(rejected instanceof XmlRejected, `rejected (${String(rejected)})`)
  t.equal((rejected as XmlRejected).code, 'size')
  t.match((rejected as Error).message, /one XZuFi object is larger than/)
})
