// The one network guard (src/net/address-guard.ts): which addresses the
// gateway refuses to connect to, the URL + address rule for manifest fetches
// and proxy upstreams, and the lookup that checks every DNS answer.
import t from 'tap'
import { BlockedAddressError, blockedReason, checkTarget, createGuardedLookup } from '../../src/net/address-guard.js'

t.test('refuses every non-public address family', async (t) => {
  const blocked = [
    '127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '100.127.255.254',
    '169.254.169.254', '169.254.1.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '192.0.2.10',
    '::1', '::', 'fc00::1', 'fd00:ec2::254', 'fdff:ffff::1', 'fe80::1', 'fe80::1%eth0', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '::ffff:10.0.0.1', '::127.0.0.1',
    '::ffff:0.0.0.0', '::ffff:100.64.0.1', '64:ff9b::a9fe:a9fe', '0:0:0:0:0:ffff:c0a8:0101', '2002:7f00:1::1',
  ]
  for (const address of blocked) t.ok(blockedReason(address), `${address} refused (${blockedReason(address)})`)
  t.equal(blockedReason('169.254.169.254'), 'link-local / cloud metadata')
  t.equal(blockedReason('::ffff:192.168.0.1'), 'private network')
  t.equal(blockedReason('100.64.0.1'), 'carrier-grade NAT')
  t.equal(blockedReason('0.0.0.0'), 'unspecified')
  t.equal(blockedReason('::'), 'unspecified')
  t.equal(blockedReason('fd12:3456::1'), 'unique local')
  t.equal(blockedReason('not-an-ip'), 'not an IP address')
})

t.test('allows public addresses, also just outside the blocked ranges', async (t) => {
  const allowed = [
    '8.8.8.8', '195.145.1.1', '172.32.0.1', '100.128.0.1', '100.63.255.255', '169.253.255.255', '169.255.0.1',
    '2a00:1450:4001::1', '::ffff:8.8.8.8', 'fbff::1',
  ]
  for (const address of allowed) t.equal(blockedReason(address), undefined, `${address} allowed`)
})

t.test('checkTarget: https without credentials, no non-public literal', async (t) => {
  t.match(checkTarget('https://portal.example/m.json', false), { ok: true, url: { host: 'portal.example' } })
  t.match(checkTarget('https://8.8.8.8/m.json', false), { ok: true })
  t.match(checkTarget('not a url', false), { ok: false, problem: 'not-a-url' })
  t.match(checkTarget('http://portal.example/', false), { ok: false, problem: 'not-https', url: { protocol: 'http:' } })
  t.match(checkTarget('ftp://portal.example/', false), { ok: false, problem: 'not-https' })
  t.match(checkTarget('https://user:pw@portal.example/', false), { ok: false, problem: 'credentials' })
  t.match(checkTarget('https://user@portal.example/', false), { ok: false, problem: 'credentials' })
  const literals: [string, string, string][] = [
    ['https://127.0.0.1:8443/m.json', '127.0.0.1', 'loopback'],
    ['https://[::1]/', '::1', 'loopback'],
    ['https://0.0.0.0/', '0.0.0.0', 'unspecified'],
    ['https://[::]/', '::', 'unspecified'],
    ['https://[::ffff:127.0.0.1]/', '::ffff:7f00:1', 'loopback'],
    ['https://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe', 'link-local / cloud metadata'],
    ['https://[fc00::1]/', 'fc00::1', 'unique local'],
    ['https://[fd00:ec2::254]/', 'fd00:ec2::254', 'unique local'],
    ['https://169.254.169.254/latest/meta-data/', '169.254.169.254', 'link-local / cloud metadata'],
    ['https://100.64.0.1/', '100.64.0.1', 'carrier-grade NAT'],
    ['https://10.0.0.1/', '10.0.0.1', 'private network'],
    // the URL parser normalises these IPv4 spellings, so they are caught too
    ['https://2130706433/', '127.0.0.1', 'loopback'],
    ['https://0x7f.1/', '127.0.0.1', 'loopback'],
  ]
  for (const [raw, address, reason] of literals) {
    t.match(checkTarget(raw, false), { ok: false, problem: 'private-address', address, reason }, raw)
  }
})

t.test('checkTarget: allowPrivateNetwork (tests only) allows http and private addresses, nothing else', async (t) => {
  t.match(checkTarget('http://127.0.0.1:8080/m.json', true), { ok: true, url: { port: '8080' } })
  t.match(checkTarget('https://[::1]/', true), { ok: true })
  t.match(checkTarget('https://10.0.0.1/', true), { ok: true })
  t.match(checkTarget('ftp://127.0.0.1/', true), { ok: false, problem: 'not-https' })
  t.match(checkTarget('http://user:pw@127.0.0.1/', true), { ok: false, problem: 'credentials' })
  t.match(checkTarget('http://127.0.0.1/', false), { ok: false, problem: 'not-https' }, 'without it, http is refused first')
})

const lookupWith = (lookup: ReturnType<typeof createGuardedLookup>, host: string, all: boolean) =>
  new Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family?: number | undefined }>((resolve) =>
    lookup(host, { all }, (error, address, family) => resolve({ error, address, family })))

t.test('the guarded lookup refuses names and literals that resolve to non-public addresses', async (t) => {
  const refusals: string[][] = []
  const lookup = createGuardedLookup((hostname, address, reason) => {
    refusals.push([hostname, address, reason])
    return new BlockedAddressError(`refused: ${hostname} resolves to ${address} (${reason})`, 'DP_TEST_BLOCKED')
  })
  const byName = await lookupWith(lookup, 'localhost', true)
  t.match(byName.error, { code: 'DP_TEST_BLOCKED', message: /^refused: localhost resolves to .* \(loopback\)$/ })
  t.same(byName.address, [], 'no address handed to the socket')
  const byLiteral = await lookupWith(lookup, '127.0.0.1', false)
  t.match(byLiteral.error, { code: 'DP_TEST_BLOCKED', message: 'refused: 127.0.0.1 resolves to 127.0.0.1 (loopback)' })
  t.same(refusals.map(([host, , reason]) => [host, reason]), [['localhost', 'loopback'], ['127.0.0.1', 'loopback']])
})
