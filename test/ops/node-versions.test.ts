// The Node versions stated, shipped and tested agree: the image's Node is the
// one CI installs for its second run, and `engines` names both CI runs.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO } from '../helpers/region.js'

const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8')
const ci = readFileSync(join(REPO, '.ci/run'), 'utf8')
const engines = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node

const majorsIn = (range: string) => range.split('||').map((part) => Number(/\d+/.exec(part)?.[0]))

t.test('the image runs the Node major CI installs, and engines names it', async (t) => {
  const images = [...dockerfile.matchAll(/^FROM node:(\d+)-/gm)].map((m) => Number(m[1]))
  t.ok(images.length >= 2, 'build and runtime stages name their Node')
  // the install command itself, not a comment about it
  const installed = [...ci.matchAll(/^npm install .*"\$\{node_pkg\}@(\d+)"/gm)].map((m) => Number(m[1]))
  t.ok(installed.length > 0, '.ci/run installs a Node from the npm registry')
  for (const major of images) {
    t.ok(installed.includes(major), `node:${major} in the image is the Node CI tests (${installed.join(', ')})`)
    t.ok(majorsIn(engines).includes(major), `engines (${engines}) names ${major}`)
  }
})

t.test('engines names the Node this suite runs on', async (t) => {
  const major = Number(process.versions.node.split('.')[0])
  t.ok(majorsIn(engines).includes(major), `engines (${engines}) names Node ${major}`)
})
