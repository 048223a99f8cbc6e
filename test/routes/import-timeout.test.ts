// A slow authenticated import (the body trickles, then stops) is answered 408
// problem+json once REQUEST_TIMEOUT_MS has passed, over a real socket: not a
// 422 for the XML the gateway never received in full.
import t, * as Tap from 'tap'
import net from 'node:net'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { buildApp } from '../../src/app.js'
import { readSettings } from '../../src/config/env.js'
import { sha256Hex } from '../../src/auth/token.js'
import { REPO } from '../helpers/region.js'
import { NO_LOAD_SHEDDING } from '../helpers/app.js'

async function listening(t: Tap.Test, requestMs: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'dp-import-'))
  await cp(join(REPO, 'config'), join(dir, 'config'), { recursive: true })
  await cp(join(REPO, 'members'), join(dir, 'members'), { recursive: true })
  const regionPath = join(dir, 'config', 'region.json')
  const region = JSON.parse(await readFile(regionPath, 'utf8'))
  for (const m of region.members) if (m.id === 'gladbeck') m.tokenSha256 = sha256Hex('tok-gladbeck')
  await writeFile(regionPath, JSON.stringify(region))
  const timeouts = { ...readSettings({}).timeouts, requestMs, headersMs: requestMs }
  const app = await buildApp({ settings: { regionConfig: regionPath, dataDir: join(dir, 'data'), pressure: NO_LOAD_SHEDDING, timeouts } })
  t.teardown(async () => {
    await app.close()
    await rm(dir, { recursive: true, force: true })
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  return (app.server.address() as AddressInfo).port
}

t.test('a trickling import body that never completes: 408 problem+json', async (t) => {
  const port = await listening(t, 1000)
  const xml = (await readFile(join(REPO, 'test', 'fixtures', 'xzufi', 'gladbeck-hund.xml'))).toString('utf8')
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', reject)
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')))
    socket.write(`POST /api/v1/admin/members/gladbeck/import HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer tok-gladbeck\r\n`
      + `Content-Type: application/xml\r\nContent-Length: ${Buffer.byteLength(xml) + 1000}\r\n\r\n`)
    // a first part of the body, then nothing more: the client stalls
    socket.write(xml.slice(0, 200))
  })
  const [head = '', body = ''] = answer.split('\r\n\r\n')
  t.match(head, /^HTTP\/1\.1 408 /, head.split('\r\n')[0] ?? '')
  t.match(head, /content-type: application\/problem\+json/i)
  t.match(JSON.parse(body), { status: 408 })
})
