// The part of kustomize that deploy/kubernetes uses, for machines without
// kubectl (whose built-in kustomize is the reference: the Kubernetes test
// compares both when kubectl is there). Supported: resources (files and
// directories), configMapGenerator with `key=path` files (name suffixed with
// a content hash, references in Deployments rewritten), and patches: a
// strategic-merge patch (maps merge, lists of objects merge by `name`,
// `$patch: delete` removes an entry) or a JSON 6902 `add`/`replace`/`remove`
// list with a kind/name target. Anything else throws, so the renderer never
// silently differs.
import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parse, parseAllDocuments } from 'yaml'

type Obj = Record<string, any>

const KNOWN = new Set(['apiVersion', 'kind', 'resources', 'configMapGenerator', 'patches'])

export function renderKustomization(dir: string): Obj[] {
  const path = join(dir, 'kustomization.yaml')
  const k = parse(readFileSync(path, 'utf8')) as Obj
  for (const key of Object.keys(k)) if (!KNOWN.has(key)) throw new Error(`${path}: ${key} is not supported by this renderer`)
  const objects: Obj[] = []
  for (const resource of (k.resources ?? []) as string[]) {
    const target = join(dir, resource)
    if (statSync(target).isDirectory()) objects.push(...renderKustomization(target))
    else objects.push(...parseAllDocuments(readFileSync(target, 'utf8')).map((d) => d.toJSON() as Obj).filter(Boolean))
  }
  const renamed = new Map<string, string>()
  for (const gen of (k.configMapGenerator ?? []) as Obj[]) {
    const data: Record<string, string> = {}
    for (const entry of gen.files as string[]) {
      const [key, file] = entry.includes('=') ? entry.split('=') as [string, string] : [entry.split('/').pop()!, entry]
      data[key] = readFileSync(join(dir, file), 'utf8')
    }
    const hash = createHash('sha256').update(JSON.stringify(data)).digest('hex').slice(0, 10)
    renamed.set(gen.name, `${gen.name}-${hash}`)
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${gen.name}-${hash}` }, data })
  }
  for (const obj of objects) {
    for (const volume of (obj.spec?.template?.spec?.volumes ?? []) as Obj[]) {
      const name = volume.configMap?.name
      if (name !== undefined && renamed.has(name)) volume.configMap.name = renamed.get(name)
    }
  }
  for (const patch of (k.patches ?? []) as Obj[]) {
    const doc = parse(readFileSync(join(dir, patch.path), 'utf8')) as Obj | Obj[]
    if (Array.isArray(doc)) {
      const target = objects.find((o) => o.kind === patch.target?.kind && o.metadata?.name === patch.target?.name)
      if (!target) throw new Error(`${patch.path}: no target`)
      for (const op of doc) applyJsonPatch(target, op)
    } else {
      const target = objects.find((o) => o.kind === doc.kind && o.metadata?.name === doc.metadata?.name)
      if (!target) throw new Error(`${patch.path}: no ${doc.kind} ${doc.metadata?.name}`)
      strategicMerge(target, doc)
    }
  }
  return objects
}

function strategicMerge(target: Obj, patch: Obj): void {
  for (const [key, value] of Object.entries(patch)) {
    const current = target[key]
    if (Array.isArray(value) && Array.isArray(current) && value.every((v) => typeof v?.name === 'string')) {
      const added: Obj[] = []
      for (const item of value as Obj[]) {
        const at = current.findIndex((c: Obj) => c?.name === item.name)
        if (item.$patch === 'delete') {
          if (at !== -1) current.splice(at, 1)
        } else if (at === -1) added.push(item)
        else strategicMerge(current[at] as Obj, item)
      }
      current.unshift(...added) // kustomize puts new list entries first
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value) && current !== null && typeof current === 'object' && !Array.isArray(current)) {
      strategicMerge(current as Obj, value as Obj)
    } else target[key] = value
  }
}

function applyJsonPatch(target: Obj, op: Obj): void {
  const parts = String(op.path).split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
  const last = parts.pop()!
  let parent: any = target
  for (const p of parts) parent = parent[Array.isArray(parent) ? Number(p) : p]
  if (parent === undefined) throw new Error(`json patch: no ${op.path}`)
  if (op.op === 'add' && Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, op.value)
  else if (op.op === 'add' || op.op === 'replace') parent[last] = op.value
  else if (op.op === 'remove') Array.isArray(parent) ? parent.splice(Number(last), 1) : delete parent[last]
  else throw new Error(`json patch: ${op.op} is not supported`)
}
