// deploy/kubernetes stays true to the app: the base and the Sentinel overlay
// are rendered with kustomize (the one built into kubectl; where kubectl is
// missing, with test/helpers/kustomize.ts, which is compared against kubectl's
// output wherever both exist), every object is
// validated against the Kubernetes schemas (kubernetes-models: the published
// OpenAPI of Kubernetes 1.3x compiled to validators), and the Deployment's
// probes, ports, env, drain timing and hardening are checked against the app
// itself (built here, probe paths injected) and src/config/env.ts.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parse, parseAllDocuments } from 'yaml'
import { ENV_VARS } from '../../src/config/env.js'
import { redisTargetFromEnv } from '../../src/store/redis-connection.js'
import { realApp } from '../helpers/app.js'
import { renderKustomization } from '../helpers/kustomize.js'
import { REPO } from '../helpers/region.js'

type Obj = Record<string, any>
const K8S = join(REPO, 'deploy', 'kubernetes')

function kubectlKustomize(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
const haveKustomize = kubectlKustomize()

function render(dir: string): Obj[] {
  return haveKustomize ? kubectlRender(dir) : renderKustomization(join(K8S, dir))
}

function kubectlRender(dir: string): Obj[] {
  const out = execFileSync('kubectl', ['kustomize', '--load-restrictor', 'LoadRestrictionsNone', join(K8S, dir)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  return parseAllDocuments(out).map((d) => d.toJSON() as Obj).filter(Boolean)
}

/** Throws with the schema errors when `obj` is not a valid object of its apiVersion/kind. */
async function validate(obj: Obj): Promise<void> {
  const models = (await import(`kubernetes-models/${obj.apiVersion}`)) as Record<string, new (data: unknown) => { validate(): void }>
  const Model = models[obj.kind]
  if (Model === undefined) throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}`)
  new Model(obj).validate()
}

const find = (objs: Obj[], kind: string): Obj => {
  const found = objs.find((o) => o.kind === kind)
  if (!found) throw new Error(`no ${kind} rendered`)
  return found
}
const envOf = (container: Obj): Record<string, Obj> => Object.fromEntries((container.env as Obj[]).map((e) => [e.name, e]))

t.test('the validator rejects what the API server would', async (t) => {
  // a control: the schemas really are checked (types and required fields)
  const bad = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: '3000' }] }] } } } }
  await t.rejects(validate(bad), /containerPort must be integer/)
  await t.rejects(validate({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { ports: [{ port: 'eighty' }] } }), /must be integer/)
})

/** kind/name -> object, generated names without their content hash */
function byName(objs: Obj[]): Record<string, Obj> {
  const strip = (name: string) => name.replace(/-[a-z0-9]{10}$/, '')
  const out: Record<string, Obj> = {}
  for (const o of objs) {
    const copy = structuredClone(o)
    for (const v of (copy.spec?.template?.spec?.volumes ?? []) as Obj[]) if (v.configMap) v.configMap.name = strip(v.configMap.name)
    out[`${o.kind}/${strip(o.metadata.name)}`] = copy
    copy.metadata.name = strip(o.metadata.name)
  }
  return out
}

t.test('the fallback renderer agrees with kubectl kustomize', { skip: !haveKustomize && 'kubectl not installed: nothing to compare with' }, async (t) => {
  for (const dir of ['base', 'overlays/sentinel']) {
    t.same(byName(renderKustomization(join(K8S, dir))), byName(kubectlRender(dir)), dir)
  }
})

t.test('the base and the Sentinel overlay, rendered', async (t) => {
  t.comment(haveKustomize ? 'rendered with kubectl kustomize' : 'kubectl missing: rendered with test/helpers/kustomize.ts')
  const base = render('base')
  const sentinel = render('overlays/sentinel')
  const optional = parse(readFileSync(join(K8S, 'base', 'ingress.yaml'), 'utf8')) as Obj

  t.test('every object validates against the Kubernetes schemas', async (t) => {
    for (const obj of [...base, ...sentinel, optional]) {
      await t.resolves(validate(obj), `${obj.kind} ${obj.metadata?.name}`)
    }
    t.same(base.map((o) => o.kind).sort(), ['ConfigMap', 'ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'PodDisruptionBudget', 'Service'])
    t.notOk([...base, ...sentinel].some((o) => o.kind === 'Secret'), 'no Secret is shipped: tokens are references only')
  })

  const deployment = find(base, 'Deployment')
  const pod = deployment.spec.template.spec as Obj
  const container = pod.containers[0] as Obj
  const env = envOf(container)

  t.test('probes and ports match the app', async (t) => {
    const port = container.ports.find((p: Obj) => p.name === 'http') as Obj
    t.equal(port.containerPort, Number(env.PORT?.value), 'containerPort == PORT')
    t.equal(env.HOST?.value, '0.0.0.0', 'listens on the pod address, not loopback')
    t.equal(container.readinessProbe.httpGet.path, '/ready')
    t.equal(container.livenessProbe.httpGet.path, '/health')
    t.ok(container.startupProbe?.httpGet, 'a startup probe')
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      t.equal(container[probe].httpGet.port, 'http', `${probe} on the container port`)
    }
    const service = find(base, 'Service')
    t.equal(service.spec.ports[0].targetPort, 'http')
    t.same(service.spec.selector, deployment.spec.template.metadata.labels, 'the Service selects the pods')

    const app = await realApp(t)
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      const res = await app.inject({ url: container[probe].httpGet.path })
      t.equal(res.statusCode, 200, `${probe} ${container[probe].httpGet.path} answers 200`)
    }
    app.readiness.draining = true
    t.equal((await app.inject({ url: container.readinessProbe.httpGet.path })).statusCode, 503, 'readiness fails while draining')
    t.equal((await app.inject({ url: container.livenessProbe.httpGet.path })).statusCode, 200, 'liveness does not (no restart during drain)')
  })

  t.test('env: only variables the gateway reads, secrets by reference', async (t) => {
    for (const name of Object.keys(env)) t.ok((ENV_VARS as readonly string[]).includes(name), `${name} is in ENV_VARS`)
    for (const name of ['METRICS_TOKEN', 'REDIS_PASSWORD', 'SESSION_SECRET']) {
      t.equal(env[name]?.value, undefined, `${name} has no literal value`)
      t.equal(env[name]?.valueFrom?.secretKeyRef?.name, 'dachportal-secrets')
    }
    // NODE_ENV=production needs it: a missing key must stop the pod, not start it without sessions
    t.notOk(env.SESSION_SECRET?.valueFrom?.secretKeyRef?.optional, 'SESSION_SECRET is not optional')
    t.match(env.REDIS_URL?.value, /^redis:\/\//)
  })

  t.test('the pod outlives its drain', async (t) => {
    const preStop = Number(container.lifecycle?.preStop?.sleep?.seconds ?? 0)
    const drain = Number(env.SHUTDOWN_DRAIN_MS?.value) + Number(env.SHUTDOWN_TIMEOUT_MS?.value)
    t.ok(preStop > 0, 'preStop waits for endpoints to drop the pod')
    t.ok(pod.terminationGracePeriodSeconds * 1000 > preStop * 1000 + drain, `grace ${pod.terminationGracePeriodSeconds} s > preStop ${preStop} s + drain ${drain / 1000} s`)
  })

  t.test('hardening', async (t) => {
    t.equal(pod.automountServiceAccountToken, false)
    t.equal(pod.securityContext.runAsNonRoot, true)
    t.ok(pod.securityContext.runAsUser > 0, 'a numeric non-root user')
    t.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault')
    const sc = container.securityContext as Obj
    t.equal(sc.readOnlyRootFilesystem, true)
    t.equal(sc.allowPrivilegeEscalation, false)
    t.same(sc.capabilities.drop, ['ALL'])
    t.notOk(sc.capabilities.add, 'no capability added')
    const mounts = new Set((container.volumeMounts as Obj[]).map((m) => m.mountPath))
    t.ok(mounts.has(env.DATA_DIR?.value), 'DATA_DIR is a writable volume')
    t.ok(mounts.has('/tmp'), '/tmp is a writable volume')
    const { requests, limits } = container.resources as Obj
    for (const key of ['cpu', 'memory']) t.ok(requests?.[key] && limits?.[key], `${key} request and limit`)
    const mi = (q: string) => Number(/^(\d+)Mi$/.exec(q)?.[1])
    t.ok(mi(limits.memory) >= mi(requests.memory), 'memory limit >= request')
  })

  t.test('config/ and members/ come from ConfigMaps at the paths REGION_CONFIG expects', async (t) => {
    const configDir = dirname(env.REGION_CONFIG?.value)
    const volumes = Object.fromEntries((pod.volumes as Obj[]).map((v) => [v.name, v]))
    const mountedAt = (path: string) => {
      const mount = (container.volumeMounts as Obj[]).find((m) => m.mountPath === path)
      const name = mount ? volumes[mount.name]?.configMap?.name : undefined
      return base.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name)
    }
    for (const [dir, mount] of [['config', configDir], ['members', join(dirname(configDir), 'members')]] as const) {
      const map = mountedAt(mount)
      t.ok(map, `${mount} is a ConfigMap`)
      const files = readdirSync(join(REPO, dir)).filter((f) => f.endsWith('.json')).sort()
      t.same(Object.keys(map?.data ?? {}).sort(), files, `every ${dir}/ file is in it`)
      for (const f of files) t.equal(map?.data?.[f], readFileSync(join(REPO, dir, f), 'utf8'), `${dir}/${f} unchanged`)
      t.ok(JSON.stringify(map).length < 1024 * 1024, 'under the 1 MiB ConfigMap limit')
    }
    const region = JSON.parse(readFileSync(join(REPO, 'config', 'region.json'), 'utf8')) as { members: { manifest: string }[] }
    for (const m of region.members) {
      if (/^https?:/.test(m.manifest)) continue
      t.equal(join(configDir, m.manifest).startsWith(join(dirname(configDir), 'members')), true, `${m.manifest} resolves into the members mount`)
    }
  })

  t.test('PDB, HPA and NetworkPolicy select the gateway', async (t) => {
    const labels = deployment.spec.template.metadata.labels as Obj
    const pdb = find(base, 'PodDisruptionBudget')
    t.same(pdb.spec.selector.matchLabels, labels)
    const hpa = find(base, 'HorizontalPodAutoscaler')
    t.same(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name })
    t.ok(hpa.spec.minReplicas >= 2, 'at least two pods, so one can drain')
    const policy = find(base, 'NetworkPolicy')
    t.same(policy.spec.podSelector.matchLabels, labels)
    t.same(policy.spec.policyTypes, ['Ingress', 'Egress'])
    t.ok(policy.spec.ingress.some((r: Obj) => r.ports.some((p: Obj) => p.port === Number(env.PORT?.value))), 'ingress to the container port')
    const egress = policy.spec.egress as Obj[]
    const ports = egress.flatMap((r) => r.ports.map((p: Obj) => `${p.protocol}/${p.port}`))
    t.same([...new Set(ports)].sort(), ['TCP/443', 'TCP/53', 'TCP/6379', 'TCP/80', 'UDP/53'], 'DNS, Redis, member hosts: nothing else')
    const blocks = egress.flatMap((r) => r.to.filter((to: Obj) => to.ipBlock).map((to: Obj) => to.ipBlock.cidr))
    t.ok(blocks.length > 0 && blocks.every((c: string) => /^(192\.0\.2|198\.51\.100|203\.0\.113)\./.test(c)), 'member ipBlocks are documentation-range placeholders')
    t.notOk(blocks.includes('0.0.0.0/0'), 'no open egress')
  })

  t.test('overlays/sentinel: Redis via Sentinel', async (t) => {
    const c = find(sentinel, 'Deployment').spec.template.spec.containers[0] as Obj
    const e = envOf(c)
    t.notOk(e.REDIS_URL, 'REDIS_URL removed')
    const target = redisTargetFromEnv({ REDIS_SENTINELS: e.REDIS_SENTINELS?.value, REDIS_SENTINEL_NAME: e.REDIS_SENTINEL_NAME?.value })
    t.equal(target?.kind, 'sentinel', 'the gateway reads it as a Sentinel target')
    const sentinelPorts = new Set(String(e.REDIS_SENTINELS?.value).split(',').map((h) => Number(h.split(':')[1])))
    const egress = find(sentinel, 'NetworkPolicy').spec.egress as Obj[]
    for (const p of sentinelPorts) t.ok(egress.some((r) => r.ports.some((q: Obj) => q.port === p)), `egress to sentinel port ${p}`)
    t.ok(e.REDIS_PASSWORD?.valueFrom?.secretKeyRef, 'password still a secret reference')
  })

  t.test('optional Ingress: the public host and the PROXY_BASE_DOMAIN wildcard', async (t) => {
    const hosts = (optional.spec.rules as Obj[]).map((r) => r.host)
    t.ok(hosts.some((h: string) => h.startsWith('*.')), 'a wildcard host for per-member origins')
    t.same([...optional.spec.tls[0].hosts].sort(), [...hosts].sort(), 'TLS covers every host')
    t.equal(optional.spec.rules[0].http.paths[0].backend.service.name, find(base, 'Service').metadata.name)
  })
})
