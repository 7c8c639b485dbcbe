// The in-memory tenant state (src/assignment/state.ts) against changes it did not make itself:
// what another API process (or a manual SQL fix) does to reps, rules and loads must be honoured
// by the next assignment. "Another process" is played by SQL on the same database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { assignmentTenant } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function tenant(name: string) {
  const { call, rep } = await assignmentTenant(t, name);
  const post = async (id: string, extra: object = {}) => {
    const res = await call('POST', '/v1/leads', { id, source: 'website_form', industry: 'energy/solar', ...extra });
    expect([200, 201], res.body).toContain(res.statusCode);
    return res.json() as { repId: string | null; ruleVersion: number; pool?: { reason: string }; reasons: string[] };
  };
  const sql = (text: string, params: unknown[] = []) => t.runtime.db.query(text, params);
  return { call, rep, post, sql };
}

describe('changes made outside this process', () => {
  it('a rep deactivated by SQL gets no more leads (the version counter moved)', async () => {
    const { rep, post, sql } = await tenant('state-deactivate');
    await rep('solar', { industries: ['energy/solar'], capacity: 50 });
    await rep('wind', { industries: ['energy/wind'], capacity: 50 });
    expect((await post('A1')).repId).toBe('solar'); // the state is now cached
    await sql(`UPDATE reps SET active = false, updated_at = now() WHERE tenant_id = 'state-deactivate' AND id = 'solar'`);
    expect((await post('A2')).repId).toBe('wind');
  });

  it('a rep whose capacity was lowered by SQL is never pushed past it, even with a stale cache', async () => {
    const { rep, post, sql, call } = await tenant('state-capacity');
    await rep('solar', { industries: ['energy/solar'], capacity: 50 });
    await rep('wind', { industries: ['energy/wind'], capacity: 50 });
    expect((await post('C1')).repId).toBe('solar');
    // The load column alone (no version bump): the cache still believes solar has room.
    await sql(`UPDATE reps SET open_leads = capacity WHERE tenant_id = 'state-capacity' AND id = 'solar'`);
    const d = await post('C2');
    expect(d.repId).toBe('wind');
    const reps = (await call('GET', '/v1/reps')).json().items as { id: string; openLeads: number; capacity: number }[];
    for (const r of reps) expect(r.openLeads).toBeLessThanOrEqual(r.capacity);
  });

  it('a rule set saved by another process applies to the next lead', async () => {
    const { rep, post, sql } = await tenant('state-rules');
    await rep('solar', { industries: ['energy/solar'], capacity: 50 });
    expect((await post('R1')).ruleVersion).toBe(0);
    await sql(`INSERT INTO assignment_rule_sets (tenant_id, version, rules) VALUES ('state-rules', 1, '{"autoAssign": false}')`);
    const d = await post('R2');
    expect(d.repId).toBeNull();
    expect(d.ruleVersion).toBe(1);
    expect(d.pool?.reason).toMatch(/switched off/);
  });

  it('a rep created by another process is considered', async () => {
    const { rep, post, sql } = await tenant('state-new-rep');
    await rep('wind', { industries: ['energy/wind'], capacity: 50 });
    expect((await post('N1')).repId).toBe('wind');
    await sql(`INSERT INTO reps (tenant_id, id, industries, capacity) VALUES ('state-new-rep', 'solar', '{energy/solar}', 50)`);
    expect((await post('N2')).repId).toBe('solar');
  });

  it('slots freed elsewhere: the lead is assigned, not pooled on the strength of an old view', async () => {
    const { rep, post, sql } = await tenant('state-freed');
    await rep('solar', { industries: ['energy/solar'], capacity: 1 });
    expect((await post('F1')).repId).toBe('solar');
    expect((await post('F2')).repId).toBeNull(); // full: pooled (and this view says so)
    await sql(`UPDATE reps SET open_leads = 0 WHERE tenant_id = 'state-freed' AND id = 'solar'`); // e.g. the CRM closed F1 elsewhere
    expect((await post('F3')).repId).toBe('solar');
  });
});

describe('batched writes', () => {
  it('concurrent leads with one repeated id: the others are assigned, the repeat answers the first decision', async () => {
    const { rep, call } = await tenant('state-batch-dupe');
    await rep('solar', { industries: ['energy/solar'], capacity: 100 });
    await call('POST', '/v1/leads', { id: 'D0', source: 'website_form', industry: 'energy/solar' });
    const ids = ['D0', ...Array.from({ length: 20 }, (_, i) => `D${i + 1}`), 'D5'];
    const results = await Promise.all(ids.map((id) => call('POST', '/v1/leads', { id, source: 'website_form', industry: 'energy/solar' })));
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(20);
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    expect(results.every((r) => r.json().repId === 'solar')).toBe(true);
    expect((await call('GET', '/v1/reps')).json().items[0].openLeads).toBe(21);
    const log = (await call('GET', '/v1/assignments/log?kind=auto&limit=1000')).json().items as { leadId: string }[];
    expect(log).toHaveLength(21);
    expect(new Set(log.map((l) => l.leadId)).size).toBe(21);
  });

  it('concurrent pool leads (source not automatic) with a repeated id share statements with assignments; each is filed once', async () => {
    const { rep, call, sql } = await tenant('state-batch-pool');
    await rep('solar', { industries: ['energy/solar'], capacity: 100 });
    const posts = [
      ...Array.from({ length: 15 }, (_, i) => ({ id: `P${i}`, source: 'cold_list', industry: 'energy/solar' })),
      { id: 'P3', source: 'cold_list', industry: 'energy/solar' },
      ...Array.from({ length: 15 }, (_, i) => ({ id: `A${i}`, source: 'website_form', industry: 'energy/solar' })),
    ];
    const results = await Promise.all(posts.map((p) => call('POST', '/v1/leads', p)));
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, ...Array(30).fill(201)]);
    expect(results.filter((r) => r.json().pool?.reason.includes('cold_list'))).toHaveLength(16);
    const [counts] = await sql(
      `SELECT (SELECT count(*)::int FROM leads WHERE tenant_id = $1 AND status = 'pool') AS pool,
              (SELECT count(*)::int FROM assignment_log WHERE tenant_id = $1 AND kind = 'pool') AS pool_logs,
              (SELECT count(*)::int FROM leads WHERE tenant_id = $1 AND status = 'assigned') AS assigned`,
      ['state-batch-pool'],
    );
    expect(counts).toEqual({ pool: 15, pool_logs: 15, assigned: 15 });
  });

  it('100 concurrent leads over 3 small reps: exact capacity, one log row and one outbox event per assignment', async () => {
    const { rep, call, sql } = await tenant('state-batch-cap');
    await rep('a', { industries: ['energy/solar'], capacity: 9 });
    await rep('b', { industries: ['energy/solar'], capacity: 4 });
    await rep('c', { industries: ['energy/wind'], capacity: 2 });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => call('POST', '/v1/leads', { id: `B${i}`, source: 'website_form', industry: 'energy/solar', intentScore: i })),
    );
    expect(results.map((r) => r.statusCode).filter((s) => s !== 201)).toEqual([]);
    const byRep = new Map<string | null, number>();
    for (const r of results) byRep.set(r.json().repId, (byRep.get(r.json().repId) ?? 0) + 1);
    expect(Object.fromEntries(byRep)).toEqual({ a: 9, b: 4, c: 2, null: 85 });
    const [counts] = await sql(
      `SELECT (SELECT count(*)::int FROM assignment_log WHERE tenant_id = $1 AND kind = 'auto') AS auto,
              (SELECT count(*)::int FROM outbox_events WHERE tenant_id = $1 AND type = 'lead.assigned') AS events,
              (SELECT count(*)::int FROM leads WHERE tenant_id = $1 AND status = 'assigned') AS assigned,
              (SELECT count(*)::int FROM leads WHERE tenant_id = $1 AND status = 'pool') AS pool`,
      ['state-batch-cap'],
    );
    expect(counts).toEqual({ auto: 15, events: 15, assigned: 15, pool: 85 });
  });

  it('with no webhook subscribed the brief is recorded as dispatched (nothing to deliver)', async () => {
    const { rep, post, sql } = await tenant('state-nosub');
    await rep('solar', { industries: ['energy/solar'], capacity: 5 });
    await post('W1');
    const rows = await sql(`SELECT dispatched_at FROM outbox_events WHERE tenant_id = 'state-nosub' AND type = 'lead.assigned'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.dispatched_at).not.toBeNull();
  });
});

describe('intent score in priority rules (through the API)', () => {
  it('intentScore ≥ 70 → reps with a high close rate first', async () => {
    const { rep, call, post } = await tenant('state-intent');
    await rep('fit', { industries: ['energy/solar'], capacity: 20 });
    await rep('closer', { industries: ['energy/wind'], capacity: 20 });
    const now = Date.now();
    const outcomes = [
      ...Array.from({ length: 20 }, (_, i) => ({ id: `c${i}`, repId: 'closer', segment: 'energy', result: i < 18 ? 'won' : 'lost', closedAt: new Date(now - i * 3_600_000).toISOString() })),
      ...Array.from({ length: 20 }, (_, i) => ({ id: `f${i}`, repId: 'fit', segment: 'energy', result: i < 4 ? 'won' : 'lost', closedAt: new Date(now - i * 3_600_000).toISOString() })),
    ];
    expect((await call('POST', '/v1/outcomes', { outcomes })).json()).toEqual({ inserted: 40 });
    const rules = (await call('GET', '/v1/assignment/rules')).json().rules;
    const hot = {
      id: 'hot', name: 'Hot leads to the best closers',
      when: [{ field: 'intentScore', op: 'gte', value: 70 }],
      action: { type: 'restrict', metric: 'closeRate', op: 'gt', threshold: 0.6 },
    };
    const saved = await call('PUT', '/v1/assignment/rules', { ...rules, priorityRules: [hot] });
    expect(saved.statusCode, saved.body).toBe(200);
    const d = await post('H1', { intentScore: 85 });
    expect(d.repId).toBe('closer');
    expect(d.reasons.join('\n')).toMatch(/priority rule hot: intentScore ≥ 70/);
    const h2 = await post('H2', { intentScore: 40 });
    expect(h2.repId).toBe('fit');
    expect(h2.reasons.join('\n')).not.toMatch(/priority rule hot/);
    expect((await post('H3')).reasons.join('\n')).not.toMatch(/priority rule hot/); // no score: the rule does not apply
  });

  it('bad intentScore rules → 400 naming the field, nothing saved', async () => {
    const { call } = await tenant('state-intent-bad');
    const base = { id: 'x', name: 'x', action: { type: 'restrict', metric: 'closeRate', op: 'gt', threshold: 0.5 } };
    for (const [when, field] of [
      [{ field: 'intentScore', op: 'eq', value: 70 }, 'body.priorityRules.0.when.0.op'],
      [{ field: 'intentScore', op: 'gte', value: 1e9 }, 'body.priorityRules.0.when.0.value'],
      [{ field: 'intentScore', op: 'gte', value: '70; DROP TABLE reps' }, 'body.priorityRules.0.when.0.value'],
      [{ field: 'region', op: 'lt', value: 3 }, 'body.priorityRules.0.when.0.op'],
    ] as const) {
      const err = expectError(await call('PUT', '/v1/assignment/rules', { priorityRules: [{ ...base, when: [when] }] }), 400, 'invalid_rules');
      expect((err.details as { fields: { field: string }[] }).fields.map((f) => f.field)).toContain(field);
    }
    expect((await call('GET', '/v1/assignment/rules')).json().version).toBe(0);
  });
});

describe('SLA sweeps (one delayed job per tenant and second)', () => {
  it('a sweep run twice at once re-assigns each overdue lead once; a lead touched late is left alone', async () => {
    const { rep, post, sql, call } = await tenant('state-sweep');
    await rep('slow', { industries: ['energy/solar'], capacity: 10 });
    await rep('backup', { industries: ['energy/wind'], capacity: 10 });
    const rules = (await call('GET', '/v1/assignment/rules')).json().rules;
    await call('PUT', '/v1/assignment/rules', { ...rules, loadBalance: { slope: 0, penalty: 0 } });
    for (const id of ['S1', 'S2', 'S3']) expect((await post(id)).repId).toBe('slow');
    // Their deadlines passed (as if the sweep job ran late); S3 was touched, but after its deadline.
    await sql(`UPDATE leads SET sla_deadline = now() - interval '1 minute' WHERE tenant_id = 'state-sweep'`);
    await sql(`UPDATE leads SET first_touch_at = now() WHERE tenant_id = 'state-sweep' AND id = 'S3'`);
    const { checkSla } = await import('../../src/assignment/service.js');
    await Promise.all([checkSla(t.runtime, { tenantId: 'state-sweep', sweep: true }), checkSla(t.runtime, { tenantId: 'state-sweep', sweep: true })]);
    const log = await sql(`SELECT lead_id, rep_id FROM assignment_log WHERE tenant_id = 'state-sweep' AND kind = 'sla_reassign' ORDER BY lead_id`);
    expect(log).toEqual([{ lead_id: 'S1', rep_id: 'backup' }, { lead_id: 'S2', rep_id: 'backup' }]);
    const leads = await sql(`SELECT id, rep_id, sla_state, sla_round FROM leads WHERE tenant_id = 'state-sweep' ORDER BY id`);
    expect(leads).toEqual([
      { id: 'S1', rep_id: 'backup', sla_state: 'pending', sla_round: 2 },
      { id: 'S2', rep_id: 'backup', sla_state: 'pending', sla_round: 2 },
      { id: 'S3', rep_id: 'slow', sla_state: 'pending', sla_round: 1 },
    ]);
    const reps = await sql(`SELECT id, open_leads FROM reps WHERE tenant_id = 'state-sweep' ORDER BY id`);
    expect(reps).toEqual([{ id: 'backup', open_leads: 2 }, { id: 'slow', open_leads: 1 }]);
  });
});
