import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from './db.js';

/** The console's session cookie; its value is 256 random bits, stored only as a SHA-256 hash. */
export const SESSION_COOKIE = 'ds_session';
/** Header the console's scripts send with every state-changing request. */
export const CSRF_HEADER = 'x-csrf-token';

const hash = (value: string) => createHash('sha256').update(value).digest('hex');

export interface Session {
  tenantId: string;
  keyId: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function createSession(
  q: Queryable,
  input: { tenantId: string; keyId: string; ttlHours: number },
): Promise<{ id: string; csrfToken: string; expiresAt: Date }> {
  const id = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + input.ttlHours * 3600_000);
  // Expired sessions are swept on each sign-in, so the table never grows without bound.
  await q.query('DELETE FROM console_sessions WHERE expires_at < now()');
  await q.query(
    'INSERT INTO console_sessions (id_hash, tenant_id, key_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4, $5)',
    [hash(id), input.tenantId, input.keyId, csrfToken, expiresAt],
  );
  return { id, csrfToken, expiresAt };
}

/** The live session behind a cookie value, or undefined (unknown, expired). */
export async function findSession(q: Queryable, id: string): Promise<Session | undefined> {
  if (!id || id.length > 100) return undefined;
  const rows = await q.query<{ tenant_id: string; key_id: string; csrf_token: string; expires_at: Date }>(
    'SELECT tenant_id, key_id, csrf_token, expires_at FROM console_sessions WHERE id_hash = $1 AND expires_at > now()',
    [hash(id)],
  );
  const row = rows[0];
  return row && { tenantId: row.tenant_id, keyId: row.key_id, csrfToken: row.csrf_token, expiresAt: new Date(row.expires_at) };
}

export async function deleteSession(q: Queryable, id: string): Promise<void> {
  await q.query('DELETE FROM console_sessions WHERE id_hash = $1', [hash(id)]);
}

/** Constant-time comparison of the token a request sent with the session's. */
export function csrfMatches(sent: unknown, expected: string): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
