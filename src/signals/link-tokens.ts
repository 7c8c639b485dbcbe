import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../platform/db.js';
import * as repo from './repo.js';

/**
 * Tracked-link tokens: `<payload>.<signature>`, base64url, signed with HMAC-SHA256 under a secret
 * kept per tenant in the database (so every API and worker process verifies the same way).
 * The payload names the tenant, the lead and an expiry; nothing secret is inside.
 */
interface Payload {
  t: string;
  l: string;
  e: number;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const mac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest();

export async function tenantSettings(q: Queryable, tenantId: string): Promise<repo.SettingsRow> {
  return repo.ensureSettings(q, tenantId, randomBytes(32).toString('hex'));
}

export async function createLinkToken(q: Queryable, tenantId: string, leadId: string, ttlMs: number, now = Date.now()): Promise<{ token: string; expiresAt: string }> {
  const { link_secret } = await tenantSettings(q, tenantId);
  const exp = now + ttlMs;
  const body = b64(JSON.stringify({ t: tenantId, l: leadId, e: Math.floor(exp / 1000) } satisfies Payload));
  return { token: `${body}.${b64(mac(link_secret, body))}`, expiresAt: new Date(Math.floor(exp / 1000) * 1000).toISOString() };
}

/** The lead a token stands for, or undefined when it is malformed, forged, another tenant's, or expired. */
export function verifyLinkToken(secret: string, tenantId: string, token: string, now = Date.now()): string | undefined {
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined) return undefined;
  const expected = mac(secret, body);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Payload>;
    if (p.t !== tenantId || typeof p.l !== 'string' || typeof p.e !== 'number' || p.e * 1000 < now) return undefined;
    return p.l;
  } catch {
    return undefined;
  }
}
