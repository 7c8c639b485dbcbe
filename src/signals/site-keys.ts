import { randomBytes, randomUUID } from 'node:crypto';
import { hashKey } from '../platform/auth.js';
import type { Queryable } from '../platform/db.js';
import { AppError } from '../platform/errors.js';
import * as repo from './repo.js';

/**
 * Site keys are public (they sit in the website's HTML): they can only add events, to one tenant,
 * from the origins listed. Stored hashed like API keys, so a database leak does not hand them out.
 */
export async function createSiteKey(q: Queryable, tenantId: string, name: string, origins: string[]) {
  const key = `dss_${randomBytes(18).toString('base64url')}`;
  const row = await repo.insertSiteKey(q, { id: randomUUID(), tenantId, name, keyHash: hashKey(key), prefix: key.slice(0, 8), origins });
  return { ...siteKeyView(row), key };
}

export const siteKeyView = (r: repo.SiteKeyRow) => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  allowedOrigins: r.allowed_origins,
  createdAt: new Date(r.created_at).toISOString(),
  revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
});

/** An origin as browsers send it: scheme://host[:port], lower-case, no path. */
export function normalizeOrigin(o: string): string {
  const u = new URL(o);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
  return u.origin.toLowerCase();
}

/**
 * The tenant a beacon belongs to. Unknown and revoked keys answer 401; a browser page on an origin
 * the key does not list (or a request without Origin, which no browser beacon lacks) answers 403.
 */
export async function authorizeBeacon(q: Queryable, key: string | undefined, origin: string | undefined): Promise<{ tenantId: string; origin: string }> {
  if (!key) throw new AppError(401, 'unauthorized', 'missing site key (?k=<site key>)');
  const row = await repo.siteKeyByHash(q, hashKey(key));
  if (!row || row.revoked_at) throw new AppError(401, 'unauthorized', 'site key is not valid');
  let normalized: string | undefined;
  try {
    normalized = origin ? normalizeOrigin(origin) : undefined;
  } catch {
    normalized = undefined;
  }
  if (!normalized || !row.allowed_origins.includes(normalized)) {
    throw new AppError(403, 'origin_not_allowed', `origin ${origin ? JSON.stringify(origin.slice(0, 200)) : '(none)'} is not allowed for this site key`);
  }
  return { tenantId: row.tenant_id, origin: normalized };
}
