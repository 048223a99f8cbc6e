// The curator's list on the command line (issue 27): what a running gateway
// answers at GET /api/v1/admin/catalog/uncurated, printed one service a line
// block, most offered first. It asks the gateway, so it shows the live
// catalog (registrations and XZuFi feeds included), not just bundled files.
//   REGION_ADMIN_TOKEN=... npm run catalog:uncurated -- [--url http://127.0.0.1:3000] [--limit 50] [--json]
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const USAGE = 'usage: REGION_ADMIN_TOKEN=<token> npm run catalog:uncurated -- [--url <gateway>] [--limit N] [--json]'

/** The list as text lines. Pure. */
export function formatUncurated(list) {
  const lines = [`${list.total} uncurated service(s) in catalog version ${list.version}${list.services.length < list.total ? ` (first ${list.services.length})` : ''}`]
  for (const s of list.services) {
    lines.push('', `${s.id}  ${s.name}  (${s.offeringCount} offering(s): ${s.members.join(', ')})`)
    lines.push(`  name from: ${s.nameSource === 'leika' ? 'LeiKa Leistungsbezeichnung' : 'most members'}; names used: ${s.names.map((n) => `"${n.name}" ×${n.count}`).join(', ')}`)
    lines.push(`  Lebenslagen: ${s.lifeSituations.join(', ') || '–'}`)
    for (const d of s.disagreements) lines.push(`  ! ${d}`)
  }
  return lines
}

export async function run(argv, env, out, err) {
  let url = env.DACHPORTAL_URL ?? 'http://127.0.0.1:3000'
  let limit
  let json = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--url') url = argv[++i] ?? ''
    else if (arg === '--limit') limit = argv[++i]
    else if (arg === '--json') json = true
    else if (arg === '--help' || arg === '-h') { out(USAGE); return 0 }
    else { err(`unknown option ${arg}\n${USAGE}`); return 2 }
  }
  const token = env.REGION_ADMIN_TOKEN
  if (!token) { err(`REGION_ADMIN_TOKEN is not set\n${USAGE}`); return 2 }
  const target = new URL('/api/v1/admin/catalog/uncurated', url)
  if (limit !== undefined) target.searchParams.set('limit', limit)
  let res
  try {
    res = await fetch(target, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } })
  } catch (error) {
    err(`✗ ${target.origin}: ${error.cause?.code ?? error.message}`)
    return 1
  }
  const body = await res.json().catch(() => undefined)
  if (!res.ok) { err(`✗ ${res.status}: ${body?.detail ?? body?.title ?? 'no answer'}`); return 1 }
  if (json) out(JSON.stringify(body, null, 2))
  else for (const line of formatUncurated(body)) out(line)
  return 0
}

const direct = (() => {
  try { return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href } catch { return false }
})()
if (direct) {
  run(process.argv.slice(2), process.env, (l) => process.stdout.write(`${l}\n`), (l) => process.stderr.write(`${l}\n`))
    .then((code) => { process.exitCode = code })
}
