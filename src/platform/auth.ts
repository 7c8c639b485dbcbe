import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db, Queryable } from './db.js';
import { AppError } from './errors.js';
import { lookupKey } from './key-lookup.js';

export const SCOPES = ['ingest', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** The tenant whose admin keys may manage other tenants (seeded from ADMIN_API_KEY). */
export const PLATFORM_TENANT = 'default';

export interface AuthContext {
  tenantId: string;
  keyId: string;
  scopes: Scope[];
}

declare module 'fastify' {
  interface FastifyRequest {
    auth?: AuthContext;
  }
}

// Keys carry 192 random bits, so a plain SHA-256 is enough to store them safely.
export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export function generateKey(): string {
  return `dsk_${randomBytes(24).toString('base64url')}`;
}

export async function createApiKey(
  q: Queryable,
  input: { tenantId: string; scopes: Scope[]; name?: string; key?: string },
): Promise<{ id: string; key: string; prefix: string }> {
  const key = input.key ?? generateKey();
  const id = randomUUID();
  const prefix = key.slice(0, 8);
  await q.query(
    `INSERT INTO api_keys (id, tenant_id, name, key_hash, prefix, scopes) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (key_hash) DO NOTHING`,
    [id, input.tenantId, input.name ?? '', hashKey(key), prefix, input.scopes],
  );
  return { id, key, prefix };
}

const SEEDED_KEY_NAME = 'ADMIN_API_KEY';

/**
 * Makes ADMIN_API_KEY a working admin key of tenant `default` (idempotent). A previously seeded
 * ADMIN_API_KEY with a different value is revoked, so rotating the variable (e.g. after a leak)
 * really retires the old key.
 */
export async function seedAdminKey(db: Db, adminKey: string | undefined): Promise<void> {
  if (!adminKey) return;
  await db.tx(async (q) => {
    await q.query(`INSERT INTO tenants (id, name) VALUES ($1, 'Default') ON CONFLICT (id) DO NOTHING`, [PLATFORM_TENANT]);
    await q.query(
      `UPDATE api_keys SET revoked_at = now()
       WHERE tenant_id = $1 AND name = $2 AND key_hash <> $3 AND revoked_at IS NULL`,
      [PLATFORM_TENANT, SEEDED_KEY_NAME, hashKey(adminKey)],
    );
    await createApiKey(q, { tenantId: PLATFORM_TENANT, scopes: [...SCOPES], name: SEEDED_KEY_NAME, key: adminKey });
  });
}

async function authenticate(db: Db, request: FastifyRequest): Promise<AuthContext> {
  const header = request.headers.authorization;
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  if (!match?.[1]) throw new AppError(401, 'unauthorized', 'missing Authorization: Bearer <api key> header');
  const row = await lookupKey(db, hashKey(match[1]));
  if (!row) throw new AppError(401, 'unauthorized', 'API key is not valid');
  return { tenantId: row.tenant_id, keyId: row.id, scopes: row.scopes as Scope[] };
}

/**
 * Authenticates the key and requires `scope` (admin keys hold every scope). Attach it as an
 * `onRequest` hook, so a caller without a valid key gets 401/403 before the body is read or
 * validated (as a preHandler it runs only after parsing and validation, so anonymous callers
 * would get 400/413 answers about the request instead).
 */
export function requireScope(db: Db, scope: Scope): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const auth = await authenticate(db, request);
    if (!auth.scopes.includes(scope) && !auth.scopes.includes('admin')) {
      throw new AppError(403, 'forbidden', `this API key lacks the "${scope}" scope`);
    }
    request.auth = auth;
  };
}

export function tenantOf(request: FastifyRequest): string {
  if (!request.auth) throw new AppError(401, 'unauthorized', 'not authenticated');
  return request.auth.tenantId;
}
