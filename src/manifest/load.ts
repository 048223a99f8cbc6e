// Reads a manifest file and parses it, reporting where JSON is broken
// (line/column) so a city IT team can fix it. Validation is separate.
import { readFile } from 'node:fs/promises'
import type { Result } from './validate.js'
import type { Issue } from '../http/problem.js'

const MAX_MANIFEST_BYTES = 5 * 1024 * 1024
const UTF8 = new TextDecoder('utf-8', { fatal: true })

export function parseJson(text: string): Result<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (err) {
    const message = (err as Error).message
    const match = /position (\d+)/.exec(message)
    const offset = match ? Number(match[1]) : text.length
    const { line, column } = lineColumn(text, offset)
    const reason = message.replace(/ in JSON at position \d+.*$/s, '').replace(/, "[\s\S]*" is not valid JSON$/, '')
    return { ok: false, errors: [{ path: '', message: `invalid JSON at line ${line}, column ${column}: ${reason}` }] }
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++
      lineStart = i + 1
    }
  }
  return { line, column: offset - lineStart + 1 }
}

export async function readManifestFile(path: string): Promise<Result<unknown>> {
  const read = await readManifestSource(path)
  return read.ok ? parseJson(read.value) : read
}

/** The file's text (size-checked); callers hash exactly what they parse. */
export async function readManifestSource(path: string): Promise<Result<string>> {
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const issue: Issue = { path: '', message: code === 'ENOENT' ? `manifest file not found: ${path}` : `cannot read manifest file ${path}: ${code ?? 'error'}` }
    return { ok: false, errors: [issue] }
  }
  if (bytes.length > MAX_MANIFEST_BYTES) {
    return { ok: false, errors: [{ path: '', message: `manifest file is larger than ${MAX_MANIFEST_BYTES} bytes` }] }
  }
  try {
    // strict: Latin-1 umlauts would silently become U+FFFD; a BOM (Notepad) is dropped
    return { ok: true, value: UTF8.decode(bytes) }
  } catch {
    return { ok: false, errors: [{ path: '', message: `not valid UTF-8: save ${path} as UTF-8 (JSON is always UTF-8)` }] }
  }
}
