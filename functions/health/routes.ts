import type { RouteSpecs } from '../common/http/route-spec';
import { healthSchema } from '../common/schemas/health';

export const healthRoutes = {
  health: {
    method: 'GET',
    path: '/healthz',
    auth: 'public',
    summary: 'Health check',
    responses: {
      200: { description: 'The API can reach its stores.', schema: healthSchema },
      503: { description: 'The stores cannot be reached.' },
    },
  },
} satisfies RouteSpecs;
