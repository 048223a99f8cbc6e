// Loopback ports for benches; no app imports here, so child roles can use it cheaply.
import { createServer } from 'node:net'

/** A port that was free a moment ago, on loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}
