import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import type { Db, Queryable } from './db.js';
import { AppError } from './errors.js';
import { lookupKey, type KeyRow } from './key-lookup.js';
import { CSRF_HEADER, csrfMatches, findSession, SESSION_COOKIE } from './sessions.js';

export const SCOPES = ['ingest', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** The tenant whose admin keys may manage other tenants (seeded from ADMIN_API_KEY). */
export const PLATFORM_TENANT = 'default';

export interface AuthContext {
  tenantId: string;
  keyId: string;
  scopes: Scope[];
  /** Set for a key bound to one rep: coaching answers show only that rep's own, manager-accepted items. */
  repId?: string;
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
  input: { tenantId: string; scopes: Scope[]; name?: string; key?: string; repId?: string },
): Promise<{ id: string; key: string; prefix: string }> {
  const key = input.key ?? generateKey();
  const id = randomUUID();
  const prefix = key.slice(0, 8);
  await q.query(
    `INSERT INTO api_keys (id, tenant_id, name, key_hash, prefix, scopes, rep_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (key_hash) DO NOTHING`,
    [id, input.tenantId, input.name ?? '', hashKey(key), prefix, input.scopes, input.repId ?? null],
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

const toContext = (row: KeyRow): AuthContext =>
  ({ tenantId: row.tenant_id, keyId: row.id, scopes: row.scopes as Scope[], ...(row.rep_id ? { repId: row.rep_id } : {}) });

/** The context of a live (not revoked) key by its id (a console session's key). */
async function keyContextById(db: Db, id: string): Promise<AuthContext | undefined> {
  const rows = await db.query<KeyRow>('SELECT id, tenant_id, scopes, rep_id FROM api_keys WHERE id = $1 AND revoked_at IS NULL', [id]);
  return rows[0] && toContext(rows[0]);
}

/** What a raw API key grants, or undefined when it is unknown or revoked (batched lookup, no cache). */
export async function contextOfKey(db: Db, key: string): Promise<AuthContext | undefined> {
  const row = await lookupKey(db, hashKey(key));
  return row && toContext(row);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A console session acts with the key that signed in, re-read on every request (a revoked key
 * ends its sessions). State-changing requests must echo the session's CSRF token in a header,
 * which another site's form or script cannot read or set.
 */
export async function authenticateSession(db: Db, request: FastifyRequest, sessionId: string): Promise<AuthContext> {
  const session = await findSession(db, sessionId);
  if (!session) throw new AppError(401, 'session_expired', 'the console session has expired or was signed out; sign in again');
  if (!SAFE_METHODS.has(request.method) && !csrfMatches(request.headers[CSRF_HEADER], session.csrfToken)) {
    throw new AppError(403, 'csrf_token_invalid', `missing or wrong ${CSRF_HEADER} header for this console session`);
  }
  const auth = await keyContextById(db, session.keyId);
  if (!auth) throw new AppError(401, 'session_expired', 'the API key behind this console session was revoked; sign in again');
  return auth;
}

/** A Bearer API key, or else the console's session cookie. */
export async function authenticate(db: Db, request: FastifyRequest): Promise<AuthContext> {
  const header = request.headers.authorization;
  const sessionId = header ? undefined : request.cookies?.[SESSION_COOKIE];
  if (sessionId) return authenticateSession(db, request, sessionId);
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  if (!match?.[1]) throw new AppError(401, 'unauthorized', 'missing Authorization: Bearer <api key> header');
  const auth = await contextOfKey(db, match[1]);
  if (!auth) throw new AppError(401, 'unauthorized', 'API key is not valid');
  return auth;
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
