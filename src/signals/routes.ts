import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getLeadOwner } from '../assignment/service.js';
import { requireScope, tenantOf } from '../platform/auth.js';
import { AppError, fromZodError, notFound } from '../platform/errors.js';
import { pageSummary } from './dwell.js';
import { forgetBeaconPolicy, ingestEvents } from './ingest.js';
import { createLinkToken, tenantSettings } from './link-tokens.js';
import { pushView, type SignalsDeps } from './pushes.js';
import * as repo from './repo.js';
import { createRule, deleteRule, replaceRule, ruleView } from './rules.js';
import { eventBatchSchema, leadIdSchema, onServerClock, ruleSchema, settingsSchema } from './schemas.js';
import { authorizeBeacon, createSiteKey, normalizeOrigin, siteKeyView } from './site-keys.js';
import { openPushStream } from './stream.js';

const uuidParam = z.object({ id: z.uuid('must be an id (uuid)') });

/** A rep-bound key sees only its own rep's pushes: no repId means its own, another rep's answers 403. */
function ownRepFilter(request: FastifyRequest, repId: string | undefined): string | undefined {
  const own = request.auth?.repId;
  if (!own) return repId;
  if (repId !== undefined && repId !== own) throw new AppError(403, 'forbidden', "query.repId: a rep's key sees only that rep's own pushes");
  return own;
}

const originSchema = z
  .string()
  .max(300)
  .refine((o) => {
    try {
      return normalizeOrigin(o) === o.toLowerCase().replace(/\/$/, '');
    } catch {
      return false;
    }
  }, 'an origin such as https://www.example.com (scheme, host, optional port; no path)')
  .transform(normalizeOrigin);
const originsSchema = z.array(originSchema).min(1, 'list at least one origin').max(100);

export const signalRoutes = (deps: SignalsDeps): FastifyPluginAsync => async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db, config } = deps;

  // ---- ingest ----

  const beaconLimit = Math.floor(config.SIGNALS_BEACON_MAX_KB * 1024);
  const beaconAuth = async (request: FastifyRequest, reply: FastifyReply) => {
    const { k } = request.query as { k?: string };
    const { tenantId, origin } = await authorizeBeacon(db, typeof k === 'string' ? k : undefined, request.headers.origin);
    request.beaconTenant = tenantId;
    reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
  };

  app.options('/v1/signals/beacon', {
    onRequest: beaconAuth,
    schema: { tags: ['signals'], summary: 'CORS preflight for the beacon (fetch with keepalive); sendBeacon needs none', hide: true },
    handler: async (_request, reply) =>
      reply.header('access-control-allow-methods', 'POST').header('access-control-allow-headers', 'content-type').header('access-control-max-age', '600').status(204).send(),
  });

  app.post('/v1/signals/beacon', {
    onRequest: beaconAuth,
    bodyLimit: beaconLimit,
    schema: {
      tags: ['signals'],
      summary: "The tracker's beacon: `?k=<site key>`, body `{ events: [...] }` as text/plain JSON (what navigator.sendBeacon sends)",
      querystring: z.object({ k: z.string().max(200) }),
      security: [],
    },
    errorHandler: (err: FastifyError, _request, reply) => {
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return reply.status(413).send({ error: { code: 'payload_too_large', message: `beacon body is over SIGNALS_BEACON_MAX_KB = ${config.SIGNALS_BEACON_MAX_KB} KB` } });
      }
      throw err;
    },
    handler: async (request, reply) => {
      let body: unknown = request.body;
      if (typeof body === 'string') {
        try {
          body = JSON.parse(body);
        } catch {
          throw new AppError(400, 'invalid_json', 'body is not valid JSON');
        }
      }
      const parsed = eventBatchSchema.safeParse(body);
      if (!parsed.success) throw fromZodError(parsed.error);
      await ingestEvents(deps, request.beaconTenant!, onServerClock(parsed.data), { fromBeacon: true });
      return reply.status(204).send();
    },
  });

  app.post('/v1/signals/events', {
    onRequest: requireScope(db, 'ingest'),
    schema: {
      tags: ['signals'],
      summary: 'Server-side batch of browsing events (≤ 500); a replayed event id is stored once',
      body: eventBatchSchema,
    },
    handler: async (request, reply) => reply.status(202).send(await ingestEvents(deps, tenantOf(request), onServerClock(request.body))),
  });

  // ---- site keys, link tokens, settings ----

  app.post('/v1/signals/site-keys', {
    onRequest: requireScope(db, 'admin'),
    schema: {
      tags: ['signals'],
      summary: 'Create a public, ingest-only site key for the tracker; the key is shown once',
      body: z.object({ name: z.string().trim().max(200).default(''), allowedOrigins: originsSchema }).strict(),
    },
    handler: async (request, reply) => reply.status(201).send(await createSiteKey(db, tenantOf(request), request.body.name, request.body.allowedOrigins)),
  });

  app.get('/v1/signals/site-keys', {
    onRequest: requireScope(db, 'admin'),
    schema: { tags: ['signals'], summary: 'Site keys (prefixes, origins, revocation)' },
    handler: async (request) => ({ items: (await repo.listSiteKeys(db, tenantOf(request))).map(siteKeyView) }),
  });

  app.put('/v1/signals/site-keys/:id', {
    onRequest: requireScope(db, 'admin'),
    schema: { tags: ['signals'], summary: "Replace a site key's allowed origins", params: uuidParam, body: z.object({ allowedOrigins: originsSchema }).strict() },
    handler: async (request) => {
      const row = await repo.setSiteKeyOrigins(db, tenantOf(request), request.params.id, request.body.allowedOrigins);
      if (!row) throw notFound('site key');
      return siteKeyView(row);
    },
  });

  app.delete('/v1/signals/site-keys/:id', {
    onRequest: requireScope(db, 'admin'),
    schema: { tags: ['signals'], summary: 'Revoke a site key (its beacons answer 401 from now on)', params: uuidParam },
    handler: async (request) => {
      const row = await repo.revokeSiteKey(db, tenantOf(request), request.params.id);
      if (!row) throw notFound('site key');
      return siteKeyView(row);
    },
  });

  app.post('/v1/signals/link-tokens', {
    onRequest: requireScope(db, 'ingest'),
    schema: {
      tags: ['signals'],
      summary: 'A signed token standing for a lead, for tracked links (`?ds_t=<token>`); the tracker sends it as `token`',
      body: z.object({ leadId: leadIdSchema, ttlDays: z.number().int().min(1).max(3650).optional() }).strict(),
    },
    handler: async (request, reply) => {
      const ttlDays = request.body.ttlDays ?? config.SIGNALS_LINK_TOKEN_TTL_DAYS;
      const t = await createLinkToken(db, tenantOf(request), request.body.leadId, ttlDays * 86_400_000);
      return reply.status(201).send({ leadId: request.body.leadId, ...t });
    },
  });

  const settingsView = (s: repo.SettingsRow) => ({
    timezone: s.timezone,
    quietHours: s.quiet_start && s.quiet_end ? { start: s.quiet_start, end: s.quiet_end } : null,
    beaconIdentify: s.beacon_identify,
  });

  app.get('/v1/signals/settings', {
    onRequest: requireScope(db, 'read'),
    schema: { tags: ['signals'], summary: "The tenant's timezone and quiet hours for pushes" },
    handler: async (request) => settingsView(await tenantSettings(db, tenantOf(request))),
  });

  app.put('/v1/signals/settings', {
    onRequest: requireScope(db, 'admin'),
    schema: { tags: ['signals'], summary: 'Set the timezone and quiet hours (pushes firing inside them wait until they end)', body: settingsSchema },
    handler: async (request) => {
      const tenantId = tenantOf(request);
      await tenantSettings(db, tenantId);
      const b = request.body;
      await repo.saveSettings(db, tenantId, { timezone: b.timezone, quietStart: b.quietHours?.start ?? null, quietEnd: b.quietHours?.end ?? null, beaconIdentify: b.beaconIdentify });
      forgetBeaconPolicy(tenantId);
      return settingsView(await tenantSettings(db, tenantId));
    },
  });

  // ---- rules ----

  app.get('/v1/signals/rules', {
    onRequest: requireScope(db, 'read'),
    schema: { tags: ['signals'], summary: 'Push rules' },
    handler: async (request) => ({ items: (await repo.listRules(db, tenantOf(request))).map(ruleView) }),
  });

  app.get('/v1/signals/rules/:id', {
    onRequest: requireScope(db, 'read'),
    schema: { tags: ['signals'], summary: 'One push rule', params: uuidParam },
    handler: async (request) => {
      const row = await repo.findRule(db, tenantOf(request), request.params.id);
      if (!row) throw notFound('rule');
      return ruleView(row);
    },
  });

  app.post('/v1/signals/rules', {
    onRequest: requireScope(db, 'admin'),
    schema: { tags: ['signals'], summary: 'Create a push rule (validated; errors name the field)', body: ruleSchema },
    handler: async (request, reply) => reply.status(201).send(await createRule(db, tenantOf(request), request.body)),
  });

  app.put('/v1/signals/rules/:id', {
    onRequest: requireScope(db, 'admin'),
    schema: { tags: ['signals'], summary: 'Replace a push rule', params: uuidParam, body: ruleSchema },
    handler: async (request) => replaceRule(db, tenantOf(request), request.params.id, request.body),
  });

  app.delete('/v1/signals/rules/:id', {
    onRequest: requireScope(db, 'admin'),
    schema: { tags: ['signals'], summary: 'Delete a push rule (its pushes stay)', params: uuidParam },
    handler: async (request, reply) => {
      if (!(await deleteRule(db, tenantOf(request), request.params.id))) throw notFound('rule');
      return reply.status(204).send();
    },
  });

  // ---- a lead's browsing ----

  app.get('/v1/signals/leads/:leadId', {
    onRequest: requireScope(db, 'read'),
    schema: { tags: ['signals'], summary: "A lead's intent score and reading time per page (last 30 days)", params: z.object({ leadId: leadIdSchema }) },
    handler: async (request) => {
      const tenantId = tenantOf(request);
      const { leadId } = request.params;
      const events = await repo.leadEvents(db, tenantId, leadId, new Date(Date.now() - 30 * 86_400_000));
      const owner = await getLeadOwner(db, tenantId, leadId);
      if (!owner && events.length === 0) throw notFound('lead');
      return {
        leadId,
        intentScore: owner?.intentScore ?? null,
        events: events.length,
        pages: pageSummary(events, config.SIGNALS_IDLE_LIMIT_SEC * 1000).slice(0, 50),
      };
    },
  });

  // ---- pushes ----

  app.get('/v1/pushes', {
    onRequest: requireScope(db, 'read'),
    schema: {
      tags: ['signals'],
      summary: 'Pushes, newest first, with the reason and the content to send next',
      querystring: z
        .object({
          repId: leadIdSchema.optional(),
          leadId: leadIdSchema.optional(),
          status: z.enum(['scheduled', 'delivered']).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        })
        .strict(),
    },
    handler: async (request) => ({ items: (await repo.listPushes(db, tenantOf(request), { ...request.query, repId: ownRepFilter(request, request.query.repId) })).map(pushView) }),
  });

  app.get('/v1/pushes/stream', {
    onRequest: requireScope(db, 'read'),
    schema: {
      tags: ['signals'],
      summary: 'Live pushes as Server-Sent Events; reconnect with Last-Event-ID to get what was missed',
      querystring: z.object({ repId: leadIdSchema.optional(), lastEventId: z.string().max(30).optional() }).strict(),
    },
    handler: async (request, reply) => {
      const repId = ownRepFilter(request, request.query.repId);
      const raw = request.headers['last-event-id'] ?? request.query.lastEventId;
      let after: number | undefined;
      if (raw !== undefined && raw !== '') {
        after = Number(raw);
        if (!Number.isSafeInteger(after) || after < 0) throw new AppError(400, 'validation_error', 'headers.last-event-id: must be a non-negative integer (the id of the last event received)');
      }
      await openPushStream(deps, request, reply, { tenantId: tenantOf(request), repId, after });
    },
  });

  app.get('/v1/pushes/:id', {
    onRequest: requireScope(db, 'read'),
    schema: { tags: ['signals'], summary: 'One push', params: uuidParam },
    handler: async (request) => {
      const row = await repo.findPush(db, tenantOf(request), request.params.id);
      // Another rep's push is "not there" for a rep-bound key, as another tenant's is.
      if (!row || (request.auth?.repId && row.rep_id !== request.auth.repId)) throw notFound('push');
      return pushView(row);
    },
  });
};

declare module 'fastify' {
  interface FastifyRequest {
    beaconTenant?: string;
  }
}
