import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { adminRoutes } from './admin/routes.js';
import { installErrorHandlers } from './platform/errors.js';
import { installMetrics } from './platform/metrics.js';
import { recordingRoutes } from './recordings/routes.js';
import { webhookRoutes } from './webhooks/routes.js';
import { analysisRoutes } from './analysis/routes.js';
import { searchRoutes } from './search/routes.js';
import { assignmentRoutes } from './assignment/routes.js';
import { inquiryRoutes } from './inquiries/routes.js';
import { coachingRoutes } from './coaching/routes.js';
import { consoleRoutes } from './console/routes.js';
import { contentRoutes } from './content/routes.js';
import { signalRoutes } from './signals/routes.js';
import { closeAllStreams } from './signals/stream.js';
import { trackerRoutes } from './signals/tracker/routes.js';
import type { Runtime } from './runtime.js';

export const loggerOptions = (level: string): FastifyServerOptions['logger'] => ({
  level,
  redact: ['req.headers.authorization'],
});

/** Builds the HTTP app over a started runtime: platform plugins first, then each feature's routes. */
export async function buildApp(runtime: Runtime, logger: FastifyServerOptions['logger'] | FastifyInstance['log'] = false): Promise<FastifyInstance> {
  const { config } = runtime;
  const app = Fastify({
    ...(typeof logger === 'object' && logger && 'child' in logger ? { loggerInstance: logger } : { logger }),
    bodyLimit: Math.max(1, Math.floor(config.MAX_JSON_BODY_MB * 1024 * 1024)),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    trustProxy: false,
    // Ids in paths may be up to 200 characters (lead ids); Fastify's default of 100 would answer a
    // longer one with its own 414 instead of the API's validation error.
    routerOptions: { maxParamLength: 1000 },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  installErrorHandlers(app);

  // Cookies carry the console's session (src/platform/sessions.ts), which the API accepts too.
  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: config.MAX_UPLOAD_MB * 1024 * 1024, files: 1 } });
  await app.register(swagger, {
    openapi: {
      info: { title: 'dealsense API', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  installMetrics(app);

  app.get('/health', { schema: { tags: ['platform'], summary: 'Database and queue reachability' } }, async (_req, reply) => {
    const [db, queue] = await Promise.all([
      runtime.db.ping().catch(() => false),
      runtime.queue.ping().catch(() => false),
    ]);
    const ok = db && queue;
    return reply.status(ok ? 200 : 503).send({
      status: ok ? 'ok' : 'degraded',
      db: { ok: db, kind: runtime.db.kind },
      queue: { ok: queue, kind: runtime.queue.kind },
    });
  });

  await app.register(adminRoutes(runtime.db));
  await app.register(recordingRoutes(runtime));
  await app.register(webhookRoutes(runtime.db));
  await app.register(analysisRoutes(runtime));
  await app.register(searchRoutes(runtime));
  await app.register(assignmentRoutes(runtime));
  await app.register(inquiryRoutes(runtime));
  await app.register(coachingRoutes(runtime));
  await app.register(consoleRoutes(runtime), { prefix: '/console' });
  await app.register(contentRoutes(runtime));
  await app.register(signalRoutes(runtime));
  await app.register(trackerRoutes());
  // Open SSE streams would keep the server from closing.
  app.addHook('preClose', async () => closeAllStreams());
  return app;
}
