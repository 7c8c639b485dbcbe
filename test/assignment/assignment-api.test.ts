import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.js';
import { startReceiver } from '../helpers/receiver.js';
import { assignmentTenant } from './helpers.js';

let t: TestApp;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  receiver = await startReceiver();
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

const tenant = (name: string) => assignmentTenant(t, name);

describe('weighted assignment', () => {
  it('picks the exact-industry rep and explains the score', async () => {
    const { call, rep } = await tenant('assign-basic');
    await rep('r-school', { name: '王磊', industries: ['education/public_school'], capacity: 10 });
    await rep('r-voc', { name: '李娜', industries: ['education/vocational'], capacity: 10 });
    await rep('r-auto', { name: '张伟', industries: ['manufacturing/automotive'], capacity: 10 });
    const res = await call('POST', '/v1/leads', { id: 'L1', source: 'website_form', industry: 'education/public_school', company: '实验中学' });
    expect(res.statusCode, res.body).toBe(201);
    const d = res.json();
    expect(d.repId).toBe('r-school');
    expect(d.breakdown.industry.value).toBe(1);
    expect(d.reasons.join('\n')).toMatch(/industry match 0\.40 × 1\.00/);
    expect(d.reasons.join('\n')).toMatch(/load 0\.30 ×/);
    expect(d.candidates).toHaveLength(3);
    expect(d.candidates[0].repId).toBe('r-school');
    // Same parent beats an unrelated industry.
    const k12 = (await call('POST', '/v1/leads', { id: 'L2', source: 'website_form', industry: 'education/k12' })).json();
    expect(['r-school', 'r-voc']).toContain(k12.repId);
    expect(k12.breakdown.industry.value).toBeCloseTo(0.6);
    // A repeated lead id answers with the first decision.
    const again = await call('POST', '/v1/leads', { id: 'L1', source: 'website_form', industry: 'manufacturing/automotive' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(expect.objectContaining({ repId: 'r-school', duplicate: true }));
  });

  it('routes unknown sources to the pool with the reason, and a rep can claim from it', async () => {
    const { call, rep } = await tenant('assign-pool');
    await rep('r1', { industries: ['chemicals/coatings'], capacity: 5 });
    const d = (await call('POST', '/v1/leads', { id: 'P1', source: 'cold_list', industry: 'chemicals/coatings' })).json();
    expect(d.repId).toBeNull();
    expect(d.pool.reason).toMatch(/cold_list/);
    const claim = await call('POST', '/v1/leads/P1/claim', { repId: 'r1' });
    expect(claim.statusCode, claim.body).toBe(200);
    expect((await call('GET', '/v1/leads/P1')).json()).toEqual(expect.objectContaining({ status: 'assigned', repId: 'r1' }));
    expect((await call('POST', '/v1/leads/P1/claim', { repId: 'r1' })).statusCode).toBe(409);
  });

  it('a lead with repId is recorded with that owner, not scored', async () => {
    const { call, rep } = await tenant('assign-import');
    await rep('r1', { industries: ['packaging/film'], capacity: 1 });
    const d = (await call('POST', '/v1/leads', { id: 'I1', source: 'crm_import', industry: 'agri/fertiliser', repId: 'r1' })).json();
    expect(d).toEqual(expect.objectContaining({ repId: 'r1', score: null, kind: 'import' }));
    const unknown = await call('POST', '/v1/leads', { id: 'I2', source: 'crm_import', industry: 'agri/fertiliser', repId: 'nobody' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('unknown_rep');
  });

  it('turning automatic assignment off sends every lead to the pool', async () => {
    const { call, rep } = await tenant('assign-off');
    await rep('r1', { industries: ['hvac'], capacity: 5 });
    const rules = (await call('GET', '/v1/assignment/rules')).json();
    expect(rules.version).toBe(0);
    const saved = await call('PUT', '/v1/assignment/rules', { ...rules.rules, autoAssign: false });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().version).toBe(1);
    const d = (await call('POST', '/v1/leads', { id: 'O1', source: 'website_form', industry: 'hvac' })).json();
    expect(d.repId).toBeNull();
    expect(d.ruleVersion).toBe(1);
  });

  it('a priority rule sends technical leads to reps with a high solution close rate', async () => {
    const { call, rep } = await tenant('assign-priority');
    await rep('r-generalist', { industries: ['industrial_automation/plc'], capacity: 10 });
    await rep('r-expert', { industries: ['industrial_automation/drives'], capacity: 10 });
    const now = Date.now();
    const outcomes = [
      ...Array.from({ length: 20 }, (_, i) => ({ id: `e${i}`, repId: 'r-expert', segment: 'solution', result: i < 19 ? 'won' : 'lost', closedAt: new Date(now - i * 3600_000).toISOString() })),
      ...Array.from({ length: 20 }, (_, i) => ({ id: `g${i}`, repId: 'r-generalist', segment: 'solution', result: i < 6 ? 'won' : 'lost', closedAt: new Date(now - i * 3600_000).toISOString() })),
    ];
    expect((await call('POST', '/v1/outcomes', { outcomes })).json()).toEqual({ inserted: 40 });
    const rules = (await call('GET', '/v1/assignment/rules')).json().rules;
    const saved = await call('PUT', '/v1/assignment/rules', {
      ...rules,
      priorityRules: [{
        id: 'plc', name: 'PLC leads to solution closers',
        when: [{ field: 'techNeed', op: 'eq', value: 'plc_programming' }],
        action: { type: 'restrict', metric: 'closeRate', segment: 'solution', op: 'gt', threshold: 0.85 },
      }],
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const d = (await call('POST', '/v1/leads', { id: 'T1', source: 'website_form', industry: 'industrial_automation/plc', techNeed: 'plc_programming' })).json();
    expect(d.repId).toBe('r-expert');
    expect(d.reasons.join('\n')).toMatch(/priority rule/);
    // Without the technical need the industry match wins.
    const plain = (await call('POST', '/v1/leads', { id: 'T2', source: 'website_form', industry: 'industrial_automation/plc' })).json();
    expect(plain.repId).toBe('r-generalist');
  });
});

describe('concurrency', () => {
  it('50 concurrent leads never push a rep past capacity', async () => {
    const { call, rep } = await tenant('assign-race');
    await rep('a', { industries: ['fmcg/beverages'], capacity: 7 });
    await rep('b', { industries: ['fmcg/snacks'], capacity: 5 });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call('POST', '/v1/leads', { id: `C${i}`, source: 'website_form', industry: 'fmcg/beverages' })),
    );
    expect(results.map((r) => r.statusCode).filter((s) => s !== 201)).toEqual([]);
    const byRep = new Map<string | null, number>();
    for (const r of results) byRep.set(r.json().repId, (byRep.get(r.json().repId) ?? 0) + 1);
    expect(byRep.get('a')).toBe(7);
    expect(byRep.get('b')).toBe(5);
    expect(byRep.get(null)).toBe(38);
    const reps = (await call('GET', '/v1/reps')).json().items;
    for (const r of reps) expect(r.openLeads).toBeLessThanOrEqual(r.capacity);
    const pooled = results.find((r) => r.json().repId === null)!.json();
    expect(pooled.pool.reason).toMatch(/capacity/);
  });

  it('the same lead posted 20 times at once is assigned once', async () => {
    const { call, rep } = await tenant('assign-dupe');
    await rep('a', { industries: ['fmcg/beverages'], capacity: 50 });
    const results = await Promise.all(Array.from({ length: 20 }, () => call('POST', '/v1/leads', { id: 'SAME', source: 'website_form', industry: 'fmcg/beverages' })));
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(results.every((r) => r.json().repId === 'a')).toBe(true);
    expect((await call('GET', '/v1/reps')).json().items[0].openLeads).toBe(1);
    const log = (await call('GET', '/v1/assignments/log?kind=auto')).json().items;
    expect(log.filter((l: { leadId: string }) => l.leadId === 'SAME')).toHaveLength(1);
  });
});

describe('override and audit', () => {
  it('moves a lead with a reason, audited; refuses inactive or unknown reps', async () => {
    const { call, rep } = await tenant('assign-override');
    await rep('r1', { industries: ['building_materials/tiles'], capacity: 5 });
    await rep('r2', { industries: ['building_materials/glass'], capacity: 5 });
    await rep('r-gone', { industries: ['building_materials/tiles'], capacity: 5, active: false });
    await call('POST', '/v1/leads', { id: 'V1', source: 'trade_show', industry: 'building_materials/tiles' });
    expect((await call('POST', '/v1/leads/V1/override', { repId: 'r-gone', reason: 'knows the buyer' })).json().error.code).toBe('rep_inactive');
    expect((await call('POST', '/v1/leads/V1/override', { repId: 'r2' })).statusCode).toBe(400);
    const otherKey = await t.newTenant('assign-override-other');
    await t.app.inject({ method: 'PUT', url: '/v1/reps/foreign', headers: t.auth(otherKey), payload: { capacity: 5 } });
    expect((await call('POST', '/v1/leads/V1/override', { repId: 'foreign', reason: 'try another tenant' })).json().error.code).toBe('unknown_rep');
    expect((await t.app.inject({ method: 'POST', url: '/v1/leads/V1/override', headers: t.auth(otherKey), payload: { repId: 'foreign', reason: 'steal it' } })).statusCode).toBe(404);
    const ok = await call('POST', '/v1/leads/V1/override', { repId: 'r2', reason: 'r2 knows the buyer' });
    expect(ok.statusCode, ok.body).toBe(200);
    const log = (await call('GET', '/v1/assignments/log?override=true')).json().items;
    expect(log).toHaveLength(1);
    expect(log[0]).toEqual(expect.objectContaining({ leadId: 'V1', repId: 'r2', previousRepId: 'r1', note: 'r2 knows the buyer' }));
    expect(log[0].actor).toBeTruthy();
    const reps = (await call('GET', '/v1/reps')).json().items;
    expect(reps.find((r: { id: string }) => r.id === 'r1').openLeads).toBe(0);
    expect(reps.find((r: { id: string }) => r.id === 'r2').openLeads).toBe(1);
  });
});

describe('first-touch SLA', () => {
  it('re-assigns an untouched lead exactly once per deadline; a touched lead stays', async () => {
    const { call, rep } = await tenant('assign-sla');
    await rep('slow', { industries: ['medical/consumables'], capacity: 5 });
    await rep('backup', { industries: ['medical/devices'], capacity: 5 });
    const rules = (await call('GET', '/v1/assignment/rules')).json().rules;
    // Load balancing off, so both leads go to the industry match "slow" (this test is about the SLA).
    const saved = await call('PUT', '/v1/assignment/rules', { ...rules, loadBalance: { slope: 0, penalty: 0 }, sla: { firstTouchMinutes: 0.02, onBreach: 'reassign' } });
    expect(saved.statusCode, saved.body).toBe(200);
    await call('POST', '/v1/leads', { id: 'S1', source: 'website_form', industry: 'medical/consumables' });
    await call('POST', '/v1/leads', { id: 'S2', source: 'website_form', industry: 'medical/consumables' });
    expect((await call('POST', '/v1/leads/S2/touch', {})).json().slaState).toBe('met');
    const moved = await waitFor(async () => {
      const l = (await call('GET', '/v1/leads/S1')).json();
      return l.repId === 'backup' ? l : undefined;
    }, 15_000, 'SLA re-assignment');
    expect(moved.slaState).toBe('pending');
    await call('POST', '/v1/leads/S1/touch', {});
    await new Promise((r) => setTimeout(r, 2500));
    const log = (await call('GET', '/v1/assignments/log?kind=sla_reassign')).json().items;
    expect(log.filter((l: { leadId: string }) => l.leadId === 'S1')).toHaveLength(1);
    expect(log.filter((l: { leadId: string }) => l.leadId === 'S2')).toHaveLength(0);
    expect((await call('GET', '/v1/leads/S2')).json().repId).toBe('slow');
  });
});

describe('deviations', () => {
  it('finds a rep given off-industry leads three days running, with the evidence', async () => {
    const { call, rep } = await tenant('assign-deviation');
    await rep('r1', { industries: ['textiles/dyes'], capacity: 50 });
    const day = Date.UTC(2026, 10, 20);
    for (let d = 0; d < 3; d++) {
      await t.runtime.db.query(
        `INSERT INTO assignment_log (id, tenant_id, lead_id, kind, rep_id, industry_match, reasons, created_at)
         VALUES (gen_random_uuid(), 'assign-deviation', $1, 'auto', 'r1', 0, '{}', $2)`,
        [`D${d}`, new Date(day - (2 - d) * 86_400_000 + 3_600_000)],
      );
    }
    const res = (await call('GET', '/v1/assignments/deviations?date=2026-11-20')).json();
    expect(res.items[0]).toEqual(expect.objectContaining({ kind: 'off_industry_streak', repId: 'r1' }));
    expect(res.items[0].evidence.map((e: { leadId: string }) => e.leadId)).toEqual(['D0', 'D1', 'D2']);
    const dayBefore = (await call('GET', '/v1/assignments/deviations?date=2026-11-19')).json();
    expect(dayBefore.items.filter((i: { kind: string }) => i.kind === 'off_industry_streak')).toEqual([]);
  });
});

describe('bad input', () => {
  it.each([
    [{ id: 'B1', source: 'website_form', industry: 'Not/A Path' }, 'body.industry'],
    [{ id: 'B1', source: 'website_form' }, 'body.industry'],
    [{ source: 'website_form', industry: 'hvac' }, 'body.id'],
    [{ id: 'B1', source: 'website_form', industry: 'hvac', budgetBand: 'huge' }, 'body.budgetBand'],
    [{ id: 'B1', source: 'website_form', industry: 'hvac', intentScore: 101 }, 'body.intentScore'],
    [{ id: 'B1', source: 'website_form', industry: 'hvac', extra: 1 }, 'body'],
  ])('POST /v1/leads %j → 400 naming %s', async (payload, field) => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/leads', headers: t.auth(), payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
  });

  it('rules whose weights do not sum to 1 are refused, naming weights', async () => {
    const rules = (await t.app.inject({ method: 'GET', url: '/v1/assignment/rules', headers: t.auth() })).json().rules;
    const res = await t.app.inject({ method: 'PUT', url: '/v1/assignment/rules', headers: t.auth(), payload: { ...rules, weights: { industry: 0.5, closeRate: 0.3, load: 0.3 } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_rules');
    expect(res.json().error.message).toMatch(/weights/);
  });

  it("another tenant's lead is 404", async () => {
    const { call, rep } = await tenant('assign-owner');
    await rep('r1', { industries: ['hvac'], capacity: 5 });
    await call('POST', '/v1/leads', { id: 'X1', source: 'website_form', industry: 'hvac', company: '秘密公司' });
    const other = await t.newTenant('assign-snoop');
    const res = await t.app.inject({ method: 'GET', url: '/v1/leads/X1', headers: t.auth(other) });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('秘密公司');
  });
});

describe('brief', () => {
  it('sends lead.assigned with the lead facts and an opener', async () => {
    const { call, rep } = await tenant('assign-brief');
    await call('POST', '/v1/webhooks', { url: receiver.url, events: ['lead.assigned'] });
    await rep('r1', { industries: ['electronics/components'], capacity: 5 });
    await call('POST', '/v1/leads', { id: 'BR1', source: 'website_form', industry: 'electronics/components', company: '华强电子', concerns: ['delivery_supply'] });
    await waitFor(async () => receiver.received.length >= 1, 10_000, 'brief');
    const body = JSON.parse(receiver.received[0]!.body);
    expect(body.type).toBe('lead.assigned');
    expect(body.data).toEqual(expect.objectContaining({ leadId: 'BR1', repId: 'r1' }));
    expect(body.data.lead.company).toBe('华强电子');
    expect(body.data.opener).toMatch(/交期/);
  });
});
