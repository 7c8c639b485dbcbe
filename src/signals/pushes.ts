import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { getLeadOwner, getRepContact, type LeadOwner } from '../assignment/service.js';
import type { Config } from '../config.js';
import { bestContentFor } from '../content/service.js';
import * as content from '../content/repo.js';
import type { Db, Queryable } from '../platform/db.js';
import { dispatch, recordEvent, type NewEvent } from '../platform/outbox.js';
import type { JobQueue } from '../platform/queue.js';
import type { PushBus } from './bus.js';
import { reasonText, type Firing } from './dwell.js';
import { tenantSettings } from './link-tokens.js';
import { quietUntil } from './quiet-hours.js';
import * as repo from './repo.js';
import type { RuleDefinition } from './schemas.js';
import { renderWecomMarkdown } from './wecom.js';

export interface SignalsDeps {
  db: Db;
  queue: JobQueue;
  config: Config;
  log: FastifyBaseLogger;
  bus: PushBus;
}

export const pushView = (p: repo.PushRow) => ({
  id: p.id,
  seq: p.seq === null ? null : Number(p.seq),
  ruleId: p.rule_id,
  ruleName: p.rule_name,
  leadId: p.lead_id,
  repId: p.rep_id,
  reason: p.reason,
  page: p.page,
  content: p.content,
  status: p.status,
  triggeredAt: new Date(p.trigger_ts).toISOString(),
  deliverAt: new Date(p.deliver_at).toISOString(),
  deliveredAt: p.delivered_at ? new Date(p.delivered_at).toISOString() : null,
  createdAt: new Date(p.created_at).toISOString(),
});
export type PushView = ReturnType<typeof pushView>;

interface Recipient {
  repId: string | null;
  wecomWebhook: string | null;
}

/** The lead's owner when the rule says so and there is one; else the rule's fallback rep and/or WeCom group. */
async function recipientFor(q: Queryable, tenantId: string, rule: RuleDefinition, owner: LeadOwner | undefined): Promise<Recipient> {
  const fallback = rule.recipient.fallback;
  if (rule.recipient.owner && owner?.rep) return { repId: owner.rep.id, wecomWebhook: owner.rep.wecomWebhook ?? fallback?.wecomWebhook ?? null };
  const rep = fallback?.repId ? await getRepContact(q, tenantId, fallback.repId) : undefined;
  return { repId: rep?.id ?? null, wecomWebhook: rep?.wecomWebhook ?? fallback?.wecomWebhook ?? null };
}

async function chooseContent(deps: SignalsDeps, tenantId: string, rule: RuleDefinition, firing: Firing, owner: LeadOwner | undefined): Promise<repo.PushRow['content']> {
  if ('itemId' in rule.content) {
    const item = await content.findItem(deps.db, tenantId, rule.content.itemId);
    return item ? { id: item.id, title: item.title, url: item.url, language: item.language, score: null } : null;
  }
  const best = await bestContentFor(
    deps,
    tenantId,
    { text: [firing.page.title, ...firing.page.tags].filter(Boolean).join(' '), tags: firing.page.tags },
    { industry: owner?.industry, language: rule.content.language, excludeUrls: [firing.page.url] },
  );
  return best ? { id: best.item.id, title: best.item.title, url: best.item.url, language: best.item.language, score: Math.round(best.score * 1000) / 1000 } : null;
}

const windowStart = (triggerTs: number, cooldownMs: number) => new Date(Math.floor(triggerTs / cooldownMs) * cooldownMs);

/**
 * Writes the push for a firing rule, once. Two guards: an advisory lock per rule + lead serialises
 * the cooldown check across workers, and the unique (rule, lead, cooldown window) key makes a
 * retried or concurrent job's second insert a no-op even without the lock. During quiet hours the
 * push is stored as scheduled and released when they end.
 */
export async function firePush(
  deps: SignalsDeps,
  tenantId: string,
  rule: { id: string; definition: RuleDefinition },
  leadId: string,
  firing: Firing,
  seenLast: string | undefined,
  owner: LeadOwner | undefined,
): Promise<repo.PushRow | undefined> {
  const def = rule.definition;
  const [settings, recipient, chosen] = await Promise.all([
    tenantSettings(deps.db, tenantId),
    recipientFor(deps.db, tenantId, def, owner),
    chooseContent(deps, tenantId, def, firing, owner),
  ]);
  const now = new Date();
  const quiet = def.respectQuietHours && settings.quiet_start && settings.quiet_end
    ? quietUntil(now, settings.timezone, { start: settings.quiet_start, end: settings.quiet_end })
    : undefined;
  const result = await deps.db.tx(async (q) => {
    await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`push:${tenantId}:${rule.id}:${leadId}`]);
    // Another worker fired meanwhile: its push stands, and this evaluation was based on old facts.
    if ((await repo.lastPush(q, tenantId, rule.id, leadId))?.id !== seenLast) return undefined;
    const push = await repo.insertPush(q, {
      id: randomUUID(), tenantId, ruleId: rule.id, ruleName: def.name, leadId, repId: recipient.repId,
      windowStart: windowStart(firing.triggerTs, def.cooldownMinutes * 60_000), triggerTs: new Date(firing.triggerTs),
      reason: reasonText(def, firing), page: { url: firing.page.url, title: firing.page.title, dwellMs: firing.page.dwellMs, tags: firing.page.tags, count: firing.page.count },
      content: chosen, deliverAt: quiet ?? null,
    });
    if (!push) return undefined;
    const eventId = push.status === 'delivered' ? await recordPushEvent(q, push, owner, recipient) : undefined;
    return { push, eventId };
  });
  if (!result) return undefined;
  await afterCommit(deps, result.push, result.eventId);
  return result.push;
}

async function recordPushEvent(q: Queryable, push: repo.PushRow, owner: LeadOwner | undefined, recipient: Recipient): Promise<string | undefined> {
  // WeCom rides on the outbox event: the delivery job posts it, outside the signed CRM payload.
  const event: NewEvent = {
    tenantId: push.tenant_id,
    type: 'push.created',
    dedupeKey: `push.created:${push.id}`,
    payload: {
      ...pushView(push),
      lead: owner
        ? { id: owner.leadId, company: owner.company, contactName: owner.contactName, industry: owner.industry, status: owner.status, intentScore: owner.intentScore }
        : { id: push.lead_id },
    },
  };
  if (recipient.wecomWebhook) {
    event.wecom = {
      webhookUrl: recipient.wecomWebhook,
      markdown: renderWecomMarkdown({
        leadLabel: [owner?.company, owner?.contactName].filter(Boolean).join(' ') || push.lead_id,
        reason: push.reason,
        ruleName: push.rule_name,
        content: push.content,
        intentScore: owner?.intentScore ?? null,
      }),
    };
  }
  return recordEvent(q, event);
}

async function afterCommit(deps: SignalsDeps, push: repo.PushRow, eventId: string | undefined): Promise<void> {
  if (push.status === 'scheduled') {
    await scheduleRelease(deps.queue, push.tenant_id, push.id, new Date(push.deliver_at));
    return;
  }
  await dispatch(deps.queue, [eventId]);
  await deps.bus.publish({ tenantId: push.tenant_id, pushId: push.id, seq: Number(push.seq), repId: push.rep_id }).catch((err) => {
    // Live streams miss it, but reconnecting clients replay it from the table.
    deps.log.warn({ err: (err as Error).message, pushId: push.id }, 'push announcement failed');
  });
}

export async function scheduleRelease(queue: JobQueue, tenantId: string, pushId: string, at: Date): Promise<void> {
  await queue.add('signals', { kind: 'release', tenantId, pushId }, `release.${pushId}`, { delayMs: Math.max(0, at.getTime() - Date.now()) });
}

/** Job "signals"/release: a push deferred by quiet hours goes out now (once; a second run finds it delivered). */
export async function releasePush(deps: SignalsDeps, tenantId: string, pushId: string): Promise<void> {
  const pending = await repo.findPush(deps.db, tenantId, pushId);
  if (!pending || pending.status !== 'scheduled') return;
  const owner = await getLeadOwner(deps.db, tenantId, pending.lead_id);
  const rule = await repo.findRule(deps.db, tenantId, pending.rule_id);
  const recipient = rule
    ? await recipientFor(deps.db, tenantId, rule.definition, owner)
    : { repId: pending.rep_id, wecomWebhook: null };
  const result = await deps.db.tx(async (q) => {
    const push = await repo.markDelivered(q, tenantId, pushId);
    if (!push) return undefined;
    return { push, eventId: await recordPushEvent(q, push, owner, { ...recipient, repId: push.rep_id }) };
  });
  if (!result) {
    // Woken early (clock skew between processes): wait for the end of the quiet hours again.
    if (new Date(pending.deliver_at).getTime() > Date.now()) await deps.queue.add('signals', { kind: 'release', tenantId, pushId }, `release.${pushId}.${Date.now()}`, { delayMs: new Date(pending.deliver_at).getTime() - Date.now() });
    return;
  }
  await afterCommit(deps, result.push, result.eventId);
}

/** Embedded queue: delayed jobs do not survive a restart, so deferred pushes are scheduled again. */
export async function rescheduleReleases(deps: SignalsDeps): Promise<number> {
  const rows = await repo.scheduledPushes(deps.db);
  for (const r of rows) await scheduleRelease(deps.queue, r.tenant_id, r.id, new Date(r.deliver_at));
  return rows.length;
}
