import type { Queryable } from '../platform/db.js';
import type { RuleDefinition, SignalEventType } from './schemas.js';

// ---- events ----

export interface EventRow {
  id: string;
  visitorId: string;
  leadId: string | null;
  type: SignalEventType;
  url: string;
  title: string | null;
  tags: string[];
  ts: number;
  dwellMs: number | null;
}

/**
 * One statement per batch: the browsers' known leads are looked up and the events inserted with
 * them (an event that names its lead keeps it), arrays unnested server-side so the statement has
 * eleven parameters whatever the batch size; an id already stored is skipped. Returns the ids
 * inserted now and the browsers' leads as they were.
 */
export async function insertEvents(q: Queryable, tenantId: string, events: EventRow[]): Promise<{ inserted: string[]; known: Map<string, string> }> {
  if (!events.length) return { inserted: [], known: new Map() };
  const [row] = await q.query<{ known: [string, string][] | null; inserted: string[] | null }>(
    `WITH known AS (
       SELECT visitor_id, lead_id FROM signal_visitors WHERE tenant_id = $1 AND visitor_id = ANY($11::text[])
     ), ins AS (
       INSERT INTO signal_events (tenant_id, id, visitor_id, lead_id, type, url, title, tags, ts, dwell_ms)
       SELECT $1, e.id, e.visitor_id, COALESCE(e.lead_id, k.lead_id), e.type, e.url, e.title, e.tags::text[], to_timestamp(e.ts / 1000.0), e.dwell_ms
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::float8[], $10::int[])
         AS e(id, visitor_id, lead_id, type, url, title, tags, ts, dwell_ms)
       LEFT JOIN known k ON k.visitor_id = e.visitor_id
       ON CONFLICT (tenant_id, id) DO NOTHING RETURNING id
     )
     SELECT (SELECT json_agg(json_build_array(visitor_id, lead_id)) FROM known) AS known, (SELECT array_agg(id) FROM ins) AS inserted`,
    [
      tenantId,
      events.map((e) => e.id),
      events.map((e) => e.visitorId),
      events.map((e) => e.leadId),
      events.map((e) => e.type),
      events.map((e) => e.url),
      events.map((e) => e.title),
      events.map((e) => arrayLiteral(e.tags)),
      events.map((e) => e.ts),
      events.map((e) => e.dwellMs),
      [...new Set(events.map((e) => e.visitorId))],
    ],
  );
  return { inserted: row?.inserted ?? [], known: new Map(row?.known ?? []) };
}

/** A PostgreSQL array literal (`{"a","b"}`), every element quoted and escaped. */
const arrayLiteral = (xs: string[]) => `{${xs.map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

/** Links browsers to leads; a later identification of the same browser wins over an earlier one. */
export async function linkVisitors(q: Queryable, tenantId: string, links: { visitorId: string; leadId: string; ts: number }[]): Promise<void> {
  if (!links.length) return;
  await q.query(
    `INSERT INTO signal_visitors (tenant_id, visitor_id, lead_id, identified_at)
     SELECT DISTINCT ON (v) $1, v, l, to_timestamp(t / 1000.0) FROM unnest($2::text[], $3::text[], $4::float8[]) AS x(v, l, t) ORDER BY v, t DESC
     ON CONFLICT (tenant_id, visitor_id) DO UPDATE SET lead_id = EXCLUDED.lead_id, identified_at = EXCLUDED.identified_at
       WHERE signal_visitors.identified_at <= EXCLUDED.identified_at`,
    [tenantId, links.map((l) => l.visitorId), links.map((l) => l.leadId), links.map((l) => l.ts)],
  );
}

export async function leadsOfVisitors(q: Queryable, tenantId: string, visitorIds: string[]): Promise<Map<string, string>> {
  if (!visitorIds.length) return new Map();
  const rows = await q.query<{ visitor_id: string; lead_id: string }>(
    'SELECT visitor_id, lead_id FROM signal_visitors WHERE tenant_id = $1 AND visitor_id = ANY($2::text[])',
    [tenantId, visitorIds],
  );
  return new Map(rows.map((r) => [r.visitor_id, r.lead_id]));
}

/** Pre-identification at ingest: the named browsers' anonymous events become their leads'; returns what moved. */
export async function attributeVisitors(q: Queryable, tenantId: string, links: { visitorId: string; leadId: string }[]): Promise<{ lead_id: string; url: string; tags: string[] }[]> {
  if (!links.length) return [];
  return q.query(
    `UPDATE signal_events e SET lead_id = l.lead_id
     FROM (SELECT DISTINCT ON (v) v AS visitor_id, l AS lead_id FROM unnest($2::text[], $3::text[]) AS x(v, l)) l
     WHERE e.tenant_id = $1 AND e.lead_id IS NULL AND e.visitor_id = l.visitor_id
     RETURNING e.lead_id, e.url, e.tags`,
    [tenantId, links.map((l) => l.visitorId), links.map((l) => l.leadId)],
  );
}

/** Pre-identification: the lead's browsers' anonymous events become the lead's. */
export async function attributeAnonymous(q: Queryable, tenantId: string, leadId: string): Promise<number> {
  const rows = await q.query(
    `UPDATE signal_events SET lead_id = $2
     WHERE tenant_id = $1 AND lead_id IS NULL
       AND visitor_id IN (SELECT visitor_id FROM signal_visitors WHERE tenant_id = $1 AND lead_id = $2)
     RETURNING id`,
    [tenantId, leadId],
  );
  return rows.length;
}

const MAX_EVENTS_PER_EVALUATION = 50_000;

export async function leadEvents(q: Queryable, tenantId: string, leadId: string, since: Date): Promise<EventRow[]> {
  const rows = await q.query<{ id: string; visitor_id: string; lead_id: string; type: SignalEventType; url: string; title: string | null; tags: string[]; ms: number; dwell_ms: number | null }>(
    `SELECT id, visitor_id, lead_id, type, url, title, tags, (extract(epoch FROM ts) * 1000)::float8 AS ms, dwell_ms
     FROM signal_events WHERE tenant_id = $1 AND lead_id = $2 AND ts >= $3
     ORDER BY ts, id LIMIT ${MAX_EVENTS_PER_EVALUATION}`,
    [tenantId, leadId, since],
  );
  return rows.map((r) => ({ id: r.id, visitorId: r.visitor_id, leadId: r.lead_id, type: r.type, url: r.url, title: r.title, tags: r.tags, ts: Number(r.ms), dwellMs: r.dwell_ms }));
}

/** Leads that received events since `since` (by arrival time, so late-arriving old events count too). */
export async function leadsWithEventsSince(q: Queryable, tenantId: string, since: Date): Promise<string[]> {
  const rows = await q.query<{ lead_id: string }>(
    'SELECT DISTINCT lead_id FROM signal_events WHERE tenant_id = $1 AND received_at >= $2 AND lead_id IS NOT NULL',
    [tenantId, since],
  );
  return rows.map((r) => r.lead_id);
}

export async function eventsOfLeads(q: Queryable, tenantId: string, leadIds: string[], since: Date): Promise<Map<string, EventRow[]>> {
  const rows = await q.query<{ id: string; visitor_id: string; lead_id: string; type: SignalEventType; url: string; title: string | null; tags: string[]; ms: number; dwell_ms: number | null }>(
    `SELECT id, visitor_id, lead_id, type, url, NULL AS title, '{}'::text[] AS tags, (extract(epoch FROM ts) * 1000)::float8 AS ms, dwell_ms
     FROM signal_events WHERE tenant_id = $1 AND lead_id = ANY($2::text[]) AND ts >= $3 ORDER BY ts`,
    [tenantId, leadIds, since],
  );
  const out = new Map<string, EventRow[]>(leadIds.map((l) => [l, []]));
  for (const r of rows) {
    out.get(r.lead_id)?.push({ id: r.id, visitorId: r.visitor_id, leadId: r.lead_id, type: r.type, url: r.url, title: r.title, tags: r.tags, ts: Number(r.ms), dwellMs: r.dwell_ms });
  }
  return out;
}

// ---- rules ----

export interface RuleRow {
  id: string;
  name: string;
  enabled: boolean;
  definition: RuleDefinition;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const RULE_COLUMNS = 'id, name, enabled, definition, version, created_at, updated_at';

export async function insertRule(q: Queryable, tenantId: string, id: string, def: RuleDefinition): Promise<RuleRow> {
  const rows = await q.query<RuleRow>(
    `INSERT INTO signal_rules (id, tenant_id, name, enabled, definition) VALUES ($1, $2, $3, $4, $5) RETURNING ${RULE_COLUMNS}`,
    [id, tenantId, def.name, def.enabled, JSON.stringify(def)],
  );
  return rows[0]!;
}

export async function updateRule(q: Queryable, tenantId: string, id: string, def: RuleDefinition): Promise<RuleRow | undefined> {
  const rows = await q.query<RuleRow>(
    `UPDATE signal_rules SET name = $3, enabled = $4, definition = $5, version = version + 1, updated_at = now()
     WHERE tenant_id = $1 AND id = $2 RETURNING ${RULE_COLUMNS}`,
    [tenantId, id, def.name, def.enabled, JSON.stringify(def)],
  );
  return rows[0];
}

export async function deleteRule(q: Queryable, tenantId: string, id: string): Promise<boolean> {
  return (await q.query('DELETE FROM signal_rules WHERE tenant_id = $1 AND id = $2 RETURNING id', [tenantId, id])).length > 0;
}

export async function findRule(q: Queryable, tenantId: string, id: string): Promise<RuleRow | undefined> {
  return (await q.query<RuleRow>(`SELECT ${RULE_COLUMNS} FROM signal_rules WHERE tenant_id = $1 AND id = $2`, [tenantId, id]))[0];
}

export async function listRules(q: Queryable, tenantId: string, onlyEnabled = false): Promise<RuleRow[]> {
  return q.query<RuleRow>(
    `SELECT ${RULE_COLUMNS} FROM signal_rules WHERE tenant_id = $1 ${onlyEnabled ? 'AND enabled' : ''} ORDER BY created_at, id`,
    [tenantId],
  );
}

// ---- site keys ----

export interface SiteKeyRow {
  id: string;
  tenant_id: string;
  name: string;
  prefix: string;
  allowed_origins: string[];
  created_at: Date;
  revoked_at: Date | null;
}

const KEY_COLUMNS = 'id, tenant_id, name, prefix, allowed_origins, created_at, revoked_at';

export async function insertSiteKey(q: Queryable, row: { id: string; tenantId: string; name: string; keyHash: string; prefix: string; origins: string[] }): Promise<SiteKeyRow> {
  const rows = await q.query<SiteKeyRow>(
    `INSERT INTO signal_site_keys (id, tenant_id, name, key_hash, prefix, allowed_origins) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${KEY_COLUMNS}`,
    [row.id, row.tenantId, row.name, row.keyHash, row.prefix, row.origins],
  );
  return rows[0]!;
}

export async function siteKeyByHash(q: Queryable, keyHash: string): Promise<SiteKeyRow | undefined> {
  return (await q.query<SiteKeyRow>(`SELECT ${KEY_COLUMNS} FROM signal_site_keys WHERE key_hash = $1`, [keyHash]))[0];
}

export async function listSiteKeys(q: Queryable, tenantId: string): Promise<SiteKeyRow[]> {
  return q.query<SiteKeyRow>(`SELECT ${KEY_COLUMNS} FROM signal_site_keys WHERE tenant_id = $1 ORDER BY created_at, id`, [tenantId]);
}

export async function setSiteKeyOrigins(q: Queryable, tenantId: string, id: string, origins: string[]): Promise<SiteKeyRow | undefined> {
  return (
    await q.query<SiteKeyRow>(`UPDATE signal_site_keys SET allowed_origins = $3 WHERE tenant_id = $1 AND id = $2 RETURNING ${KEY_COLUMNS}`, [tenantId, id, origins])
  )[0];
}

export async function revokeSiteKey(q: Queryable, tenantId: string, id: string): Promise<SiteKeyRow | undefined> {
  return (
    await q.query<SiteKeyRow>(
      `UPDATE signal_site_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE tenant_id = $1 AND id = $2 RETURNING ${KEY_COLUMNS}`,
      [tenantId, id],
    )
  )[0];
}

// ---- settings ----

export interface SettingsRow {
  timezone: string;
  quiet_start: string | null;
  quiet_end: string | null;
  beacon_identify: 'lead-id' | 'token';
  link_secret: string;
}

/** The tenant's settings row, created with defaults and a fresh link secret on first use. */
export async function ensureSettings(q: Queryable, tenantId: string, newSecret: string): Promise<SettingsRow> {
  const found = await q.query<SettingsRow>('SELECT timezone, quiet_start, quiet_end, beacon_identify, link_secret FROM signal_settings WHERE tenant_id = $1', [tenantId]);
  if (found[0]) return found[0];
  await q.query('INSERT INTO signal_settings (tenant_id, link_secret) VALUES ($1, $2) ON CONFLICT (tenant_id) DO NOTHING', [tenantId, newSecret]);
  return (await q.query<SettingsRow>('SELECT timezone, quiet_start, quiet_end, beacon_identify, link_secret FROM signal_settings WHERE tenant_id = $1', [tenantId]))[0]!;
}

export async function saveSettings(
  q: Queryable,
  tenantId: string,
  s: { timezone: string; quietStart: string | null; quietEnd: string | null; beaconIdentify: 'lead-id' | 'token' },
): Promise<void> {
  await q.query('UPDATE signal_settings SET timezone = $2, quiet_start = $3, quiet_end = $4, beacon_identify = $5, updated_at = now() WHERE tenant_id = $1', [
    tenantId, s.timezone, s.quietStart, s.quietEnd, s.beaconIdentify,
  ]);
}

// ---- pushes ----

export interface PushRow {
  id: string;
  tenant_id: string;
  rule_id: string;
  rule_name: string;
  lead_id: string;
  rep_id: string | null;
  trigger_ts: Date;
  reason: string;
  page: { url: string; title: string | null; dwellMs: number; tags: string[]; count: number };
  content: { id: string; title: string; url: string; language: string; score: number | null } | null;
  status: 'scheduled' | 'delivered';
  deliver_at: Date;
  delivered_at: Date | null;
  seq: string | null;
  created_at: Date;
}

const PUSH_COLUMNS = 'id, tenant_id, rule_id, rule_name, lead_id, rep_id, trigger_ts, reason, page, content, status, deliver_at, delivered_at, seq::text AS seq, created_at';

export async function lastPush(q: Queryable, tenantId: string, ruleId: string, leadId: string): Promise<{ id: string; trigger_ts: Date } | undefined> {
  return (
    await q.query<{ id: string; trigger_ts: Date }>(
      'SELECT id, trigger_ts FROM pushes WHERE tenant_id = $1 AND rule_id = $2 AND lead_id = $3 ORDER BY trigger_ts DESC LIMIT 1',
      [tenantId, ruleId, leadId],
    )
  )[0];
}

export interface NewPush {
  id: string;
  tenantId: string;
  ruleId: string;
  ruleName: string;
  leadId: string;
  repId: string | null;
  windowStart: Date;
  triggerTs: Date;
  reason: string;
  page: PushRow['page'];
  content: PushRow['content'];
  deliverAt: Date | null;
}

/**
 * Delivery numbers (`seq`) of one tenant are handed out under a lock held until commit, so they
 * become visible in order: a stream that has seen number n has seen every earlier one.
 * Call inside the transaction, before taking a number.
 */
async function lockTenantSeq(q: Queryable, tenantId: string): Promise<void> {
  await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`pushes_seq:${tenantId}`]);
}

/** Inserts the push unless one exists for the same rule, lead and cooldown window; delivered now unless `deliverAt` defers it. */
export async function insertPush(q: Queryable, p: NewPush): Promise<PushRow | undefined> {
  const now = p.deliverAt === null;
  if (now) await lockTenantSeq(q, p.tenantId);
  const rows = await q.query<PushRow>(
    `INSERT INTO pushes (id, tenant_id, rule_id, rule_name, lead_id, rep_id, window_start, trigger_ts, reason, page, content, status, deliver_at, delivered_at, seq)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, COALESCE($13, now()), ${now ? 'now()' : 'NULL'}, ${now ? "nextval('pushes_seq')" : 'NULL'})
     ON CONFLICT (tenant_id, rule_id, lead_id, window_start) DO NOTHING RETURNING ${PUSH_COLUMNS}`,
    [p.id, p.tenantId, p.ruleId, p.ruleName, p.leadId, p.repId, p.windowStart, p.triggerTs, p.reason, JSON.stringify(p.page),
      p.content ? JSON.stringify(p.content) : null, now ? 'delivered' : 'scheduled', p.deliverAt],
  );
  return rows[0];
}

/** A deferred push whose quiet hours are over becomes delivered (once: the status guards it). */
export async function markDelivered(q: Queryable, tenantId: string, id: string): Promise<PushRow | undefined> {
  await lockTenantSeq(q, tenantId);
  return (
    await q.query<PushRow>(
      `UPDATE pushes SET status = 'delivered', delivered_at = now(), seq = nextval('pushes_seq')
       WHERE tenant_id = $1 AND id = $2 AND status = 'scheduled' AND deliver_at <= now() RETURNING ${PUSH_COLUMNS}`,
      [tenantId, id],
    )
  )[0];
}

export async function findPush(q: Queryable, tenantId: string, id: string): Promise<PushRow | undefined> {
  return (await q.query<PushRow>(`SELECT ${PUSH_COLUMNS} FROM pushes WHERE tenant_id = $1 AND id = $2`, [tenantId, id]))[0];
}

export async function listPushes(q: Queryable, tenantId: string, f: { repId?: string; leadId?: string; status?: string; limit: number }): Promise<PushRow[]> {
  return q.query<PushRow>(
    `SELECT ${PUSH_COLUMNS} FROM pushes
     WHERE tenant_id = $1 AND ($2::text IS NULL OR rep_id = $2) AND ($3::text IS NULL OR lead_id = $3) AND ($4::text IS NULL OR status = $4)
     ORDER BY created_at DESC, id LIMIT $5`,
    [tenantId, f.repId ?? null, f.leadId ?? null, f.status ?? null, f.limit],
  );
}

/** Delivered pushes after `afterSeq`, oldest first: what an SSE client missed while disconnected. */
export async function pushesAfter(q: Queryable, tenantId: string, afterSeq: number, repId: string | undefined, limit: number): Promise<PushRow[]> {
  return q.query<PushRow>(
    `SELECT ${PUSH_COLUMNS} FROM pushes
     WHERE tenant_id = $1 AND status = 'delivered' AND seq > $2 AND ($3::text IS NULL OR rep_id = $3)
     ORDER BY seq LIMIT $4`,
    [tenantId, afterSeq, repId ?? null, limit],
  );
}

export async function maxSeq(q: Queryable, tenantId: string): Promise<number> {
  const rows = await q.query<{ seq: string | null }>("SELECT max(seq)::text AS seq FROM pushes WHERE tenant_id = $1 AND status = 'delivered'", [tenantId]);
  return rows[0]?.seq ? Number(rows[0].seq) : 0;
}

export async function scheduledPushes(q: Queryable): Promise<{ tenant_id: string; id: string; deliver_at: Date }[]> {
  return q.query("SELECT tenant_id, id, deliver_at FROM pushes WHERE status = 'scheduled' ORDER BY deliver_at");
}
