// The access log of deploy/nginx.conf holds no personal data: its own map
// and log_format blocks, cut from the file, run in a real nginx on
// 127.0.0.1. The client addresses to log come in through the realip module
// (X-Forwarded-For from 127.0.0.1, in this test's wrapper only), so every
// address family can be tried without leaving loopback.
import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { mkdirSync, readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO } from '../helpers/region.js'
import { freePort, requireTools } from '../helpers/redis.js'

const NGINX = ['/usr/sbin/nginx', 'nginx'].find((bin) => spawnSync(bin, ['-v'], { stdio: 'ignore' }).status === 0)
const conf = readFileSync(join(REPO, 'deploy', 'nginx.conf'), 'utf8')
const logging = /^map \$remote_addr [\s\S]*?^log_format privacy [^\n]*;$/m.exec(conf)?.[0]

t.test('the deployed access log format: addresses truncated, no query, no path beyond the endpoint', async (t) => {
  if (!requireTools(t, NGINX !== undefined, { missing: 'nginx', tests: 'the nginx access log test', install: 'apt-get install nginx' })) return
  t.ok(logging, 'deploy/nginx.conf has the map blocks and the privacy log_format')
  const dir = await mkdtemp(join(tmpdir(), 'dp-nginx-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub))
  const port = await freePort()
  await writeFile(join(dir, 'nginx.conf'), `
daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
${logging}
  server {
    listen 127.0.0.1:${port};
    set_real_ip_from 127.0.0.1;
    real_ip_header X-Forwarded-For;
    access_log ${dir}/access.log privacy;
    location / { return 204; }
  }
}
`)
  const nginx = spawn(NGINX!, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  nginx.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<void>((done) => nginx.once('exit', () => done()))
  t.teardown(async () => {
    nginx.kill('SIGTERM')
    await exited
  })
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1', () => { socket.destroy(); done(true) })
      socket.once('error', () => done(false))
    })
    if (up) break
    if (nginx.exitCode !== null || i > 200) throw new Error(`nginx did not start: ${stderr}${await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')}`)
    await new Promise((done) => setTimeout(done, 25))
  }

  const cases: [client: string, path: string, logged: string][] = [
    ['203.0.113.77', '/cities/gladbeck/antrag/4711?name=Erika', '203.0.113.0 - "GET /cities/gladbeck/..." 204'],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '/api/v1/services/gladbeck%3Ahund?postalCode=45964', '2001:db8:85a3::/48 - "GET /api/v1/services/..." 204'],
    ['2001:db8::abcd', '/api/v1/search?q=Erika+Mustermann', '2001:db8::/48 - "GET /api/v1/search" 204'],
    ['2001::beef', '/suche/Erika-Mustermann', '2001::/48 - "GET /suche/..." 204'],
    ['::ffff:198.51.100.9', '/go/gladbeck/hund-anmelden', '- - "GET /go/gladbeck/..." 204'],
    ['198.51.100.200', '/', '198.51.100.0 - "GET /" 204'],
  ]
  for (const [client, path] of cases) {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { 'x-forwarded-for': client } })
    t.equal(res.status, 204)
  }
  const lines = (await readFile(join(dir, 'access.log'), 'utf8')).trim().split('\n')
  t.equal(lines.length, cases.length, 'one line per request')
  lines.forEach((line, i) => {
    const [client, path, logged] = cases[i]!
    const [address, rest] = logged.split(' - ') as [string, string]
    t.ok(line.startsWith(`${address} - [`) && line.includes(rest), `${client} ${path} -> ${line}`)
  })
  const all = lines.join('\n')
  for (const secret of ['Erika', 'Mustermann', '4711', '45964', 'hund', '.77', '7348', 'abcd', 'beef', '100.9', '.200']) {
    t.notOk(all.includes(secret), `"${secret}" is not in the log`)
  }
})
