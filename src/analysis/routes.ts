import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireScope, tenantOf } from '../platform/auth.js';
import type { Db } from '../platform/db.js';
import { getTenantSettings, saveTenantSettings } from '../platform/tenants.js';
import { recordingIdParams } from '../recordings/schemas.js';
import * as repo from './repo.js';
import { getAnalysis, saveTaxonomyAdditions, tenantTaxonomy } from './service.js';

const settingsBody = z.object({ redactPii: z.boolean() }).strict();

export const analysisRoutes = (deps: { db: Db }): FastifyPluginAsync => async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;

  app.get('/v1/recordings/:id/analysis', {
    onRequest: requireScope(db, 'read'),
    schema: {
      tags: ['analysis'],
      summary: 'Concerns with evidence, talk metrics, summary and next steps (409 until analysed)',
      params: recordingIdParams,
    },
    handler: async (request) => {
      const found = await getAnalysis(db, tenantOf(request), request.params.id);
      return { ...found.analysis, model: found.model, promptVersion: found.promptVersion, fallback: found.fallback, analyzedAt: found.createdAt };
    },
  });

  app.get('/v1/concerns/taxonomy', {
    onRequest: requireScope(db, 'read'),
    schema: { tags: ['analysis'], summary: "The tenant's concern taxonomy: built-in codes plus its additions" },
    handler: async (request) => {
      const taxonomy = await tenantTaxonomy(db, tenantOf(request));
      const stored = await repo.getTaxonomyAdditions(db, tenantOf(request));
      return { version: taxonomy.version, additionsVersion: stored?.version ?? 0, codes: taxonomy.codes, additions: stored?.additions ?? {} };
    },
  });

  app.put('/v1/concerns/taxonomy/additions', {
    onRequest: requireScope(db, 'admin'),
    schema: {
      tags: ['analysis'],
      summary: 'Replace the tenant additions: `{ codes?: [full code definitions], extend?: { <code>: { triggers?, patterns?, exclude? } } }`',
      description: 'Validated against the built-in taxonomy: a new code that already exists, or an extension of an unknown code, is a 400 naming it. Applies to analyses run afterwards.',
    },
    handler: async (request) => {
      const merged = await saveTaxonomyAdditions(db, tenantOf(request), request.body ?? {});
      return { codes: merged.codes.map((c) => c.code) };
    },
  });

  app.get('/v1/settings', {
    onRequest: requireScope(db, 'read'),
    schema: { tags: ['settings'], summary: 'Tenant settings' },
    handler: async (request) => getTenantSettings(db, tenantOf(request)),
  });

  app.put('/v1/settings', {
    onRequest: requireScope(db, 'admin'),
    schema: {
      tags: ['settings'],
      summary: 'Update tenant settings',
      description: 'redactPii: mask phone, ID-card and bank-card numbers and emails in transcripts stored from now on (and so in anything sent to a model).',
      body: settingsBody,
    },
    handler: async (request) => saveTenantSettings(db, tenantOf(request), request.body),
  });
};
