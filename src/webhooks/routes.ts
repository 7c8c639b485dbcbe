import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireScope, tenantOf } from '../platform/auth.js';
import type { Db } from '../platform/db.js';
import { notFound } from '../platform/errors.js';
import { EVENT_TYPES } from '../platform/outbox.js';
import * as repo from './repo.js';

const createBody = z
  .object({
    url: z.url({ protocol: /^https?$/, message: 'url must be an http(s) URL' }).max(2000),
    events: z.array(z.enum(EVENT_TYPES)).min(1).max(EVENT_TYPES.length),
    secret: z.string().min(16, 'secret must be at least 16 characters').max(200).optional(),
  })
  .strict();
const idParams = z.object({ id: z.uuid({ message: 'id must be a webhook id (UUID)' }) });

const endpointView = (e: repo.EndpointRow) => ({ id: e.id, url: e.url, events: e.events, createdAt: new Date(e.created_at).toISOString() });

export const webhookRoutes = (db: Db): FastifyPluginAsync => async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const admin = requireScope(db, 'admin');

  app.post('/v1/webhooks', {
    onRequest: admin,
    schema: {
      tags: ['webhooks'],
      summary: 'Subscribe a URL to events; the signing secret is returned once',
      description: 'Deliveries are POSTs signed with `X-Dealsense-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`; `X-Dealsense-Delivery` is stable across retries.',
      body: createBody,
    },
    handler: async (request, reply) => {
      const secret = request.body.secret ?? `whsec_${randomBytes(24).toString('base64url')}`;
      const events = [...new Set(request.body.events)];
      const row = await repo.insertEndpoint(db, { tenant_id: tenantOf(request), url: request.body.url, events, secret });
      return reply.status(201).send({ ...endpointView(row), secret });
    },
  });

  app.get('/v1/webhooks', {
    onRequest: admin,
    schema: { tags: ['webhooks'], summary: 'Active webhook endpoints (secrets are not shown again)' },
    handler: async (request) => ({ items: (await repo.listEndpoints(db, tenantOf(request))).map(endpointView) }),
  });

  app.delete('/v1/webhooks/:id', {
    onRequest: admin,
    schema: { tags: ['webhooks'], summary: 'Stop delivering to an endpoint', params: idParams },
    handler: async (request, reply) => {
      if (!(await repo.deactivateEndpoint(db, tenantOf(request), request.params.id))) throw notFound('webhook');
      return reply.status(204).send();
    },
  });

  app.get('/v1/webhooks/:id/deliveries', {
    onRequest: admin,
    schema: {
      tags: ['webhooks'],
      summary: 'Delivery log of one endpoint, newest first',
      params: idParams,
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }).strict(),
    },
    handler: async (request) => {
      const tenantId = tenantOf(request);
      if (!(await repo.findEndpoint(db, tenantId, request.params.id))) throw notFound('webhook');
      const rows = await repo.listDeliveries(db, tenantId, request.params.id, request.query.limit);
      return { items: rows.map(deliveryView) };
    },
  });

  app.get('/v1/wecom/deliveries', {
    onRequest: admin,
    schema: {
      tags: ['webhooks'],
      summary: 'WeCom group-robot delivery log, newest first (a robot that keeps failing shows its errcode here)',
      querystring: z
        .object({
          eventId: z.uuid({ message: 'eventId must be an event id (UUID)' }).optional(),
          status: z.enum(['pending', 'delivered', 'failed']).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        })
        .strict(),
    },
    handler: async (request) => {
      const tenantId = tenantOf(request);
      const { eventId } = request.query;
      if (eventId && !(await repo.findEvent(db, eventId, tenantId))) throw notFound('event');
      return { items: (await repo.listChannelDeliveries(db, tenantId, 'wecom', request.query)).map(deliveryView) };
    },
  });
};

type LoggedDelivery = Pick<repo.DeliveryRow, 'id' | 'event_id' | 'status' | 'attempts' | 'last_status' | 'last_error' | 'delivered_at' | 'created_at'> & { type: string };

const deliveryView = (d: LoggedDelivery) => ({
  id: d.id,
  eventId: d.event_id,
  type: d.type,
  status: d.status,
  attempts: d.attempts,
  lastStatus: d.last_status,
  lastError: d.last_error,
  deliveredAt: d.delivered_at ? new Date(d.delivered_at).toISOString() : null,
  createdAt: new Date(d.created_at).toISOString(),
});
