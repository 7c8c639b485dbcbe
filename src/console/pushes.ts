import type { FastifyInstance, FastifyRequest } from 'fastify';
import { coachingReps, getLeadOwner } from '../assignment/service.js';
import type { AuthContext } from '../platform/auth.js';
import type { Db } from '../platform/db.js';
import { notFound } from '../platform/errors.js';
import type { PushView } from '../signals/pushes.js';
import type { Translate } from './i18n/index.js';
import { apiGet } from './pages.js';

export const PUSHES_PAGE_SIZE = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A link target only when it is http(s): a stored `javascript:` or `data:` URL never becomes a link. */
export function safeHref(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** Where a push went besides this console: the WeCom robot and the CRM webhooks, with their delivery state. */
export interface PushChannels {
  wecom: 'pending' | 'delivered' | 'failed' | null;
  webhooks: { total: number; delivered: number; failed: number };
}

/**
 * Channel state from the outbox (platform tables, keyed by the `push.created:<id>` fact the signals
 * feature records); read-only, for display.
 */
async function channelsOf(db: Db, tenantId: string, pushIds: string[]): Promise<Map<string, PushChannels>> {
  if (pushIds.length === 0) return new Map();
  const rows = await db.query<{ dedupe_key: string; has_wecom: boolean; wecom_status: string | null; total: number; delivered: number; failed: number }>(
    `SELECT e.dedupe_key, e.wecom IS NOT NULL AS has_wecom,
            (SELECT c.status FROM channel_deliveries c WHERE c.event_id = e.id AND c.channel = 'wecom') AS wecom_status,
            (SELECT count(*)::int FROM webhook_deliveries d WHERE d.event_id = e.id) AS total,
            (SELECT count(*)::int FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status = 'delivered') AS delivered,
            (SELECT count(*)::int FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status = 'failed') AS failed
       FROM outbox_events e
      WHERE e.tenant_id = $1 AND e.type = 'push.created' AND e.dedupe_key = ANY($2::text[])`,
    [tenantId, pushIds.map((id) => `push.created:${id}`)],
  );
  return new Map(
    rows.map((r) => [
      r.dedupe_key.slice('push.created:'.length),
      {
        wecom: r.has_wecom ? ((r.wecom_status ?? 'pending') as PushChannels['wecom']) : null,
        webhooks: { total: Number(r.total), delivered: Number(r.delivered), failed: Number(r.failed) },
      },
    ]),
  );
}

export interface PushRowView {
  push: PushView;
  /** Company and contact when the lead is known to lead assignment, else null (the id is shown). */
  leadLabel: string | null;
  repName: string | null;
  pageHref: string | null;
  contentHref: string | null;
  channels: PushChannels | null;
}

/** The pushes as the page shows them: lead names, rep names, safe links and channel state added. */
async function describe(db: Db, tenantId: string, pushes: PushView[]): Promise<PushRowView[]> {
  const leadIds = [...new Set(pushes.map((p) => p.leadId))];
  const repIds = [...new Set(pushes.map((p) => p.repId).filter((r): r is string => !!r))];
  const [owners, reps, channels] = await Promise.all([
    Promise.all(leadIds.map(async (id) => [id, await getLeadOwner(db, tenantId, id)] as const)),
    coachingReps(db, tenantId, { repIds }),
    channelsOf(db, tenantId, pushes.map((p) => p.id)),
  ]);
  const leadLabels = new Map(owners.map(([id, o]) => [id, [o?.company, o?.contactName].filter(Boolean).join(' · ') || null]));
  const repNames = new Map(reps.map((r) => [r.id, r.name || null]));
  return pushes.map((push) => ({
    push,
    leadLabel: leadLabels.get(push.leadId) ?? null,
    repName: push.repId ? (repNames.get(push.repId) ?? null) : null,
    pageHref: safeHref(push.page?.url),
    contentHref: safeHref(push.content?.url),
    channels: channels.get(push.id) ?? null,
  }));
}

/**
 * The pushes page: the newest pushes from the pushes API itself (called in-process with the
 * visitor's session, so a rep-bound session gets only its own and another rep's filter is a 403),
 * and the stream cursor the page's EventSource starts after, so nothing delivered between this
 * render and the stream's opening is missed.
 */
export async function pushesPage(app: FastifyInstance, request: FastifyRequest, db: Db, auth: AuthContext, repQuery: unknown) {
  const repId = typeof repQuery === 'string' && repQuery.trim() !== '' ? repQuery.trim().slice(0, 200) : null;
  const filter = repId ? `&repId=${encodeURIComponent(repId)}` : '';
  const { items } = await apiGet<{ items: PushView[] }>(app, request, `/v1/pushes?limit=${PUSHES_PAGE_SIZE}${filter}`);
  const cursor = items.reduce((max, p) => Math.max(max, p.seq ?? 0), 0);
  const reps = auth.repId ? [] : await coachingReps(db, auth.tenantId);
  return {
    rows: await describe(db, auth.tenantId, items),
    repFilter: repId,
    reps,
    stream: { url: `/v1/pushes/stream${repId ? `?repId=${encodeURIComponent(repId)}` : ''}`, cursor },
  };
}

/** One push as a row of the page, for the live list (same rules as the API: 404 for another rep's or tenant's push). */
export async function pushRow(app: FastifyInstance, request: FastifyRequest, db: Db, auth: AuthContext, id: string): Promise<PushRowView> {
  if (!UUID.test(id)) throw notFound('push');
  const push = await apiGet<PushView>(app, request, `/v1/pushes/${id}`);
  return (await describe(db, auth.tenantId, [push]))[0]!;
}

/** "3 min 45 s" / "3 分 45 秒" from milliseconds. */
export const dwellLabel = (t: Translate) => (ms: number | null | undefined) => {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const total = Math.round(ms / 1000);
  const min = Math.floor(total / 60);
  const sec = total % 60;
  return min > 0 ? t('pushes.dwellMin', { min, sec }) : t('pushes.dwellSec', { sec });
};

/** ISO time as "YYYY-MM-DD HH:MM UTC" (what the other pages show). */
export const shortTime = (iso: string | null | undefined) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—');
