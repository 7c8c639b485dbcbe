import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { industryPathSchema } from '../assignment/rules.js';
import { requireScope, tenantOf } from '../platform/auth.js';
import { AppError } from '../platform/errors.js';
import { toHtml, toMarkdown } from './render.js';
import { getMap, hotKeywords, ingestInquiries, requestMap, type DecisionMap, type InquiryDeps } from './service.js';
import { cachedThemes, refreshAfterIngest } from './theme-cache.js';

const MAX_BATCH = 1000;
const require = createRequire(import.meta.url);

const inquiryBody = z
  .object({
    inquiries: z
      .array(
        z
          .object({
            // Longer texts are accepted and truncated to 2,000 characters (reported back).
            text: z.string().max(100_000),
            industry: industryPathSchema,
            source: z.string().trim().regex(/^[a-z0-9_.-]{1,64}$/, 'lower-case letters, digits, "_", "-" or "."'),
            ts: z.coerce.date().optional(),
            leadId: z.string().trim().min(1).max(200).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_BATCH, `at most ${MAX_BATCH} inquiries per batch`),
  })
  .strict();

const windowQuery = { industry: industryPathSchema, days: z.coerce.number().int().min(1).max(365).default(30) };

export const inquiryRoutes = (deps: InquiryDeps): FastifyPluginAsync => async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;

  app.post('/v1/inquiries', {
    onRequest: requireScope(db, 'ingest'),
    schema: {
      tags: ['inquiries'],
      summary: 'A batch of inquiries (forms, chats, trade-show scans); near-duplicates from one lead are kept once',
      body: inquiryBody,
    },
    handler: async (request, reply) => {
      const tenantId = tenantOf(request);
      const { industries, ...answer } = await ingestInquiries(db, tenantId, request.body.inquiries);
      await refreshAfterIngest(deps, tenantId, industries);
      return reply.status(202).send(answer);
    },
  });

  app.get('/v1/inquiries/hot-keywords', {
    onRequest: requireScope(db, 'read'),
    schema: {
      tags: ['inquiries'],
      summary: 'Top terms of the last `days` days with share, growth against the window before, and a burst flag',
      querystring: z.object({ ...windowQuery, limit: z.coerce.number().int().min(1).max(200).default(20) }).strict(),
    },
    handler: async (request) => hotKeywords(db, tenantOf(request), request.query.industry, request.query.days, request.query.limit),
  });

  app.get('/v1/inquiries/themes', {
    onRequest: requireScope(db, 'read'),
    schema: {
      tags: ['inquiries'],
      summary:
        'Themes (clusters) of the window with labels, size, growth, representatives and member inquiry ids (paged). ' +
        'Served from a job-computed cache: 202 with progress until the first result exists, then 200 (stale results are served while a refresh runs)',
      querystring: z
        .object({ ...windowQuery, page: z.coerce.number().int().min(1).default(1), pageSize: z.coerce.number().int().min(1).max(1000).default(100) })
        .strict(),
    },
    handler: async (request, reply) => {
      const { industry, days, page, pageSize } = request.query;
      const answer = await cachedThemes(deps, tenantOf(request), industry, days);
      if (answer.status !== 'ready') return reply.status(202).send({ industry, days, status: answer.status, progress: answer.progress });
      const { result, cache } = answer;
      return {
        industry, days, inquiries: result.inquiries, cache,
        themes: result.themes.map(({ memberIds, ...t }) => ({
          ...t,
          members: { page, pageSize, total: memberIds.length, ids: memberIds.slice((page - 1) * pageSize, page * pageSize) },
        })),
      };
    },
  });

  app.post('/v1/decision-maps', {
    onRequest: requireScope(db, 'read'),
    schema: {
      tags: ['inquiries'],
      summary: 'Generate an industry decision map (a job); poll GET /v1/decision-maps/:id',
      body: z.object({ industry: industryPathSchema, days: z.number().int().min(1).max(365).default(30) }).strict(),
    },
    handler: async (request, reply) => reply.status(202).send(await requestMap(deps, tenantOf(request), request.body.industry, request.body.days)),
  });

  app.get('/v1/decision-maps/:file', {
    onRequest: requireScope(db, 'read'),
    schema: {
      tags: ['inquiries'],
      summary: 'A decision map: `:id` or `:id.json` (status, progress, map), `:id.md`, `:id.html`',
      params: z.object({ file: z.string().regex(/^[0-9a-f-]{36}(\.(json|md|html))?$/, 'expected <id>, <id>.json, <id>.md or <id>.html') }),
    },
    handler: async (request, reply) => {
      const [id, ext = 'json'] = request.params.file.split('.') as [string, string?];
      const row = await getMap(db, tenantOf(request), id);
      if (ext === 'json') {
        return {
          id: row.id, industry: row.industry, days: row.days, status: row.status, progress: row.progress, error: row.error,
          map: row.result ?? null, createdAt: new Date(row.created_at).toISOString(),
        };
      }
      if (row.status !== 'done') throw new AppError(409, 'not_ready', `the map is ${row.status}${row.error ? `: ${row.error}` : ''}`);
      const map = row.result as DecisionMap;
      if (ext === 'md') return reply.type('text/markdown; charset=utf-8').send(toMarkdown(map));
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'")
        .send(toHtml(map));
    },
  });

  // ECharts for the map pages, served locally so self-hosted installs need no CDN.
  const echartsPath = require.resolve('echarts/dist/echarts.min.js');
  app.get('/assets/echarts.min.js', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(await readFile(echartsPath)),
  );
};
