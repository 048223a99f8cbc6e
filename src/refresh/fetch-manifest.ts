// One HTTP fetch of a remote manifest or XZuFi feed with undici: conditional
// request, connect/headers/body timeouts, size cap (decoded bytes), same-host
// redirects only, SSRF guard. A manifest is read whole (2 MiB); a feed is
// streamed to its reader. Errors are FetchError with a message fit for
// `lastError` and a flag saying whether trying again could help.
import { createRequire } from 'node:module'
import { createHash } from 'node:crypto'
import { Readable, pipeline, type Transform } from 'node:stream'
import { brotliDecompressSync, createBrotliDecompress, createGunzip, createInflate, gunzipSync, inflateSync } from 'node:zlib'
import type { Agent, Dispatcher } from 'undici'
import { BlockedAddressError, checkTarget as checkNetTarget, createGuardedLookup } from '../net/address-guard.js'

// undici is required at the first use, not at import: a start whose members
// all have file manifests never loads it (cold start)
const undici = (): typeof import('undici') => createRequire(import.meta.url)('undici') as typeof import('undici')

export interface FetchLimits {
  connectTimeoutMs: number
  headersTimeoutMs: number
  bodyTimeoutMs: number
  maxBytes: number
  /** an XZuFi feed, decoded: a city's export is far larger than a manifest */
  maxFeedBytes: number
  maxRedirects: number
}

export const DEFAULT_LIMITS: FetchLimits = {
  connectTimeoutMs: 5000,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  maxBytes: 2 * 1024 * 1024,
  maxFeedBytes: 64 * 1024 * 1024,
  maxRedirects: 3,
}

export type FetchResult =
  | { kind: 'not-modified' }
  | { kind: 'ok'; body: string; etag?: string; lastModified?: string }

export class FetchError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message)
  }
}

export interface FetchRequest {
  url: string
  /** the Accept header; JSON unless said */
  accept?: string
  etag?: string
  lastModified?: string
  allowPrivateNetwork: boolean
  signal?: AbortSignal
}

const BLOCKED = 'DP_REFRESH_BLOCKED_ADDRESS'
const guardedLookup = createGuardedLookup(
  (hostname, address, reason) => new BlockedAddressError(`refused: ${hostname} resolves to ${address} (${reason})`, BLOCKED),
)

/** Agents for guarded (public only) and private-allowed members; close them with the refresher. */
export function createAgents(limits: FetchLimits): { guarded: Agent; open: Agent } {
  const common = { headersTimeout: limits.headersTimeoutMs, bodyTimeout: limits.bodyTimeoutMs, connections: 4 }
  const { Agent } = undici()
  return {
    guarded: new Agent({ ...common, connect: { timeout: limits.connectTimeoutMs, lookup: guardedLookup } }),
    open: new Agent({ ...common, connect: { timeout: limits.connectTimeoutMs } }),
  }
}

export async function fetchManifest(
  req: FetchRequest,
  dispatcher: Dispatcher,
  limits: FetchLimits = DEFAULT_LIMITS,
): Promise<FetchResult> {
  const result = await fetchWith(req, dispatcher, limits, (response) =>
    readCapped(response.body, response.headers['content-length'], response.headers['content-encoding'], limits.maxBytes))
  return result.kind === 'ok' ? { kind: 'ok', body: result.value, ...validators(result) } : result
}

export type StreamResult<T> =
  | { kind: 'not-modified' }
  | { kind: 'ok'; value: T; sha256: string; etag?: string; lastModified?: string }

/**
 * Fetches like fetchManifest but hands the decoded body to `consume` as it
 * arrives (never more than maxFeedBytes, compressed or decoded); `sha256`
 * names the decoded bytes. What `consume` throws is passed on unchanged.
 */
export async function fetchStream<T>(
  req: FetchRequest,
  dispatcher: Dispatcher,
  limits: FetchLimits,
  consume: (chunks: AsyncIterable<Uint8Array>) => Promise<T>,
): Promise<StreamResult<T>> {
  const result = await fetchWith(req, dispatcher, limits, async (response) => {
    const hash = createHash('sha256')
    const max = limits.maxFeedBytes
    const declared = Number(firstHeader(response.headers['content-length']))
    if (Number.isFinite(declared) && declared > max) {
      response.body.on('error', () => {})
      response.body.destroy()
      throw new FetchError(`response larger than ${max} bytes`, false)
    }
    const value = await consume(hashed(decodedChunks(response.body, response.headers['content-encoding'], max), hash))
    return { value, sha256: hash.digest('hex') }
  })
  return result.kind === 'ok' ? { kind: 'ok', value: result.value.value, sha256: result.value.sha256, ...validators(result) } : result
}

type Fetched<T> = { kind: 'not-modified' } | { kind: 'ok'; value: T; etag?: string; lastModified?: string }

async function fetchWith<T>(
  req: FetchRequest,
  dispatcher: Dispatcher,
  limits: FetchLimits,
  read: (response: Dispatcher.ResponseData) => Promise<T>,
): Promise<Fetched<T>> {
  let url = checkTarget(req.url, req.allowPrivateNetwork)
  const origin = url.origin
  for (let hop = 0; ; hop++) {
    const headers: Record<string, string> = { accept: req.accept ?? 'application/json', 'user-agent': 'dachportal-refresh/1' }
    if (req.etag) headers['if-none-match'] = req.etag
    if (req.lastModified) headers['if-modified-since'] = req.lastModified
    const response = await send(url, headers, dispatcher, limits, req.signal)
    const { statusCode } = response
    if (statusCode >= 300 && statusCode < 400 && statusCode !== 304) {
      await response.body.dump()
      const next = redirectTarget(url, response.headers.location, origin)
      if (hop >= limits.maxRedirects) throw new FetchError(`too many redirects (more than ${limits.maxRedirects})`, false)
      url = checkTarget(next.href, req.allowPrivateNetwork)
      continue
    }
    if (statusCode === 304) {
      await response.body.dump()
      // asked nothing conditionally (no stored manifest): there is nothing to keep
      if (!headers['if-none-match'] && !headers['if-modified-since']) throw new FetchError(`HTTP 304 from ${url.host} without a conditional request`, false)
      return { kind: 'not-modified' }
    }
    if (statusCode !== 200) {
      await response.body.dump()
      throw new FetchError(`HTTP ${statusCode} from ${url.host}`, statusCode >= 500 || statusCode === 429 || statusCode === 408)
    }
    const value = await read(response)
    return { kind: 'ok', value, ...header('etag', response.headers.etag), ...header('lastModified', response.headers['last-modified']) }
  }
}

function validators(result: { etag?: string; lastModified?: string }): { etag?: string; lastModified?: string } {
  return { ...header('etag', result.etag), ...header('lastModified', result.lastModified) }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

async function* hashed(chunks: AsyncIterable<Uint8Array>, hash: ReturnType<typeof createHash>): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    hash.update(chunk)
    yield chunk
  }
}

const STREAM_DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
}

const tooLargeError = (maxBytes: number) => new FetchError(`response larger than ${maxBytes} bytes`, false)

/** the chunks of `source`, refused once they pass maxBytes in all */
async function* capped(source: AsyncIterable<unknown>, maxBytes: number): AsyncGenerator<Buffer> {
  let size = 0
  for await (const chunk of source) {
    size += (chunk as Buffer).length
    if (size > maxBytes) throw tooLargeError(maxBytes)
    yield chunk as Buffer
  }
}

/** the body decoded as it arrives; compressed and decoded bytes each capped at maxBytes */
async function* decodedChunks(body: Dispatcher.ResponseData['body'], encoding: string | string[] | undefined, maxBytes: number): AsyncGenerator<Uint8Array> {
  const coding = (Array.isArray(encoding) ? encoding.join(',') : encoding ?? '').trim().toLowerCase()
  async function* raw(): AsyncGenerator<Buffer> {
    try {
      yield* capped(body, maxBytes)
    } catch (error) {
      throw error instanceof FetchError ? error : describe(error)
    }
  }
  if (coding === '' || coding === 'identity') {
    yield* raw()
    return
  }
  const make = STREAM_DECODERS[coding]
  if (!make) {
    body.on('error', () => {})
    body.destroy()
    throw new FetchError(`content-encoding "${coding.slice(0, 50)}" is not supported (serve it uncompressed, gzip, deflate or br)`, false)
  }
  const decoder = make()
  // errors of the source (size, network) reach the decoder and so this loop
  pipeline(Readable.from(raw()), decoder, () => {})
  try {
    yield* capped(decoder, maxBytes)
  } catch (error) {
    if (error instanceof FetchError) throw error
    const code = (error as { code?: string }).code
    if (typeof code === 'string' && code.startsWith('Z_')) throw new FetchError(`not valid ${coding}: ${(error as Error).message}`, false)
    throw describe(error)
  } finally {
    decoder.destroy()
  }
}

function header<K extends string>(key: K, value: string | string[] | undefined): Partial<Record<K, string>> {
  const text = Array.isArray(value) ? value[0] : value
  return text ? ({ [key]: text } as Record<K, string>) : {}
}

/** https only (http for allowPrivateNetwork members); IP literals are checked here, names at connect */
function checkTarget(raw: string, allowPrivateNetwork: boolean): URL {
  const checked = checkNetTarget(raw, allowPrivateNetwork)
  if (checked.ok) return checked.url
  switch (checked.problem) {
    case 'not-a-url':
      throw new FetchError(`not a valid URL: ${raw.slice(0, 200)}`, false)
    case 'not-https':
      throw new FetchError(`refused: ${checked.url.protocol.replace(':', '')} is not allowed, only https`, false)
    case 'credentials':
      throw new FetchError('refused: credentials in the manifest URL', false)
    case 'private-address':
      throw new FetchError(`refused: ${checked.address} is not a public address (${checked.reason})`, false)
  }
}

function redirectTarget(from: URL, location: string | string[] | undefined, origin: string): URL {
  const target = Array.isArray(location) ? location[0] : location
  if (!target) throw new FetchError('redirect without a Location header', false)
  let next: URL
  try {
    next = new URL(target, from)
  } catch {
    throw new FetchError('redirect to an invalid URL', false)
  }
  if (next.origin !== origin) {
    // same host, other scheme or port (https -> http): "another host" would send the city looking in the wrong place
    const what = next.hostname === from.hostname ? `${next.protocol.slice(0, -1)}:// on port ${next.port || (next.protocol === 'https:' ? '443' : '80')} of the same host` : `another host (${next.host})`
    throw new FetchError(`redirect to ${what} refused: only redirects within ${origin} are followed`, false)
  }
  return next
}

async function send(url: URL, headers: Record<string, string>, dispatcher: Dispatcher, limits: FetchLimits, signal?: AbortSignal) {
  try {
    return await undici().request(url, {
      method: 'GET',
      headers,
      dispatcher,
      headersTimeout: limits.headersTimeoutMs,
      bodyTimeout: limits.bodyTimeoutMs,
      ...(signal ? { signal } : {}),
    })
  } catch (error) {
    throw describe(error, limits)
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true })

async function readCapped(body: Dispatcher.ResponseData['body'], length: string | string[] | undefined, encoding: string | string[] | undefined, maxBytes: number): Promise<string> {
  const declared = Number(Array.isArray(length) ? length[0] : length)
  const tooLarge = () => tooLargeError(maxBytes)
  if (Number.isFinite(declared) && declared > maxBytes) {
    body.on('error', () => {}) // destroying an unread body reports an abort nobody needs
    body.destroy()
    throw tooLarge()
  }
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length
      // leaving the loop early destroys the stream
      if (size > maxBytes) throw tooLarge()
      chunks.push(chunk as Buffer)
    }
  } catch (error) {
    throw error instanceof FetchError ? error : describe(error)
  }
  const bytes = decode(Buffer.concat(chunks), encoding, maxBytes)
  try {
    // strict: Latin-1 umlauts would be stored as U+FFFD; a BOM is dropped
    return UTF8.decode(bytes)
  } catch {
    throw new FetchError('not valid UTF-8: serve the manifest encoded as UTF-8 (JSON is always UTF-8)', false)
  }
}

// A request without Accept-Encoding accepts any coding (RFC 9110 12.5.3), and
// pre-compressed files (S3, Azure Blob, gzip_static always) arrive compressed
// whatever was asked. The decoded size is capped too (a small gzip can hold gigabytes).
const DECODERS: Record<string, (buffer: Buffer, options: { maxOutputLength: number }) => Buffer> = {
  gzip: gunzipSync,
  'x-gzip': gunzipSync,
  deflate: inflateSync,
  br: brotliDecompressSync,
}

function decode(bytes: Buffer, header: string | string[] | undefined, maxBytes: number): Buffer {
  const coding = (Array.isArray(header) ? header.join(',') : header ?? '').trim().toLowerCase()
  if (coding === '' || coding === 'identity') return bytes
  const decoder = DECODERS[coding]
  if (!decoder) throw new FetchError(`content-encoding "${coding.slice(0, 50)}" is not supported (serve it uncompressed, gzip, deflate or br)`, false)
  try {
    return decoder(bytes, { maxOutputLength: maxBytes })
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new FetchError(`response larger than ${maxBytes} bytes`, false)
    throw new FetchError(`not valid ${coding}: ${(error as Error).message}`, false)
  }
}

/** a readable sentence for lastError; network trouble and timeouts may pass on retry */
function describe(error: unknown, limits?: FetchLimits): FetchError {
  if (error instanceof FetchError) return error
  const { code, message, name } = (error ?? {}) as { code?: string; message?: string; name?: string }
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new FetchError(`timeout: no connection within ${limits?.connectTimeoutMs ?? '?'} ms`, true)
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new FetchError(`timeout: no response headers within ${limits?.headersTimeoutMs ?? '?'} ms`, true)
    case 'UND_ERR_BODY_TIMEOUT':
      return new FetchError(`timeout: response body stalled`, true)
    case BLOCKED:
      return new FetchError(message ?? 'refused address', false)
  }
  if (cause?.code === BLOCKED) return new FetchError(cause.message ?? 'refused address', false)
  if (name === 'AbortError' || code === 'UND_ERR_ABORTED') return new FetchError('aborted: refresh deadline reached', false)
  return new FetchError(`network error: ${code ?? cause?.code ?? ''} ${message ?? ''}`.replace(/\s+/g, ' ').trim(), true)
}
