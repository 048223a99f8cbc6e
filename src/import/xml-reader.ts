// Safe streaming XML for XZuFi imports: bytes in, one small element tree per
// XZuFi object (leistung, organisationseinheit, onlinedienst) out, the rest of
// the document is never held in memory.
//
// Parser: saxes (strict, namespace-aware, maintained, typed; it never reads
// external entities and knows no entity but the five predefined ones and
// character references). Compared with sax 1.x (strict, xmlns) on the same
// generated 50 MB XZuFi file (bench/xzufi-generate.mjs, shared loaded 2-core
// machine, 2 runs each): saxes 39-49 MB/s, sax 22-24 MB/s. sax is also
// lenient about well-formedness unless strict, which an import must not be.
//
// Hardening, each with its own error code (XmlRejected.code):
//   doctype   any <!DOCTYPE>: no DTDs, so no external entities (XXE) and no
//             entity expansion (billion laughs) can even be declared
//   entity    an undefined entity reference (saxes expands none)
//   depth     element nesting deeper than maxDepth
//   size      more than maxBytes of input, or one object larger than maxObjectChars
//             (its text and the attributes kept)
//   encoding  not UTF-8 (declared encoding or invalid bytes)
//   namespace root element not in a supported XZuFi namespace
//   syntax    not well-formed
import { SaxesParser, type SaxesTagNS } from 'saxes'

const XZUFI_2_2 = 'http://xoev.de/schemata/xzufi/2_2_0'
export const XZUFI_2_1 = 'http://xoev.de/schemata/xzufi/2_1_0'
/** XZuFi object classes the importer reads; everything else is skipped. PVOG exports carry the
 * Zuständigkeiten as separate zustaendigkeitTransferObjekt objects (rongem/pvog). */
const OBJECT_NAMES = new Set(['leistung', 'organisationseinheit', 'onlinedienst', 'zustaendigkeitTransferObjekt'])

export type RejectCode = 'doctype' | 'entity' | 'depth' | 'size' | 'encoding' | 'namespace' | 'syntax'

export class XmlRejected extends Error {
  constructor(readonly code: RejectCode, message: string) {
    super(message)
    this.name = 'XmlRejected'
  }
}

/** A captured element: local name, attributes by local name, children, direct text. */
export interface XmlElement {
  name: string
  attrs: Record<string, string>
  children: XmlElement[]
  text: string
}

export interface ReaderOptions {
  maxBytes?: number
  maxDepth?: number
  maxObjectChars?: number
  onObject: (element: XmlElement) => void
}

export interface XmlReader {
  write(chunk: Uint8Array): void
  end(): void
  /** namespace of the root element once seen */
  readonly namespace: string | undefined
}

const NO_ATTRS: Record<string, string> = Object.freeze({}) as Record<string, string>

const READER_DEFAULTS = { maxBytes: 512 * 1024 * 1024, maxDepth: 64, maxObjectChars: 4 * 1024 * 1024 }

export function createXzufiReader(options: ReaderOptions): XmlReader {
  const maxBytes = options.maxBytes ?? READER_DEFAULTS.maxBytes
  const maxDepth = options.maxDepth ?? READER_DEFAULTS.maxDepth
  const maxObjectChars = options.maxObjectChars ?? READER_DEFAULTS.maxObjectChars
  const decoder = new TextDecoder('utf-8', { fatal: true })
  const parser = new SaxesParser({ xmlns: true, position: false })
  let bytes = 0
  let depth = 0
  let namespace: string | undefined
  // the object being captured: a stack of open elements, and its size so far
  let stack: XmlElement[] = []
  let objectChars = 0
  let first = true

  const grow = (n: number) => {
    objectChars += n
    if (objectChars > maxObjectChars) throw new XmlRejected('size', `one XZuFi object is larger than ${maxObjectChars} characters`)
  }

  parser.on('doctype', () => {
    throw new XmlRejected('doctype', 'DOCTYPE declarations are not allowed (no DTDs, no entities): remove the <!DOCTYPE …> line')
  })
  parser.on('xmldecl', (decl) => {
    if (decl.encoding !== undefined && !/^utf-?8$/i.test(decl.encoding)) {
      throw new XmlRejected('encoding', `encoding "${decl.encoding.slice(0, 40)}" is not supported: export the file as UTF-8`)
    }
  })
  parser.on('opentag', (tag: SaxesTagNS) => {
    depth++
    if (depth > maxDepth) throw new XmlRejected('depth', `elements are nested deeper than ${maxDepth} levels`)
    if (depth === 1) {
      namespace = tag.uri
      if (tag.uri !== XZUFI_2_2 && tag.uri !== XZUFI_2_1) {
        const what = /^http:\/\/xoev\.de\/schemata\/xzufi\//.test(tag.uri) ? 'this XZuFi version is not supported' : 'not an XZuFi document'
        throw new XmlRejected('namespace', `${what}: root element <${tag.name.slice(0, 80)}> is in namespace "${tag.uri.slice(0, 120)}", expected ${XZUFI_2_2} (2.1.0 is read too)`)
      }
    }
    // only XZuFi elements and the unqualified children XZuFi uses (code, name…)
    const ours = tag.uri === namespace || tag.uri === ''
    if (stack.length === 0) {
      if (!ours || !OBJECT_NAMES.has(tag.local)) return
      objectChars = 0
    } else if (!ours) {
      // foreign element inside an object: captured as an ignored placeholder
    }
    // most elements have no attributes: they share one frozen empty object (less garbage)
    let attrs: Record<string, string> = NO_ATTRS
    for (const key in tag.attributes) {
      const attr = tag.attributes[key]
      if (typeof attr === 'object' && attr.prefix !== 'xmlns' && attr.name !== 'xmlns') {
        if (attrs === NO_ATTRS) attrs = {}
        attrs[attr.local] = own(attr.value)
        // kept attributes are held like text: they count toward the object's limit
        grow(attr.local.length + attr.value.length + 4)
      }
    }
    const element: XmlElement = { name: ours ? tag.local : `#foreign:${tag.local}`, attrs, children: [], text: '' }
    grow(tag.name.length + 16)
    const parent = stack[stack.length - 1]
    if (parent) parent.children.push(element)
    stack.push(element)
  })
  parser.on('text', (text) => {
    const current = stack[stack.length - 1]
    if (!current) return
    grow(text.length)
    current.text += text
  })
  parser.on('cdata', (text) => {
    const current = stack[stack.length - 1]
    if (!current) return
    grow(text.length)
    current.text += text
  })
  parser.on('closetag', () => {
    depth--
    if (stack.length === 0) return
    const done = stack.pop() as XmlElement
    done.text = own(done.text)
    if (stack.length === 0) options.onObject(done)
  })
  // No 'error' handler: without one saxes throws, and feed/end translate it.
  // Speed: each handler is a property added to the parser; a seventh turns it
  // into a dictionary-mode object, and every property read in saxes's
  // per-character loop got 3x slower (bench/import.mjs ratio 0.14 -> see git log).

  const feed = (text: string) => {
    if (first && text.length > 0) {
      first = false
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    try {
      parser.write(text)
    } catch (error) {
      throw translate(error)
    }
  }

  return {
    get namespace() {
      return namespace
    },
    write(chunk) {
      bytes += chunk.byteLength
      if (bytes > maxBytes) throw new XmlRejected('size', `the file is larger than ${maxBytes} bytes`)
      let text: string
      try {
        text = decoder.decode(chunk, { stream: true })
      } catch {
        throw new XmlRejected('encoding', 'the file is not valid UTF-8: export it as UTF-8')
      }
      feed(text)
    },
    end() {
      let rest: string
      try {
        rest = decoder.decode()
      } catch {
        throw new XmlRejected('encoding', 'the file is not valid UTF-8 (it ends inside a character)')
      }
      if (rest) feed(rest)
      try {
        parser.close()
      } catch (error) {
        throw translate(error)
      }
      if (namespace === undefined) throw new XmlRejected('syntax', 'no root element: the file is empty or not XML')
    },
  }
}

/**
 * The text as a string of its own. saxes hands out slices of its input chunk
 * (64 KB); a record keeping a 30-character name sliced from one kept the whole
 * chunk alive: 10 000 Leistungen held 120 MB of a 100 MB export (heap after
 * GC, bench/import.mjs). Slicing a concatenation copies it flat; V8 copies
 * strings under 13 characters anyway.
 */
function own(text: string): string {
  return text.length < 13 ? text : `${text} `.slice(0, -1)
}

function translate(error: unknown): XmlRejected {
  if (error instanceof XmlRejected) return error
  const message = error instanceof Error ? error.message : String(error)
  // saxes messages start with "undefined:line:col: "; keep the position, drop the noise
  const clean = message.replace(/^undefined:/, 'line ').slice(0, 300)
  if (/undefined entity|entity/i.test(message)) return new XmlRejected('entity', `entity references are not allowed (only &amp; &lt; &gt; &quot; &apos; and character references): ${clean}`)
  return new XmlRejected('syntax', `not well-formed XML: ${clean}`)
}

/** First child with this local name. */
export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name)
}
export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  return element ? element.children.filter((c) => c.name === name) : []
}
/** Text of a path of local names, trimmed; undefined when absent or blank. */
export function textAt(element: XmlElement | undefined, ...path: string[]): string | undefined {
  let current = element
  for (const name of path) current = child(current, name)
  const text = current?.text.trim()
  return text ? text : undefined
}
