// Every schema an operation answers with, by name: registered once on the
// root instance (app.addSchema), referenced from the routes by $id, and so
// listed under components.schemas of the OpenAPI document, where generated
// clients find them as named types.
import { ServicePage, sharedSchemas } from './schemas.js'
import { LifeSituationDetail, LifeSituationPage } from './catalog.js'
import { MemberDetail, MemberPage, RegionSchema } from './region.js'
import { OnlineServicePage } from './online-services.js'
import { ResponsibilitySchema } from './responsibility.js'
import { routingSchemas } from './routing.js'
import { SearchResponse, SuggestResponse } from './search.js'
import { adminSchemas } from './admin.js'
import { curatorSchemas } from './curator.js'
import { HealthSchema, ReadySchema } from './health.js'
import { InsightsReportSchema } from '../insights/routes.js'
import { CoverageSchema } from '../coverage/routes.js'
import { fitConnectSchemas } from '../fit-connect/schemas.js'

export const namedSchemas: readonly { $id?: string }[] = [
  ...sharedSchemas,
  RegionSchema, MemberPage, MemberDetail,
  LifeSituationPage, LifeSituationDetail, ServicePage,
  OnlineServicePage, ResponsibilitySchema, ...routingSchemas, ...fitConnectSchemas,
  SearchResponse, SuggestResponse,
  ...adminSchemas, ...curatorSchemas, InsightsReportSchema, CoverageSchema,
  HealthSchema, ReadySchema,
]
