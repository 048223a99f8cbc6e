// A TCP relay on 127.0.0.1 in front of a real server: it can cut every
// connection (a network blip, the server stays up) and hold back the next
// client chunk that matches a pattern, so a test can act while a command is
// provably in flight (e.g. close a store while its SUBSCRIBE is unanswered).
import { createConnection, createServer, type Socket } from 'node:net'
import type { Test } from 'tap'

export interface TcpRelay {
  port: number
  /** destroy every open connection, in both directions */
  cutAll(): void
  /** resolves when a client chunk matching `pattern` arrives; that chunk (and what follows on its connection) is never forwarded */
  holdNext(pattern: RegExp): Promise<void>
}

export async function startRelay(t: Pick<Test, 'teardown'>, targetPort: number): Promise<TcpRelay> {
  const sockets = new Set<Socket>()
  let hold: { pattern: RegExp, resolve: () => void } | undefined
  const server = createServer((client) => {
    const upstream = createConnection({ port: targetPort, host: '127.0.0.1' })
    let holding = false
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => { client.destroy(); upstream.destroy() })
    }
    client.on('data', (chunk: Buffer) => {
      if (!holding && hold?.pattern.test(chunk.toString('latin1'))) {
        holding = true
        hold.resolve()
        hold = undefined
      }
      if (!holding) upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => client.write(chunk))
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy()
    server.close(() => resolve())
  }))
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('relay has no port')
  return {
    port: address.port,
    cutAll() {
      for (const socket of sockets) socket.destroy()
    },
    holdNext(pattern) {
      return new Promise<void>((resolve) => { hold = { pattern, resolve } })
    },
  }
}
