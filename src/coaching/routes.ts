import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callsOfLeads } from '../analysis/service.js';
import { coachingReps } from '../assignment/service.js';
import { requireScope, tenantOf, type AuthContext } from '../platform/auth.js';
import { AppError, notFound } from '../platform/errors.js';
import { activitiesBody, ingestActivities } from './activities.js';
import { drilldownLeads, FUNNEL_STAGES, funnelCounts, funnelView } from './funnel.js';
import { healthFor } from './interventions.js';
import { addMonths, MONTH_RE, monthStart, parseMonth } from './months.js';
import * as repo from './repo.js';
import { scriptLibrary } from './scripts.js';
import { getSettings, saveSettings, settingsPatchSchema } from './settings.js';
import { getSuggestion, listSuggestions, reviewSuggestion, type CoachingDeps } from './suggestions.js';

const ref = z.string().trim().min(1).max(200);
const month = z.string().regex(MONTH_RE, 'a month as YYYY-MM');
const dayOrMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/, 'YYYY-MM or YYYY-MM-DD');
const MAX_PERIOD_MONTHS = 24;

const authOf = (request: FastifyRequest): AuthContext => {
  if (!request.auth) throw new AppError(401, 'unauthorized', 'not authenticated');
  return request.auth;
};

/** A rep-bound key is always scoped to its own rep; asking for another rep or a team is refused. */
function scopeFor(auth: AuthContext, q: { repId?: string; team?: string }): { repId?: string; team?: string } {
  if (!auth.repId) return q;
  if ((q.repId && q.repId !== auth.repId) || q.team) throw new AppError(403, 'forbidden', "a rep's key sees only that rep's own figures");
  return { repId: auth.repId };
}

/** [from, to) from YYYY-MM / YYYY-MM-DD; a month as `to` includes the whole month. Default: the last three months. */
function period(q: { from?: string; to?: string }): { from: Date; to: Date } {
  const now = new Date();
  const to = q.to ? (q.to.length === 7 ? addMonths(parseMonth(q.to), 1) : new Date(`${q.to}T00:00:00Z`)) : addMonths(monthStart(now), 1);
  const from = q.from ? (q.from.length === 7 ? parseMonth(q.from) : new Date(`${q.from}T00:00:00Z`)) : addMonths(monthStart(now), -2);
  if (Number.isNaN(+from) || Number.isNaN(+to)) throw new AppError(400, 'validation_error', 'querystring.from: not a date');
  if (from >= to) throw new AppError(400, 'validation_error', 'querystring.from: must be before "to"', { fields: [{ field: 'querystring.from', message: 'must be before "to"' }] });
  if (addMonths(from, MAX_PERIOD_MONTHS) < to) throw new AppError(400, 'validation_error', `querystring.to: the period spans at most ${MAX_PERIOD_MONTHS} months`, { fields: [{ field: 'querystring.to', message: `at most ${MAX_PERIOD_MONTHS} months` }] });
  return { from, to };
}

export const coachingRoutes = (deps: CoachingDeps): FastifyPluginAsync => async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;

  app.post('/v1/activities', {
    onRequest: requireScope(db, 'ingest'),
    schema: {
      tags: ['coaching'],
      summary: 'A batch of CRM activity events (≤ 1,000), idempotent by event id',
      description: 'Events naming a rep this tenant does not have are listed in `rejected` (index, field, code) and not stored; repeated ids are listed in `duplicates`.',
      body: activitiesBody,
    },
    handler: async (request) => ingestActivities(deps, tenantOf(request), request.body.activities),
  });

  app.get('/v1/coaching/settings', {
    onRequest: requireScope(db, 'read'),
    schema: { tags: ['coaching'], summary: 'Health targets, threshold, weights, suggestion fallbacks, tenant scripts' },
    handler: async (request) => getSettings(db, tenantOf(request)),
  });

  app.put('/v1/coaching/settings', {
    onRequest: requireScope(db, 'admin'),
    schema: { tags: ['coaching'], summary: 'Change coaching settings (partial: fields given are merged over the current ones)', body: settingsPatchSchema },
    handler: async (request) => {
      const auth = authOf(request);
      if (auth.repId) throw new AppError(403, 'forbidden', "a rep's key cannot change settings");
      return saveSettings(db, auth.tenantId, request.body, auth.keyId);
    },
  });

  app.get('/v1/coaching/scripts', {
    onRequest: requireScope(db, 'read'),
    schema: {
      tags: ['coaching'],
      summary: 'The script library: built-in bilingual scripts per concern code, plus the tenant’s own (settings.scripts) first',
      querystring: z.object({ code: z.string().regex(/^[a-z][a-z0-9_]{1,47}$/, 'a concern code').optional() }).strict(),
    },
    handler: async (request) => ({ items: scriptLibrary(await getSettings(db, tenantOf(request)), request.query.code) }),
  });

  app.get('/v1/coaching/health', {
    onRequest: requireScope(db, 'read'),
    schema: {
      tags: ['coaching'],
      summary: "Health score per rep for one month: a rep, or a team's page (every rep of the team)",
      querystring: z.object({ repId: ref.optional(), team: ref.optional(), month: month.optional(), rows: z.coerce.number().int().min(0).max(500).default(20) }).strict(),
    },
    handler: async (request) => {
      const auth = authOf(request);
      const q = request.query;
      const scope = scopeFor(auth, q);
      if (!scope.repId && !scope.team) throw new AppError(400, 'validation_error', 'querystring.repId: give repId or team', { fields: [{ field: 'querystring.repId', message: 'give repId or team' }] });
      const reps = await coachingReps(db, auth.tenantId, scope.repId ? { repIds: [scope.repId], team: scope.team } : { team: scope.team });
      if (reps.length === 0) throw notFound(scope.repId ? 'rep' : 'team');
      const settings = await getSettings(db, auth.tenantId);
      const m = q.month ? parseMonth(q.month) : monthStart(new Date());
      const health = await healthFor(db, auth.tenantId, reps, m, settings, q.rows);
      const scored = health.filter((h) => h.score !== null);
      return {
        month: m.toISOString().slice(0, 7),
        threshold: settings.threshold,
        team: scope.team ?? null,
        teamScore: scored.length ? Math.round((10 * scored.reduce((s, h) => s + h.score!, 0)) / scored.length) / 10 : null,
        reps: health,
      };
    },
  });

  app.get('/v1/coaching/health/history', {
    onRequest: requireScope(db, 'read'),
    schema: { tags: ['coaching'], summary: "A rep's stored monthly scores (as last computed by the coaching job)", querystring: z.object({ repId: ref.optional() }).strict() },
    handler: async (request) => {
      const auth = authOf(request);
      const repId = scopeFor(auth, request.query).repId;
      if (!repId) throw new AppError(400, 'validation_error', 'querystring.repId: required', { fields: [{ field: 'querystring.repId', message: 'required' }] });
      if ((await coachingReps(db, auth.tenantId, { repIds: [repId] })).length === 0) throw notFound('rep');
      const settings = await getSettings(db, auth.tenantId);
      return { repId, threshold: settings.threshold, months: await repo.healthHistory(db, auth.tenantId, repId) };
    },
  });

  app.get('/v1/coaching/funnel', {
    onRequest: requireScope(db, 'read'),
    schema: {
      tags: ['coaching'],
      summary: 'Response → need clarification → demo acceptance → signing, per team and rep, against the team mean',
      querystring: z.object({ team: ref.optional(), repId: ref.optional(), from: dayOrMonth.optional(), to: dayOrMonth.optional() }).strict(),
    },
    handler: async (request) => {
      const auth = authOf(request);
      const scope = scopeFor(auth, request.query);
      const { from, to } = period(request.query);
      let team = scope.team;
      if (scope.repId) {
        const [rep] = await coachingReps(db, auth.tenantId, { repIds: [scope.repId] });
        if (!rep) throw notFound('rep');
        if (team && rep.team !== team) throw notFound('rep');
        team = rep.team ?? undefined;
      }
      // The team mean needs the whole team, even when one rep is asked for.
      const reps = scope.repId && !team ? await coachingReps(db, auth.tenantId, { repIds: [scope.repId] }) : await coachingReps(db, auth.tenantId, { team });
      if (reps.length === 0) throw notFound('team');
      const settings = await getSettings(db, auth.tenantId);
      const counts = await funnelCounts(db, auth.tenantId, reps.map((r) => r.id), from, to, settings.targets.firstTouch.withinHours);
      const view = funnelView(reps, counts, { compareTeams: !team && !scope.repId, onlyRep: scope.repId });
      return { from: from.toISOString(), to: to.toISOString(), team: team ?? null, repId: scope.repId ?? null, ...view };
    },
  });

  app.get('/v1/coaching/funnel/drilldown', {
    onRequest: requireScope(db, 'read'),
    schema: {
      tags: ['coaching'],
      summary: "The customers (leads) in one stage of a rep's funnel, converted or not (not converted first), with their calls",
      querystring: z
        .object({
          repId: ref.optional(), stage: z.enum(FUNNEL_STAGES), from: dayOrMonth.optional(), to: dayOrMonth.optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50), offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
        })
        .strict(),
    },
    handler: async (request) => {
      const auth = authOf(request);
      const q = request.query;
      const repId = scopeFor(auth, q).repId;
      if (!repId) throw new AppError(400, 'validation_error', 'querystring.repId: required', { fields: [{ field: 'querystring.repId', message: 'required' }] });
      if ((await coachingReps(db, auth.tenantId, { repIds: [repId] })).length === 0) throw notFound('rep');
      const { from, to } = period(q);
      const settings = await getSettings(db, auth.tenantId);
      const rows = await drilldownLeads(db, auth.tenantId, repId, q.stage, from, to, settings.targets.firstTouch.withinHours, { limit: q.limit, offset: q.offset });
      const calls = await callsOfLeads(db, auth.tenantId, rows.map((r) => r.lead_id));
      const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
      return {
        repId, stage: q.stage, from: from.toISOString(), to: to.toISOString(), total: rows[0]?.total ?? 0,
        leads: rows.map((r) => ({
          leadId: r.lead_id, converted: r.converted, assignedAt: iso(r.a), firstTouchAt: iso(r.ft),
          stages: { response: iso(r.responded_at), needClarified: iso(r.need_at), demoAccepted: iso(r.demo_at), contractSigned: iso(r.signed_at), lost: iso(r.lost_at) },
          calls: calls.filter((c) => c.leadId === r.lead_id).map((c) => ({ recordingId: c.recordingId, status: c.status, durationSec: c.durationSec, createdAt: iso(c.createdAt) })),
        })),
      };
    },
  });

  app.get('/v1/coaching/suggestions', {
    onRequest: requireScope(db, 'read'),
    schema: {
      tags: ['coaching'],
      summary: 'The review queue: suggestions from calls and intervention packs (a rep-bound key: only its accepted or edited items)',
      querystring: z
        .object({
          status: z.enum(['pending', 'accepted', 'edited', 'dismissed']).optional(), repId: ref.optional(), kind: z.enum(['call', 'intervention']).optional(),
          recordingId: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(200).default(50), offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
        })
        .strict(),
    },
    handler: async (request) => listSuggestions(db, tenantOf(request), authOf(request), request.query),
  });

  app.get('/v1/coaching/suggestions/:id', {
    onRequest: requireScope(db, 'read'),
    schema: { tags: ['coaching'], summary: 'One suggestion with its review audit trail', params: z.object({ id: z.uuid() }) },
    handler: async (request) => getSuggestion(db, tenantOf(request), request.params.id, authOf(request)),
  });

  app.post('/v1/coaching/suggestions/:id/review', {
    onRequest: requireScope(db, 'admin'),
    schema: {
      tags: ['coaching'],
      summary: 'Accept, edit (new text) or dismiss a suggestion, with a note; audited (who, when, before/after)',
      params: z.object({ id: z.uuid() }),
      body: z.object({ action: z.enum(['accept', 'edit', 'dismiss']), text: z.string().trim().min(1).max(4000).optional(), note: z.string().trim().max(2000).optional() }).strict(),
    },
    handler: async (request) => reviewSuggestion(db, tenantOf(request), request.params.id, request.body, authOf(request)),
  });

  app.get('/v1/coaching/interventions', {
    onRequest: requireScope(db, 'read'),
    schema: { tags: ['coaching'], summary: 'Intervention packs, newest first', querystring: z.object({ repId: ref.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }).strict() },
    handler: async (request) => {
      const auth = authOf(request);
      if (auth.repId) throw new AppError(403, 'forbidden', "a rep's key sees intervention packs only once accepted, in /v1/coaching/suggestions");
      const rows = await db.query<{ id: string; rep_id: string; episode_start: string; months: string[]; pack: unknown; created_at: Date }>(
        `SELECT id, rep_id, to_char(episode_start, 'YYYY-MM') AS episode_start, ARRAY(SELECT to_char(m, 'YYYY-MM') FROM unnest(months) AS m) AS months, pack, created_at
         FROM coaching_interventions WHERE tenant_id = $1 AND ($2::text IS NULL OR rep_id = $2) ORDER BY created_at DESC LIMIT $3`,
        [auth.tenantId, request.query.repId ?? null, request.query.limit],
      );
      return { items: rows.map((r) => ({ id: r.id, repId: r.rep_id, episodeStart: r.episode_start, months: r.months, pack: r.pack, createdAt: new Date(r.created_at).toISOString() })) };
    },
  });
};
