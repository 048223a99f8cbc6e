// Finishing touches on the generated OpenAPI document that route schemas
// cannot express without changing runtime behaviour: the manifest request
// body (a body schema would let Fastify's Ajv coerce the manifest before our
// validator sees it) and the problem+json media type of error responses
// (their serialisation is the problem handler's, not the route's).
type Json = Record<string, unknown>

const MANIFEST_PATH = '/api/v1/admin/members/{id}/manifest'

export function finishOpenApi(doc: Json): Json {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Json>>
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      const responses = (operation.responses ?? {}) as Record<string, Json>
      for (const [status, response] of Object.entries(responses)) {
        const content = response.content as Record<string, unknown> | undefined
        if (Number(status) >= 400 && content?.['application/json'] !== undefined) {
          response.content = { 'application/problem+json': content['application/json'] }
        }
      }
    }
  }
  const put = paths[MANIFEST_PATH]?.put
  if (put) {
    put.requestBody = {
      required: true,
      description: 'the member\'s service manifest; JSON Schema at /schemas/manifest.json, example: members/gladbeck.json',
      content: { 'application/json': { schema: { $ref: '/schemas/manifest.json' } } },
    }
  }
  const get = paths[MANIFEST_PATH]?.get
  const getResponses = get?.responses as Record<string, Json> | undefined
  if (getResponses && !getResponses['200']) {
    getResponses['200'] = {
      description: 'the stored manifest (last known good); X-Dachportal-Member-Status: ok, stale or failed',
      content: { 'application/json': { schema: { $ref: '/schemas/manifest.json' } } },
    }
  }
  return doc
}
