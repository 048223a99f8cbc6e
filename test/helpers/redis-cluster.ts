// A real Redis Cluster on loopback for one test: cluster-enabled
// redis-servers (each its own directory and nodes.conf) joined with
// `redis-cli --cluster create`. Skips loudly without the binaries, unless
// REQUIRE_REDIS=1 (CI).
import { spawn, spawnSync } from 'node:child_process'
import type { Test } from 'tap'
import { redisAvailable, requireTools, startRedis, type RedisServer } from './redis.js'
import { command, until } from './redis-sentinel.js'

type Tap = Pick<Test, 'fail' | 'teardown' | 'comment'>

let available: boolean | undefined
export function clusterAvailable(): boolean {
  available ??= redisAvailable() && spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status === 0
  return available
}

export function requireCluster(t: Tap): boolean {
  return requireTools(t, clusterAvailable(), { missing: 'redis-server or redis-cli', tests: 'Redis Cluster tests', install: 'apt-get install redis-server' })
}

export interface ClusterOptions {
  masters?: number
  replicasPerMaster?: number
}

export interface RedisCluster {
  servers: RedisServer[]
  nodes: { host: string; port: number }[]
  /** what a gateway needs: seed nodes and a hash-tagged prefix */
  env: { REDIS_CLUSTER_NODES: string; REDIS_PREFIX: string }
}

export const CLUSTER_PREFIX = '{dachportal}:'

export async function startCluster(t: Tap, options: ClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3
  const replicas = options.replicasPerMaster ?? 1
  const args = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '3000']
  const servers = await Promise.all(Array.from({ length: masters * (1 + replicas) }, () => startRedis(t, { args })))
  const nodes = servers.map((server) => ({ host: '127.0.0.1', port: server.port }))
  const create = spawn('redis-cli', [
    '--cluster', 'create', ...nodes.map((n) => `${n.host}:${n.port}`),
    '--cluster-replicas', String(replicas), '--cluster-yes',
  ], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  create.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  create.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => create.on('exit', resolve))
  if (code !== 0) throw new Error(`redis-cli --cluster create failed (${code}): ${output.slice(-2000)}`)
  // every node must agree the cluster is whole before clients connect
  for (const node of nodes) {
    await until(async () => /cluster_state:ok/.test(String(await command(node.port, ['CLUSTER', 'INFO']))), `cluster state ok on ${node.port}`)
  }
  return {
    servers,
    nodes,
    env: { REDIS_CLUSTER_NODES: nodes.map((n) => `${n.host}:${n.port}`).join(','), REDIS_PREFIX: CLUSTER_PREFIX },
  }
}
