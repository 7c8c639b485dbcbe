import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createApiKey, PLATFORM_TENANT, requireScope, SCOPES, tenantOf } from '../platform/auth.js';
import { isUniqueViolation, type Db } from '../platform/db.js';
import { AppError } from '../platform/errors.js';
import { repExists } from '../assignment/service.js';

const tenantId = z.string().regex(/^[a-z0-9][a-z0-9_-]{1,62}$/, 'lower-case letters, digits, "_" or "-", 2–63 characters');

const createTenantBody = z.object({ id: tenantId, name: z.string().trim().min(1).max(200) }).strict();
const createKeyBody = z
  .object({
    tenantId: tenantId.optional(),
    scopes: z.array(z.enum(SCOPES)).min(1).max(3),
    name: z.string().max(200).optional(),
    /** Binds the key to one rep: coaching answers show only that rep's own, manager-accepted items. */
    repId: z.string().trim().min(1).max(200).optional(),
  })
  .strict()
  .refine((b) => !b.repId || !b.scopes.includes('admin'), { message: 'a rep-bound key cannot have the admin scope', path: ['scopes'] });

export const adminRoutes = (db: Db): FastifyPluginAsync => async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const admin = requireScope(db, 'admin');

  app.post('/v1/admin/tenants', {
    onRequest: admin,
    schema: {
      tags: ['admin'],
      summary: 'Create a tenant (platform admins: admin keys of tenant "default")',
      body: createTenantBody,
      response: { 201: z.object({ id: z.string(), name: z.string() }) },
    },
    handler: async (request, reply) => {
      if (tenantOf(request) !== PLATFORM_TENANT) throw new AppError(403, 'forbidden', 'only platform admins can create tenants');
      try {
        await db.query('INSERT INTO tenants (id, name) VALUES ($1, $2)', [request.body.id, request.body.name]);
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError(409, 'conflict', `tenant ${request.body.id} already exists`);
        throw err;
      }
      return reply.status(201).send({ id: request.body.id, name: request.body.name });
    },
  });

  app.post('/v1/admin/keys', {
    onRequest: admin,
    schema: {
      tags: ['admin'],
      summary: 'Create an API key; the key is shown once and stored hashed',
      body: createKeyBody,
      response: { 201: z.object({ id: z.string(), tenantId: z.string(), key: z.string(), scopes: z.array(z.string()), repId: z.string().optional() }) },
    },
    handler: async (request, reply) => {
      const caller = tenantOf(request);
      const target = request.body.tenantId ?? caller;
      if (target !== caller && caller !== PLATFORM_TENANT) {
        // Do not reveal whether the other tenant exists.
        throw new AppError(404, 'not_found', 'tenant not found');
      }
      const exists = await db.query('SELECT 1 FROM tenants WHERE id = $1', [target]);
      if (exists.length === 0) throw new AppError(404, 'not_found', 'tenant not found');
      const { repId } = request.body;
      if (repId && !(await repExists(db, target, repId))) throw new AppError(400, 'unknown_rep', `body.repId: ${repId} is not a rep of this tenant`);
      const scopes = [...new Set(request.body.scopes)];
      const key = await createApiKey(db, { tenantId: target, scopes, name: request.body.name, repId });
      return reply.status(201).send({ id: key.id, tenantId: target, key: key.key, scopes, ...(repId ? { repId } : {}) });
    },
  });
};
