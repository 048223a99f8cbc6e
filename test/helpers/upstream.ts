// Real loopback upstreams for proxy tests: echo servers that report who they
// are and what they received, and fault servers that refuse, reset, hang or
// speak garbage. All listen on 127.0.0.1:0.
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'

interface SeenRequest {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: string
}

export interface Upstream {
  url: string
  port: number
  /** requests that reached this upstream */
  seen: SeenRequest[]
  close(): Promise<void>
}

/** Answer hook: return true when it wrote the response itself. */
export type Respond = (req: http.IncomingMessage, res: http.ServerResponse, seen: SeenRequest) => boolean

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })
}

function closer(server: net.Server, sockets: Set<net.Socket>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    })
}

function track(server: net.Server): Set<net.Socket> {
  const sockets = new Set<net.Socket>()
  server.on('connection', (s: net.Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  return sockets
}

/** An echo upstream: answers JSON { member, method, url, headers, body } unless respond() answers. */
export async function startEcho(member: string, respond?: Respond): Promise<Upstream> {
  const seen: SeenRequest[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('error', () => res.destroy())
    req.on('end', () => {
      const entry: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      seen.push(entry)
      if (respond?.(req, res, entry) === true) return
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ member, method: entry.method, url: entry.url, headers: entry.headers, bodyLength: entry.body.length }))
    })
  })
  const sockets = track(server)
  const port = await listen(server)
  return { url: `http://127.0.0.1:${port}`, port, seen, close: closer(server, sockets) }
}

export type FaultKind = 'reset' | 'hang' | 'garbage'

/** A TCP server that misbehaves in the given way after reading the request. */
export async function startFault(kind: FaultKind): Promise<Upstream> {
  const seen: SeenRequest[] = []
  const server = net.createServer((socket) => {
    socket.once('data', () => {
      seen.push({ method: '', url: '', headers: {}, body: '' })
      if (kind === 'reset') socket.resetAndDestroy()
      else if (kind === 'garbage') socket.end('\x00\x01garbage that is not HTTP\r\n\r\n')
      // 'hang': read and never answer
    })
    socket.on('error', () => undefined)
  })
  const sockets = track(server)
  const port = await listen(server)
  return { url: `http://127.0.0.1:${port}`, port, seen, close: closer(server, sockets) }
}

/** A loopback URL where nothing listens (the port was just released). */
export async function refusingUrl(): Promise<string> {
  const server = net.createServer()
  const port = await listen(server)
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

/**
 * A minimal region-config member proxied to `upstream` (loopback allowed).
 * sameOriginTrusted by default: these fixtures test the path form's mechanics;
 * the member-origin tests pass `{ sameOriginTrusted: false }`.
 */
export function proxiedMember(id: string, upstream: string | undefined, proxy?: Record<string, number>, extra: { sameOriginTrusted?: boolean } = {}) {
  return {
    id,
    name: `Stadt ${id}`,
    level: 'stadt' as const,
    ars: '055620000000',
    parent: null,
    postalCodes: [],
    manifest: `${id}.json`,
    allowedHosts: ['example.org'],
    ...(upstream === undefined ? {} : { upstream, allowPrivateNetwork: true, sameOriginTrusted: true }),
    ...(proxy === undefined ? {} : { proxy }),
    ...extra,
  }
}

export interface RawResponse {
  status: number
  /** header lines exactly as sent, e.g. ['Set-Cookie: a=1; Path=/x'] */
  headerLines: string[]
  body: string
}

/** The values of every header line named `name` (lower case), in the order sent. */
export const headerValues = (lines: string[], name: string): string[] =>
  lines.filter((l) => l.toLowerCase().startsWith(`${name}:`)).map((l) => l.slice(name.length + 2))

/** Sends bytes as they are (no client-side URL normalisation) and reads the whole answer. */
export function rawRequest(port: number, request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1')
      const split = text.indexOf('\r\n\r\n')
      const head = (split === -1 ? text : text.slice(0, split)).split('\r\n')
      const status = Number((head[0] ?? '').split(' ')[1])
      resolve({ status, headerLines: head.slice(1), body: split === -1 ? '' : text.slice(split + 4) })
    })
    // write, not end: Node aborts requests whose client half-closes the socket
    socket.write(request)
  })
}

/** A GET with Connection: close for rawRequest. */
export function rawGet(path: string, extraHeaders = ''): string {
  return `GET ${path} HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n${extraHeaders}\r\n`
}
