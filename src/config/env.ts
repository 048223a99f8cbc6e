// Environment -> typed settings. Every knob the gateway understands is read
// here and nowhere else (the compose-file test checks against ENV_VARS).
import { resolve } from 'node:path'

export interface Settings {
  port: number
  host: string
  regionConfig: string
  dataDir: string
  redisUrl?: string
  redisPrefix: string
  logLevel: string
  production: boolean
  adminBodyLimitBytes: number
}

export const ENV_VARS = [
  'PORT', 'HOST', 'REGION_CONFIG', 'DATA_DIR', 'REDIS_URL', 'REDIS_PREFIX', 'LOG_LEVEL', 'NODE_ENV',
  'ADMIN_BODY_LIMIT',
] as const

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer between ${min} and ${max}, got "${raw}"`)
  return n
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const settings: Settings = {
    port: int(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    regionConfig: resolve(env.REGION_CONFIG || 'config/region.json'),
    dataDir: resolve(env.DATA_DIR || 'data'),
    redisPrefix: env.REDIS_PREFIX || 'dachportal:',
    logLevel: env.LOG_LEVEL || 'info',
    production: env.NODE_ENV === 'production',
    adminBodyLimitBytes: int(env, 'ADMIN_BODY_LIMIT', 1024 * 1024, 1024, 50 * 1024 * 1024),
  }
  if (env.REDIS_URL) settings.redisUrl = env.REDIS_URL
  return settings
}
