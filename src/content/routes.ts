import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { industryPathSchema } from '../assignment/rules.js';
import { requireScope, tenantOf } from '../platform/auth.js';
import { notFound } from '../platform/errors.js';
import * as repo from './repo.js';
import { bestContentFor, contentView, createItem, getItem, updateItem, type ContentDeps } from './service.js';

const tag = z.string().trim().toLowerCase().min(1).max(64).regex(/^[\p{L}\p{N}_.\-/]+$/u, 'letters, digits, "_", "-", "." or "/"');
const language = z.enum(['zh', 'en']);

export const contentBody = z
  .object({
    title: z.string().trim().min(1).max(300),
    url: z.url({ protocol: /^https?$/ }).max(2000),
    language,
    industries: z.array(industryPathSchema).max(50).default([]),
    tags: z.array(tag).max(50).default([]),
    description: z.string().trim().max(5000).default(''),
  })
  .strict();

const idParams = z.object({ id: z.uuid('must be a content item id (uuid)') });

export const contentRoutes = (deps: ContentDeps): FastifyPluginAsync => async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;

  app.post('/v1/content', {
    onRequest: requireScope(db, 'admin'),
    schema: { tags: ['content'], summary: 'Add an item to the content library (embedded for best-match recommendations)', body: contentBody },
    handler: async (request, reply) => reply.status(201).send(await createItem(deps, tenantOf(request), request.body)),
  });

  app.get('/v1/content', {
    onRequest: requireScope(db, 'read'),
    schema: {
      tags: ['content'],
      summary: 'The content library, newest first',
      querystring: z
        .object({
          language: language.optional(),
          tag: tag.optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
        })
        .strict(),
    },
    handler: async (request) => ({ items: (await repo.listItems(db, tenantOf(request), request.query)).map(contentView) }),
  });

  app.get('/v1/content/recommend', {
    onRequest: requireScope(db, 'read'),
    schema: {
      tags: ['content'],
      summary: 'The best item for a topic (text and tags), in a language and industry',
      querystring: z
        .object({
          text: z.string().trim().max(2000).default(''),
          tags: z.string().max(2000).optional().transform((s) => (s ? s.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean) : [])),
          language: language.optional(),
          industry: industryPathSchema.optional(),
        })
        .strict(),
    },
    handler: async (request) => {
      const { text, tags, language, industry } = request.query;
      const best = await bestContentFor(deps, tenantOf(request), { text, tags }, { language, industry });
      return { best: best ?? null };
    },
  });

  app.get('/v1/content/:id', {
    onRequest: requireScope(db, 'read'),
    schema: { tags: ['content'], summary: 'One content item', params: idParams },
    handler: async (request) => getItem(db, tenantOf(request), request.params.id),
  });

  app.put('/v1/content/:id', {
    onRequest: requireScope(db, 'admin'),
    schema: { tags: ['content'], summary: 'Replace a content item (re-embedded)', params: idParams, body: contentBody },
    handler: async (request) => updateItem(deps, tenantOf(request), request.params.id, request.body),
  });

  app.delete('/v1/content/:id', {
    onRequest: requireScope(db, 'admin'),
    schema: { tags: ['content'], summary: 'Delete a content item', params: idParams },
    handler: async (request, reply) => {
      if (!(await repo.deleteItem(db, tenantOf(request), request.params.id))) throw notFound('content item');
      return reply.status(204).send();
    },
  });
};
