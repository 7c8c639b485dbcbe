import { AppError } from '../platform/errors.js';
import { queueEvaluation, queueIntent } from './evaluate.js';
import { tenantSettings, verifyLinkToken } from './link-tokens.js';
import type { SignalsDeps } from './pushes.js';
import * as repo from './repo.js';
import { enabledRules, mightMatch } from './rule-cache.js';
import type { SignalEventInput } from './schemas.js';

export interface IngestResult {
  accepted: number;
  duplicates: number;
  /** Link tokens that were forged, expired or another tenant's: their events were kept as anonymous. */
  ignoredTokens: number;
}

/**
 * Stores a batch (one multi-row INSERT; a replayed id is skipped) and queues, off the request
 * path, rule evaluation for the leads it can concern and the tenant's intent update.
 * Identification (an event that names its lead, by id or link token) links the browser to the
 * lead and attributes the browser's anonymous events to it, in one transaction.
 */
export async function ingestEvents(deps: SignalsDeps, tenantId: string, input: SignalEventInput[], opts: { fromBeacon?: boolean } = {}): Promise<IngestResult> {
  const where = 'body';
  const now = Date.now();
  const maxFuture = now + deps.config.SIGNALS_MAX_FUTURE_SEC * 1000;
  const minPast = now - deps.config.SIGNALS_MAX_AGE_DAYS * 86_400_000;
  input.forEach((e, i) => {
    if (e.ts > maxFuture) throw badTs(where, i, `is in the future (more than SIGNALS_MAX_FUTURE_SEC = ${deps.config.SIGNALS_MAX_FUTURE_SEC} s ahead)`);
    if (e.ts < minPast) throw badTs(where, i, `is older than SIGNALS_MAX_AGE_DAYS = ${deps.config.SIGNALS_MAX_AGE_DAYS} days`);
  });

  // A tenant may let only signed link tokens identify from the public beacon.
  // With 'token', a lead id in a beacon is ignored (and an event with nothing else to go by is dropped).
  const events: SignalEventInput[] =
    opts.fromBeacon && (await beaconPolicy(deps, tenantId)) === 'token'
      ? input.map((e) => ({ ...e, leadId: undefined })).filter((e) => e.visitorId || e.token)
      : input;

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
  /** Rows whose visitor id stands in for a browser the event did not name (server-side events). */
  const noBrowser = new Set<repo.EventRow>();
  for (const e of events) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    let leadId = e.leadId ?? null;
    if (!leadId && e.token) {
      leadId = tokenLeads.get(e.token) ?? null;
      if (!leadId) ignoredTokens++;
    }
    const row: repo.EventRow = { id: e.id, visitorId: e.visitorId ?? `lead:${leadId}`, leadId, type: e.type, url: e.url, title: e.title ?? null, tags: e.tags ?? [], ts: e.ts, dwellMs: e.dwellMs ?? null };
    if (!e.visitorId) noBrowser.add(row);
    rows.push(row);
  }

  // Events of browsers identified earlier are stored as their lead's, in the same statement.
  const { inserted, known } = await repo.insertEvents(deps.db, tenantId, rows);
  const links: { visitorId: string; leadId: string; ts: number }[] = [];
  for (const r of rows) {
    // A browser named for the first time, or now as another lead (a shared computer).
    if (r.leadId && !noBrowser.has(r) && known.get(r.visitorId) !== r.leadId) links.push({ visitorId: r.visitorId, leadId: r.leadId, ts: r.ts });
    r.leadId ??= known.get(r.visitorId) ?? null;
  }

  // Identification, then attribution of the browser's anonymous events (this batch's too), together.
  const attributed = links.length
    ? await deps.db.tx(async (q) => {
        await repo.linkVisitors(q, tenantId, links);
        return repo.attributeVisitors(q, tenantId, links);
      })
    : [];

  // Checked again after the commit: an identification committed meanwhile by a concurrent batch
  // was either seen by this lookup, or its own attribution (inside its commit) ran after ours.
  const anonymous = [...new Set(rows.filter((r) => !r.leadId).map((r) => r.visitorId))];
  const [lateLinks, rules] = await Promise.all([repo.leadsOfVisitors(deps.db, tenantId, anonymous), enabledRules(deps.db, tenantId)]);
  const late = [...lateLinks].map(([visitorId, leadId]) => ({ visitorId, leadId }));
  if (late.length) attributed.push(...(await repo.attributeVisitors(deps.db, tenantId, late)));

  // Rules are evaluated off the request path, only for leads with events that can count for one,
  // and for leads identified now: their job attributes, once more, anonymous events that a
  // concurrent batch committed while this identification was in flight.
  const evaluate = new Set<string>(links.map((l) => l.leadId));
  if (rules.rows.length) {
    for (const r of rows) if (r.leadId && !evaluate.has(r.leadId) && mightMatch(rules, r)) evaluate.add(r.leadId);
    for (const a of attributed) if (!evaluate.has(a.lead_id) && mightMatch(rules, a)) evaluate.add(a.lead_id);
  }
  await Promise.all([
    ...[...evaluate].map((lead) => queueEvaluation(deps.queue, tenantId, lead, deps.config.SIGNALS_EVAL_DELAY_MS)),
    rows.some((r) => r.leadId) || attributed.length ? queueIntent(deps.queue, tenantId, deps.config.SIGNALS_INTENT_INTERVAL_MS) : undefined,
  ]);

  return { accepted: inserted.length, duplicates: events.length - inserted.length, ignoredTokens };
}

const badTs = (where: string, i: number, what: string) => {
  const field = `${where}.events.${i}.ts`;
  return new AppError(400, 'validation_error', `${field}: ${what}`, { fields: [{ field, message: what }] });
};

/** The tenant's beacon identification policy, cached briefly (one settings read per second, not per beacon). */
const policies = new Map<string, { at: number; policy: Promise<'lead-id' | 'token'> }>();

async function beaconPolicy(deps: SignalsDeps, tenantId: string): Promise<'lead-id' | 'token'> {
  const hit = policies.get(tenantId);
  if (hit && Date.now() - hit.at < 1000) return hit.policy;
  const policy = tenantSettings(deps.db, tenantId).then((s) => s.beacon_identify);
  policies.set(tenantId, { at: Date.now(), policy });
  policy.catch(() => policies.delete(tenantId));
  return policy;
}

export function forgetBeaconPolicy(tenantId: string): void {
  policies.delete(tenantId);
}
