// Stands in for the catalog plugin when a test registers one route plugin on
// a bare Fastify: registers under the catalog plugin's name (the route
// plugins list it in `dependencies`) and decorates what the test gives.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { CATALOG_PLUGIN } from '../../src/lifecycle/catalog-plugin.js'

type Services = Partial<Pick<FastifyInstance, 'live' | 'store' | 'refresher' | 'searchIndex'>>

export function catalogStub(services: Services) {
  return fp(async (app: FastifyInstance) => {
    for (const [name, value] of Object.entries(services)) app.decorate(name, value as unknown)
  }, { name: CATALOG_PLUGIN })
}
