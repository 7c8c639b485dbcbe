import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config.js';
import { embeddings } from '../analysis/service.js';
import { requireScope, tenantOf } from '../platform/auth.js';
import type { Db } from '../platform/db.js';
import { searchCalls } from './service.js';

const query = z
  .object({
    q: z.string().trim().min(1, 'q must not be empty').max(500),
    limit: z.coerce.number().int().min(1).max(50).default(10),
  })
  .strict();

export const searchRoutes = (deps: { db: Db; config: Config }): FastifyPluginAsync => async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get('/v1/search/calls', {
    onRequest: requireScope(deps.db, 'read'),
    schema: {
      tags: ['search'],
      summary: 'Semantic + keyword search over transcripts; calls with their best-matching segments and timestamps',
      querystring: query,
    },
    handler: async (request) => {
      const provider = await embeddings(deps.config);
      const items = await searchCalls(deps.db, provider, tenantOf(request), request.query.q, request.query.limit);
      return { query: request.query.q, engine: provider.name, items };
    },
  });
};
