import type { Queryable } from '../platform/db.js';
import { compileUrlPattern } from './dwell.js';
import * as repo from './repo.js';

/**
 * Enabled rules per tenant, cached briefly so that ingest can tell, without a query per batch,
 * whether a batch can concern any rule. Changes made through this process apply at once; another
 * process sees them within TTL_MS.
 */
const TTL_MS = 1000;

interface Compiled {
  rows: repo.RuleRow[];
  pages: { tags: Set<string>; url?: (url: string) => boolean }[];
}

const cache = new Map<string, { at: number; rules: Promise<Compiled> }>();

export function forgetRules(tenantId: string): void {
  cache.delete(tenantId);
}

export function enabledRules(db: Queryable, tenantId: string): Promise<Compiled> {
  const hit = cache.get(tenantId);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.rules;
  const rules = repo.listRules(db, tenantId, true).then((rows) => ({
    rows,
    pages: rows.map((r) => ({ tags: new Set(r.definition.pages.tags), url: r.definition.pages.urlPattern ? compileUrlPattern(r.definition.pages.urlPattern) : undefined })),
  }));
  cache.set(tenantId, { at: Date.now(), rules });
  rules.catch(() => cache.delete(tenantId));
  return rules;
}

/**
 * Could this event count towards some rule? Conservative: an event without tags may belong to a
 * tagged page (its tags known from another event), so it is only ruled out by a URL pattern.
 */
export function mightMatch(rules: Compiled, e: { url: string; tags: string[] }): boolean {
  return rules.pages.some((p) => (p.tags.size === 0 || e.tags.length === 0 || e.tags.some((t) => p.tags.has(t))) && (!p.url || p.url(e.url)));
}
