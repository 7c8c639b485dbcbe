import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireScope, tenantOf } from '../platform/auth.js';
import { notFound } from '../platform/errors.js';
import { deviationsFor } from './deviations.js';
import * as repo from './repo.js';
import { industryPathSchema } from './rules.js';
import {
  assignLead, claimLead, currentRules, overrideLead, recordOutcomes, saveRules, touchLead, type AssignmentDeps,
} from './service.js';

const token = z.string().trim().regex(/^[a-z0-9_.-]{1,64}$/, 'lower-case letters, digits, "_", "-" or "." (1–64)');
const id = z.string().trim().min(1).max(200);

const repBody = z
  .object({
    name: z.string().trim().max(200).default(''),
    email: z.email().optional(),
    industries: z.array(industryPathSchema).max(50).default([]),
    skills: z.array(token).max(50).default([]),
    capacity: z.number().int().min(0).max(10_000),
    active: z.boolean().default(true),
    timezone: z.string().max(64).default('Asia/Shanghai'),
    workingHours: z.object({ start: z.string().regex(/^\d{2}:\d{2}$/), end: z.string().regex(/^\d{2}:\d{2}$/), days: z.array(z.number().int().min(0).max(6)).max(7) }).strict().optional(),
    wecomWebhook: z.url({ protocol: /^https?$/ }).optional(),
    team: z.string().trim().min(1).max(100).optional(),
    managerId: id.optional(),
  })
  .strict();

const leadBody = z
  .object({
    id,
    source: token,
    industry: industryPathSchema,
    budgetBand: z.enum(['lt_500k', '500k_2m', 'gt_2m']).optional(),
    techNeed: token.optional(),
    region: z.string().trim().max(100).optional(),
    intentScore: z.number().min(0).max(100).optional(),
    concerns: z.array(token).max(20).optional(),
    company: z.string().trim().max(200).optional(),
    contactName: z.string().trim().max(200).optional(),
    repId: id.optional(),
  })
  .strict();

/** The body of POST /v1/leads, as a client sends it. */
export type LeadBody = z.input<typeof leadBody>;

const outcomesBody = z
  .object({
    outcomes: z
      .array(
        z.object({ id, leadId: id.optional(), repId: id, segment: token.default('general'), result: z.enum(['won', 'lost']), closedAt: z.coerce.date() }).strict(),
      )
      .min(1)
      .max(1000),
  })
  .strict();

const repView = (r: repo.RepRow) => ({
  id: r.id, name: r.name, email: r.email, industries: r.industries, skills: r.skills, capacity: r.capacity, active: r.active,
  timezone: r.timezone, workingHours: r.working_hours ?? null, wecomWebhook: r.wecom_webhook, team: r.team ?? null, managerId: r.manager_id ?? null, openLeads: r.open_leads,
  lastAssignedAt: r.last_assigned_at ? new Date(r.last_assigned_at).toISOString() : null,
});

export const assignmentRoutes = (deps: AssignmentDeps): FastifyPluginAsync => async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const actor = (request: { auth?: { keyId: string } }) => request.auth?.keyId ?? 'unknown';

  app.put('/v1/reps/:id', {
    onRequest: requireScope(db, 'admin'),
    schema: { tags: ['assignment'], summary: 'Create or update a rep', params: z.object({ id }), body: repBody },
    handler: async (request) => {
      const b = request.body;
      const row = await repo.upsertRep(db, tenantOf(request), {
        id: request.params.id, name: b.name, email: b.email ?? null, industries: b.industries, skills: b.skills, capacity: b.capacity,
        active: b.active, timezone: b.timezone, working_hours: b.workingHours ?? null, wecom_webhook: b.wecomWebhook ?? null,
        team: b.team ?? null, manager_id: b.managerId ?? null,
      });
      return repView(row);
    },
  });

  app.get('/v1/reps', {
    onRequest: requireScope(db, 'read'),
    schema: { tags: ['assignment'], summary: 'Reps with their current load' },
    handler: async (request) => ({ items: (await repo.listReps(db, tenantOf(request))).map(repView) }),
  });

  app.post('/v1/leads', {
    onRequest: requireScope(db, 'ingest'),
    schema: {
      tags: ['assignment'],
      summary: 'Post a new lead: assigned in the same request, with the score breakdown and reasons',
      description: 'With `repId` set the lead is recorded with that owner and not scored (CRM import). A repeated id answers with the first decision (`duplicate: true`).',
      body: leadBody,
    },
    handler: async (request, reply) => {
      const result = await assignLead(deps, tenantOf(request), request.body, actor(request));
      return reply.status(result.duplicate ? 200 : 201).send(result);
    },
  });

  app.get('/v1/leads/:id', {
    onRequest: requireScope(db, 'read'),
    schema: { tags: ['assignment'], summary: 'A lead, its owner and SLA state', params: z.object({ id }) },
    handler: async (request) => {
      const lead = await repo.findLead(db, tenantOf(request), request.params.id);
      if (!lead) throw notFound('lead');
      return {
        id: lead.id, status: lead.status, repId: lead.rep_id, source: lead.source, industry: lead.industry, budgetBand: lead.budget_band,
        techNeed: lead.tech_need, region: lead.region, intentScore: lead.intent_score, concerns: lead.concerns, company: lead.company,
        assignedAt: lead.assigned_at ? new Date(lead.assigned_at).toISOString() : null,
        firstTouchAt: lead.first_touch_at ? new Date(lead.first_touch_at).toISOString() : null,
        slaDeadline: lead.sla_deadline ? new Date(lead.sla_deadline).toISOString() : null, slaState: lead.sla_state,
      };
    },
  });

  app.post('/v1/leads/:id/override', {
    onRequest: requireScope(db, 'admin'),
    schema: {
      tags: ['assignment'],
      summary: 'Manager override: move a lead to another rep (audited)',
      params: z.object({ id }),
      body: z.object({ repId: id, reason: z.string().trim().min(3, 'say why (at least 3 characters)').max(500) }).strict(),
    },
    handler: async (request) => overrideLead(deps, tenantOf(request), request.params.id, request.body.repId, request.body.reason, actor(request)),
  });

  app.post('/v1/leads/:id/claim', {
    onRequest: requireScope(db, 'ingest'),
    schema: { tags: ['assignment'], summary: 'A rep claims a lead from the pool', params: z.object({ id }), body: z.object({ repId: id }).strict() },
    handler: async (request) => claimLead(deps, tenantOf(request), request.params.id, request.body.repId, actor(request)),
  });

  app.post('/v1/leads/:id/touch', {
    onRequest: requireScope(db, 'ingest'),
    schema: {
      tags: ['assignment'],
      summary: "The rep's first touch (call, message, visit): stops the first-touch SLA clock",
      params: z.object({ id }),
      body: z.object({ at: z.coerce.date().optional() }).strict().default({}),
    },
    handler: async (request) => {
      const lead = await touchLead(db, tenantOf(request), request.params.id, request.body.at ?? new Date());
      return { id: lead.id, firstTouchAt: lead.first_touch_at ? new Date(lead.first_touch_at).toISOString() : null, slaState: lead.sla_state };
    },
  });

  app.post('/v1/outcomes', {
    onRequest: requireScope(db, 'ingest'),
    schema: { tags: ['assignment'], summary: 'Won/lost outcomes from the CRM (idempotent by id); close rates derive from them', body: outcomesBody },
    handler: async (request) => recordOutcomes(db, tenantOf(request), request.body.outcomes),
  });

  app.get('/v1/assignments/log', {
    onRequest: requireScope(db, 'read'),
    schema: {
      tags: ['assignment'],
      summary: 'Every assignment decision, newest first',
      querystring: z
        .object({
          repId: id.optional(),
          date: z.iso.date().optional(),
          kind: z.enum(['auto', 'pool', 'import', 'override', 'claim', 'sla_reassign', 'sla_escalate']).optional(),
          override: z.enum(['true', 'false']).optional(),
          ruleVersion: z.coerce.number().int().min(0).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        })
        .strict(),
    },
    handler: async (request) => {
      const qy = request.query;
      const from = qy.date ? new Date(`${qy.date}T00:00:00Z`) : undefined;
      const rows = await repo.queryLog(db, tenantOf(request), {
        repId: qy.repId, from, to: from && new Date(from.getTime() + 86_400_000), kind: qy.override === 'true' ? 'override' : qy.kind,
        ruleVersion: qy.ruleVersion, limit: qy.limit,
      });
      return {
        items: rows
          .filter((r) => qy.override !== 'false' || r.kind !== 'override')
          .map((r) => ({
            id: r.id, leadId: r.lead_id, kind: r.kind, repId: r.rep_id, previousRepId: r.previous_rep_id, ruleVersion: r.rule_version,
            score: r.score, industryMatch: r.industry_match, breakdown: r.breakdown, reasons: r.reasons, candidates: r.candidates,
            note: r.note, actor: r.actor, at: new Date(r.created_at).toISOString(),
          })),
      };
    },
  });

  app.get('/v1/assignments/deviations', {
    onRequest: requireScope(db, 'read'),
    schema: {
      tags: ['assignment'],
      summary: "The day's top three assignment deviations (UTC day), each with its evidence rows",
      querystring: z.object({ date: z.iso.date().optional() }).strict(),
    },
    handler: async (request) => {
      const day = request.query.date ? new Date(`${request.query.date}T00:00:00Z`) : new Date();
      return { date: day.toISOString().slice(0, 10), items: await deviationsFor(db, tenantOf(request), day) };
    },
  });

  app.get('/v1/assignment/rules', {
    onRequest: requireScope(db, 'read'),
    schema: { tags: ['assignment'], summary: 'The current rule set and its version (0 = built-in defaults)' },
    handler: async (request) => currentRules(db, tenantOf(request)),
  });

  app.put('/v1/assignment/rules', {
    onRequest: requireScope(db, 'admin'),
    schema: { tags: ['assignment'], summary: 'Save a new version of the rule set (validated; weights must sum to 1)' },
    handler: async (request) => saveRules(db, tenantOf(request), request.body, actor(request)),
  });
};
