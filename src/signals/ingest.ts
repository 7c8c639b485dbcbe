import { AppError } from '../platform/errors.js';
import { queueEvaluation } from './evaluate.js';
import { tenantSettings, verifyLinkToken } from './link-tokens.js';
import type { SignalsDeps } from './pushes.js';
import * as repo from './repo.js';
import type { SignalEventInput } from './schemas.js';

export interface IngestResult {
  accepted: number;
  duplicates: number;
  /** Link tokens that were forged, expired or another tenant's: their events were kept as anonymous. */
  ignoredTokens: number;
}

/**
 * Stores a batch (one multi-row INSERT; a replayed id is skipped) and queues rule evaluation for
 * the leads it concerns, off the request path. Identification (an event that names its lead, by
 * id or link token) links the browser to the lead; the lead's earlier anonymous events are
 * attributed by the evaluation job, which runs after this batch has committed.
 */
export async function ingestEvents(deps: SignalsDeps, tenantId: string, events: SignalEventInput[], where = 'body'): Promise<IngestResult> {
  const now = Date.now();
  const maxFuture = now + deps.config.SIGNALS_MAX_FUTURE_SEC * 1000;
  const minPast = now - deps.config.SIGNALS_MAX_AGE_DAYS * 86_400_000;
  events.forEach((e, i) => {
    if (e.ts > maxFuture) throw badTs(where, i, `is in the future (more than SIGNALS_MAX_FUTURE_SEC = ${deps.config.SIGNALS_MAX_FUTURE_SEC} s ahead)`);
    if (e.ts < minPast) throw badTs(where, i, `is older than SIGNALS_MAX_AGE_DAYS = ${deps.config.SIGNALS_MAX_AGE_DAYS} days`);
  });

  let ignoredTokens = 0;
  const tokenLeads = new Map<string, string | undefined>();
  if (events.some((e) => e.token && !e.leadId)) {
    const { link_secret } = await tenantSettings(deps.db, tenantId);
    for (const e of events) {
      if (!e.token || e.leadId || tokenLeads.has(e.token)) continue;
      tokenLeads.set(e.token, verifyLinkToken(link_secret, tenantId, e.token, now));
    }
  }

  const seen = new Set<string>();
  const rows: repo.EventRow[] = [];
  const links: { visitorId: string; leadId: string; ts: number }[] = [];
  for (const e of events) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    let leadId = e.leadId ?? null;
    if (!leadId && e.token) {
      leadId = tokenLeads.get(e.token) ?? null;
      if (!leadId) ignoredTokens++;
    }
    const visitorId = e.visitorId ?? `lead:${leadId}`;
    if (leadId && e.visitorId) links.push({ visitorId: e.visitorId, leadId, ts: e.ts });
    rows.push({ id: e.id, visitorId, leadId, type: e.type, url: e.url, title: e.title ?? null, tags: e.tags ?? [], ts: e.ts, dwellMs: e.dwellMs ?? null });
  }

  const inserted = links.length
    ? await deps.db.tx(async (q) => {
        await repo.linkVisitors(q, tenantId, links);
        return repo.insertEvents(q, tenantId, rows);
      })
    : await repo.insertEvents(deps.db, tenantId, rows);

  // Looked up after the commit: an identification committed by a concurrent batch is either seen
  // here, or its own evaluation job (queued after its commit) finds these events.
  const leads = new Set(rows.flatMap((r) => (r.leadId ? [r.leadId] : [])));
  const anonymous = [...new Set(rows.filter((r) => !r.leadId).map((r) => r.visitorId))];
  for (const lead of (await repo.leadsOfVisitors(deps.db, tenantId, anonymous)).values()) leads.add(lead);
  for (const lead of leads) await queueEvaluation(deps.queue, tenantId, lead, deps.config.SIGNALS_EVAL_DELAY_MS);

  return { accepted: inserted.length, duplicates: events.length - inserted.length, ignoredTokens };
}

const badTs = (where: string, i: number, what: string) => {
  const field = `${where}.events.${i}.ts`;
  return new AppError(400, 'validation_error', `${field}: ${what}`, { fields: [{ field, message: what }] });
};
