// The container files stay true to the code: every variable docker-compose
// sets is one the gateway reads (src/config/env.ts ENV_VARS), the image runs
// as a non-root user with a health check, and nginx forwards what the
// gateway's trustProxy expects. (No Docker engine in CI: this checks the
// files, not a running stack.)
import t from 'tap'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { ENV_VARS } from '../../src/config/env.js'
import { REPO } from '../helpers/region.js'
import { join } from 'node:path'

interface ComposeService { environment?: Record<string, string>; build?: string; deploy?: { replicas?: number }; stop_grace_period?: string; command?: string[] }
const compose = parse(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> }
const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8')
const nginx = readFileSync(join(REPO, 'deploy', 'nginx.conf'), 'utf8')

t.test('compose: every gateway variable is one the gateway reads', async (t) => {
  const gateway = compose.services.gateway
  t.ok(gateway, 'a gateway service')
  const env = gateway?.environment ?? {}
  for (const name of Object.keys(env)) t.ok((ENV_VARS as readonly string[]).includes(name), `${name} is read by src/config/env.ts`)
  t.match(env.REDIS_URL, /^redis:\/\/redis:6379$/, 'instances share the compose Redis')
  t.ok((gateway?.deploy?.replicas ?? 1) >= 2, 'more than one instance, as in production')
  const grace = Number(/^(\d+)s$/.exec(gateway?.stop_grace_period ?? '')?.[1] ?? 10)
  t.ok(grace * 1000 > Number(env.SHUTDOWN_DRAIN_MS) + Number(env.SHUTDOWN_TIMEOUT_MS), 'compose waits longer than the drain')
  t.ok(compose.services.redis?.command?.includes('--appendonly'), 'Redis keeps registered manifests across restarts')
  // production refuses to start without it; compose refuses to run without it, with the hint
  t.equal(env.NODE_ENV, 'production')
  t.match(env.SESSION_SECRET, /^\$\{SESSION_SECRET:\?[^}]+\}$/, 'SESSION_SECRET comes from the operator\'s environment, required')
})

t.test('Dockerfile: reproducible install, non-root, health check, signals reach node', async (t) => {
  t.match(dockerfile, /npm ci\b/)
  t.match(dockerfile, /^USER node$/m)
  t.match(dockerfile, /HEALTHCHECK[\s\S]*\/health/)
  t.match(dockerfile, /CMD \["node", "dist\/main\.js"\]/, 'exec form: node is PID 1 and gets SIGTERM')
  for (const dir of ['config', 'members', 'dist']) t.match(dockerfile, new RegExp(`COPY (--from=\\S+ )?\\S*${dir}`), `${dir} is in the image`)
  // dist/ carries the templates, assets and generated validators (scripts/after-build.mjs); nothing is read from src/
  t.match(dockerfile, /COPY scripts \.\/scripts/, 'the build stage has the after-build script that npm ci (prepare) runs')
  t.notMatch(dockerfile, /COPY[^\n]*src\/web/, 'the runtime image does not ship src/')
  // npm ci in the build stage installs dev dependencies, local folders (file:) among them
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
  const buildStage = dockerfile.slice(0, dockerfile.indexOf('RUN npm ci'))
  const local = Object.values(pkg.devDependencies).filter((v) => v.startsWith('file:')).map((v) => v.slice('file:'.length).split('/')[0])
  t.ok(local.length > 0, 'the tests\' TypeScript loader is such a folder (tools/tap-ts)')
  for (const dir of local) t.match(buildStage, new RegExp(`^COPY ${dir} \\./${dir}$`, 'm'), `${dir}/ is copied before npm ci`)
})

t.test('nginx: one forwarded hop, no query strings in its log', async (t) => {
  t.equal(compose.services.gateway?.environment?.TRUST_PROXY, '1')
  t.match(nginx, /proxy_set_header X-Forwarded-For \$remote_addr;/, 'nginx replaces, not appends, X-Forwarded-For')
  t.match(nginx, /log_format privacy '\$log_client [^']*\$log_path[^']*'/, 'truncated address and path (what they log: ops/nginx-log.test.ts)')
  t.notMatch(nginx, /\$request_uri|\$args|\$query_string|"\$request"/, 'the access log never holds a query string')
})
