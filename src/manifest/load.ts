// Reads a manifest file and parses it, reporting where JSON is broken
// (line/column) so a city IT team can fix it. Validation is separate.
import { readFile } from 'node:fs/promises'
import type { Result } from './validate.js'
import type { Issue } from '../http/problem.js'

const MAX_MANIFEST_BYTES = 5 * 1024 * 1024

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
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const issue: Issue = { path: '', message: code === 'ENOENT' ? `manifest file not found: ${path}` : `cannot read manifest file ${path}: ${code ?? 'error'}` }
    return { ok: false, errors: [issue] }
  }
  if (Buffer.byteLength(text) > MAX_MANIFEST_BYTES) {
    return { ok: false, errors: [{ path: '', message: `manifest file is larger than ${MAX_MANIFEST_BYTES} bytes` }] }
  }
  return { ok: true, value: text }
}
