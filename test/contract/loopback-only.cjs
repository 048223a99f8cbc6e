// Preloaded (NODE_OPTIONS=--require) into tools the contract tests run, such
// as redocly: any connection to an address outside the loopback range fails
// the process, so a tool that wants the network cannot pass quietly.
'use strict'
const net = require('node:net')
const dns = require('node:dns')
const loopback = (host) => host === undefined || host === 'localhost' || /^127\./.test(host) || host === '::1' || host === '[::1]'
function refuse(host) {
  process.stderr.write(`loopback-only: refused a connection to ${host}\n`)
  process.exit(97)
}
const connect = net.Socket.prototype.connect
net.Socket.prototype.connect = function (...args) {
  const options = typeof args[0] === 'object' && args[0] !== null ? (Array.isArray(args[0]) ? args[0][0] : args[0]) : { host: args[1] }
  if (options && options.path === undefined && !loopback(options.host)) refuse(options.host)
  return connect.apply(this, args)
}
const lookup = dns.lookup
dns.lookup = function (host, ...rest) {
  if (!loopback(host)) refuse(host)
  return lookup.call(this, host, ...rest)
}
