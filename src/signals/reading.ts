import DataLoader from 'dataloader';
import type { Db } from '../platform/db.js';
import { pageSummary } from './dwell.js';
import type { EventRow } from './repo.js';
import type { SignalEventType } from './schemas.js';

/** One page a lead read lately, for the rep's lead brief. */
export interface RecentReading {
  url: string;
  title: string | null;
  readSec: number;
  views: number;
}

const WINDOW_DAYS = 30;
const TOP_PAGES = 3;

/**
 * What a lead read on the website in the last 30 days (the three most-read pages), for the
 * lead-assignment brief. Leads posted at the same moment share one query per tenant (a new lead
 * from the CRM usually has no browsing yet, and the answer is then an empty list at the cost of
 * one indexed lookup); nothing is cached, so the brief always shows what is stored now.
 */
export async function recentReading(db: Db, idleLimitMs: number, tenantId: string, leadId: string): Promise<RecentReading[]> {
  if (!(await tenantTracksLeads(db, tenantId))) return [];
  return loaderFor(db, idleLimitMs).load(`${tenantId}\u0000${leadId}`);
}

const TRACKING_TTL_MS = 60_000;
const tracking = new WeakMap<Db, Map<string, { at: number; answer: Promise<boolean> }>>();

/**
 * Whether the tenant has any browsing attributed to a lead, re-checked once a minute: a tenant
 * without the website tracker (most CRM-only set-ups) pays no lookup per new lead. A tenant's very
 * first identified visitor can thus be missing from briefs for up to a minute.
 */
function tenantTracksLeads(db: Db, tenantId: string): Promise<boolean> {
  let byTenant = tracking.get(db);
  if (!byTenant) tracking.set(db, (byTenant = new Map()));
  const hit = byTenant.get(tenantId);
  if (hit && performance.now() - hit.at < TRACKING_TTL_MS) return hit.answer;
  const answer = db
    .query<{ yes: boolean }>('SELECT EXISTS (SELECT 1 FROM signal_events WHERE tenant_id = $1 AND lead_id IS NOT NULL) AS yes', [tenantId])
    .then((rows) => rows[0]?.yes === true)
    .catch((err: unknown) => {
      byTenant.delete(tenantId);
      throw err;
    });
  byTenant.set(tenantId, { at: performance.now(), answer });
  return answer;
}

const loaders = new WeakMap<Db, DataLoader<string, RecentReading[]>>();

function loaderFor(db: Db, idleLimitMs: number): DataLoader<string, RecentReading[]> {
  let loader = loaders.get(db);
  if (!loader) {
    loader = new DataLoader<string, RecentReading[]>((keys) => readingOf(db, idleLimitMs, keys), {
      cache: false,
      batchScheduleFn: (run) => setImmediate(run),
      maxBatchSize: 200,
    });
    loaders.set(db, loader);
  }
  return loader;
}

async function readingOf(db: Db, idleLimitMs: number, keys: readonly string[]): Promise<RecentReading[][]> {
  const byTenant = new Map<string, string[]>();
  for (const key of keys) {
    const [tenantId, leadId] = key.split('\u0000') as [string, string];
    byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), leadId]);
  }
  const since = new Date(Date.now() - WINDOW_DAYS * 86_400_000);
  const found = new Map<string, RecentReading[]>();
  for (const [tenantId, leadIds] of byTenant) {
    const rows = await db.query<{ id: string; visitor_id: string; lead_id: string; type: SignalEventType; url: string; title: string | null; tags: string[]; ms: number; dwell_ms: number | null }>(
      `SELECT id, visitor_id, lead_id, type, url, title, tags, (extract(epoch FROM ts) * 1000)::float8 AS ms, dwell_ms
       FROM signal_events WHERE tenant_id = $1 AND lead_id = ANY($2::text[]) AND ts >= $3 ORDER BY ts, id LIMIT 20000`,
      [tenantId, leadIds, since],
    );
    const events = new Map<string, EventRow[]>();
    for (const r of rows) {
      const list = events.get(r.lead_id) ?? [];
      list.push({ id: r.id, visitorId: r.visitor_id, leadId: r.lead_id, type: r.type, url: r.url, title: r.title, tags: r.tags, ts: Number(r.ms), dwellMs: r.dwell_ms });
      events.set(r.lead_id, list);
    }
    for (const [leadId, list] of events) {
      found.set(
        `${tenantId}\u0000${leadId}`,
        pageSummary(list, idleLimitMs)
          .filter((p) => p.dwellMs > 0 || p.count > 0)
          .slice(0, TOP_PAGES)
          .map((p) => ({ url: p.url, title: p.title, readSec: Math.round(p.dwellMs / 1000), views: p.count })),
      );
    }
  }
  return keys.map((k) => found.get(k) ?? []);
}
