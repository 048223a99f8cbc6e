import t from 'tap'
import { blockedReason, guardedLookup } from '../../src/refresh/address-guard.js'

t.test('refuses every non-public address family', async (t) => {
  const blocked = [
    '127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '100.127.255.254',
    '169.254.169.254', '169.254.1.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '192.0.2.10',
    '::1', '::', 'fc00::1', 'fd00:ec2::254', 'fe80::1', 'fe80::1%eth0', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '::ffff:10.0.0.1', '::127.0.0.1',
    '64:ff9b::a9fe:a9fe', '0:0:0:0:0:ffff:c0a8:0101', '2002:7f00:1::1',
  ]
  for (const address of blocked) t.ok(blockedReason(address), `${address} refused (${blockedReason(address)})`)
  t.equal(blockedReason('169.254.169.254'), 'link-local / cloud metadata')
  t.equal(blockedReason('::ffff:192.168.0.1'), 'private network')
})

t.test('allows public addresses', async (t) => {
  for (const address of ['8.8.8.8', '195.145.1.1', '172.32.0.1', '100.128.0.1', '2a00:1450:4001::1', '::ffff:8.8.8.8']) {
    t.equal(blockedReason(address), undefined, `${address} allowed`)
  }
})

t.test('the lookup refuses names that resolve to loopback', async (t) => {
  const error = await new Promise<Error | null>((resolve) => guardedLookup('localhost', { all: true }, (e) => resolve(e)))
  t.match(error, { code: 'DP_REFRESH_BLOCKED_ADDRESS', message: /^refused: localhost resolves to .* \(loopback\)$/ })
})
