// The structural pre-check and the issue bounds (issue 12 finding 3).
import t from 'tap'
import { checkStructure, FALLBACK_MAX_NODES, schemaMaxNodes } from '../../src/manifest/structure.js'
import { boundIssues, MAX_ISSUES } from '../../src/manifest/issues.js'
import { Manifest } from '../../src/manifest/schema.js'

const schema = {
  type: 'object', additionalProperties: false,
  properties: { list: { type: 'array', maxItems: 3, items: { type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } } } },
}

t.test('schemaMaxNodes follows properties and maxItems; open schemas are unbounded', async (t) => {
  t.equal(schemaMaxNodes(schema), 1 + 1 + 3 * 2)
  t.equal(schemaMaxNodes({ type: 'array', items: { type: 'string' } }), Infinity)
  t.equal(schemaMaxNodes({ type: 'object', properties: {} }), Infinity)
  // the pre-check uses the schema's own bound only while it is below the fallback
  t.ok(schemaMaxNodes(Manifest) < FALLBACK_MAX_NODES, 'the manifest schema bounds its documents')
})

t.test('checkStructure: too long arrays, too many values, too deep; a valid shape passes', async (t) => {
  t.same(checkStructure({ list: [{ a: 'x' }, {}] }, schema, 100), [])
  t.same(checkStructure({ list: [{}, {}, {}, {}] }, schema, 100), [{ path: '/list', message: 'must have at most 3 entries (has 4)' }])
  t.same(checkStructure({ list: [{ a: 'x', b: [1, 2, 3, 4, 5] }] }, schema, 5), [{ path: '', message: 'has more than 5 values (more than any valid manifest can hold)' }])
  let deep: unknown = 1
  for (let i = 0; i < 100; i++) deep = { x: deep }
  t.match(checkStructure(deep, schema, 1000), [{ message: /nested more than 64 levels/ }])
  t.same(checkStructure({ 'a/b~c': [] }, { type: 'object', properties: { 'a/b~c': { type: 'array', maxItems: 0 } } }, 10), [])
  t.same(checkStructure({ 'a/b~c': [1] }, { type: 'object', properties: { 'a/b~c': { type: 'array', maxItems: 0 } } }, 10), [{ path: '/a~1b~0c', message: 'must have at most 0 entries (has 1)' }])
})

t.test('boundIssues: 50 issues and "and N more", long texts cut, idempotent', async (t) => {
  const many = Array.from({ length: 120 }, (_, i) => ({ path: `/s/${i}`, message: 'x'.repeat(i === 0 ? 5000 : 3) }))
  const bounded = boundIssues(many)
  t.equal(bounded.length, MAX_ISSUES + 1)
  t.same(bounded[MAX_ISSUES], { path: '', message: 'and 70 more error(s) not listed' })
  t.ok(bounded[0]!.message.length <= 300)
  t.same(boundIssues(bounded), bounded, 'bounding twice changes nothing')
  t.same(boundIssues(many.slice(1, 4)), many.slice(1, 4), 'few short issues pass unchanged')
})
