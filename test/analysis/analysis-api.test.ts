import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.js';
import { startReceiver } from '../helpers/receiver.js';
import { verify } from '../../src/webhooks/signing.js';

let t: TestApp;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let webhookSecret: string;

// A short call: the customer worries about delivery twice and about price once (negated later for security).
const CALL = [
  { speaker: '销售-李明', role: 'rep', start: 0, end: 5, text: '王总您好，上周发给您的报价单您看过了吗？我们的数据安全是通过等保三级的。' },
  { speaker: '客户-王总', role: 'customer', start: 5.5, end: 11, text: '看了。这批货最快什么时候能到？上一家供应商拖了我们两个月。' },
  { speaker: '销售-李明', role: 'rep', start: 11.5, end: 16, text: '标准品两周，我们苏州仓有现货。' },
  { speaker: '客户-王总', role: 'customer', start: 16.5, end: 22, text: '交期一定要保证，产线等不起。价格嘛，比预算高了一点，能不能再便宜点？' },
  { speaker: '销售-李明', role: 'rep', start: 22.5, end: 26, text: '好的，明天上午我把分批交付计划和新报价发给您。' },
  { speaker: '客户-王总', role: 'customer', start: 26.5, end: 30, text: '行，数据安全这块我们倒不担心。' },
] as const;

beforeAll(async () => {
  receiver = await startReceiver();
  t = await createTestApp({ MAX_ANALYSIS_SEGMENTS: '500' });
  const res = await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: t.auth(), payload: { url: receiver.url, events: ['recording.analyzed'] } });
  webhookSecret = res.json().secret;
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});
beforeEach(() => {
  receiver.received.length = 0;
});

async function importCall(segments: readonly object[], extra: Record<string, unknown> = {}, key = t.adminKey) {
  const res = await t.app.inject({ method: 'POST', url: '/v1/recordings', headers: t.auth(key), payload: { transcript: segments, language: 'zh', ...extra } });
  expect(res.statusCode, res.body).toBe(202);
  return res.json().id as string;
}

async function analysed(id: string, key = t.adminKey) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return waitFor<any>(async () => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/recordings/${id}/analysis`, headers: t.auth(key) });
    return res.statusCode === 200 ? res.json() : undefined;
  }, 20_000, `analysis of ${id}`);
}

describe('analysis of an imported transcript', () => {
  it('raises the customer’s concerns with verbatim evidence, metrics, summary and next steps', async () => {
    const id = await importCall(CALL, { externalId: 'crm-analysis-1', leadId: 'lead-9' });
    const a = await analysed(id);
    expect(a.engine).toBe('lexicon');
    const codes = a.concerns.map((c: { code: string }) => c.code);
    expect(codes).toContain('delivery_supply');
    expect(codes).toContain('price_budget');
    // Raised only by the rep, and negated by the customer.
    expect(codes).not.toContain('security_compliance');
    const delivery = a.concerns.find((c: { code: string }) => c.code === 'delivery_supply');
    expect(delivery.mentions).toBeGreaterThanOrEqual(2);
    const price = a.concerns.find((c: { code: string }) => c.code === 'price_budget');
    expect(delivery.confidence).toBeGreaterThan(price.confidence);
    for (const c of a.concerns) {
      for (const e of c.evidence) {
        const seg = CALL.find((s) => s.role === 'customer' && s.text.includes(e.quote));
        expect(seg, `quote "${e.quote}" is verbatim customer text`).toBeDefined();
        expect(e.start).toBeGreaterThanOrEqual(seg!.start);
        expect(e.end).toBeLessThanOrEqual(seg!.end);
        expect(e.speaker).toBe('customer');
      }
      expect(c.suggestion.length).toBeGreaterThan(0);
    }
    expect(a.metrics.durationSec).toBe(30);
    expect(a.metrics.repQuestions).toBeGreaterThanOrEqual(1);
    expect(a.metrics.customerQuestions).toBeGreaterThanOrEqual(2);
    expect(a.metrics.talkRatio.rep + a.metrics.talkRatio.customer).toBeCloseTo(1, 2);
    expect(a.summary.length).toBeGreaterThan(0);
    expect(a.nextSteps.join(' ')).toMatch(/明天/);

    const rec = (await t.app.inject({ method: 'GET', url: `/v1/recordings/${id}`, headers: t.auth() })).json();
    expect(rec.status).toBe('analyzed');
  });

  it('sends one signed recording.analyzed webhook carrying the analysis', async () => {
    const id = await importCall(CALL, { externalId: 'crm-analysis-webhook' });
    await analysed(id);
    await waitFor(async () => receiver.received.length >= 1, 10_000, 'webhook');
    await new Promise((r) => setTimeout(r, 300));
    const mine = receiver.received.filter((r) => JSON.parse(r.body).data.recordingId === id);
    expect(mine).toHaveLength(1);
    expect(verify(webhookSecret, mine[0]!.body, String(mine[0]!.headers['x-dealsense-signature']))).toBe(true);
    const body = JSON.parse(mine[0]!.body);
    expect(body.type).toBe('recording.analyzed');
    expect(body.data.externalId).toBe('crm-analysis-webhook');
    expect(body.data.analysis.concerns.map((c: { code: string }) => c.code)).toContain('delivery_supply');
  });

  it('a rep-only transcript is analysed with no concerns', async () => {
    const id = await importCall([CALL[0], CALL[2], CALL[4]]);
    const a = await analysed(id);
    expect(a.concerns).toEqual([]);
    expect(a.metrics.talkRatio.customer).toBe(0);
  });

  it('answers 409 not_analyzed before analysis and 404 for another tenant', async () => {
    const other = await t.newTenant('analysis-other');
    const id = await importCall(CALL);
    const res = await t.app.inject({ method: 'GET', url: `/v1/recordings/${id}/analysis`, headers: t.auth(other) });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('王总');
    const missing = await t.app.inject({ method: 'GET', url: `/v1/recordings/00000000-0000-4000-8000-000000000000/analysis`, headers: t.auth() });
    expect(missing.statusCode).toBe(404);
  });

  it('a transcript over MAX_ANALYSIS_SEGMENTS fails with a clear reason', async () => {
    const many = Array.from({ length: 501 }, (_, i) => ({ speaker: i % 2 ? '客户' : '销售', start: i, end: i + 0.9, text: `第${i}句` }));
    const id = await importCall(many);
    const rec = await waitFor<any>(async () => {
      const r = (await t.app.inject({ method: 'GET', url: `/v1/recordings/${id}`, headers: t.auth() })).json();
      return r.status === 'failed' ? r : undefined;
    }, 20_000, 'failure');
    expect(rec.error.code).toBe('too_many_segments');
    expect(rec.error.message).toMatch(/MAX_ANALYSIS_SEGMENTS/);
    // The transcript is kept and shown.
    expect(rec.transcript.segments).toHaveLength(501);
    const analysis = await t.app.inject({ method: 'GET', url: `/v1/recordings/${id}/analysis`, headers: t.auth() });
    expect(analysis.statusCode).toBe(409);
    expect(analysis.json().error.code).toBe('not_analyzed');
  });

  it('an import of 100,000 segments is refused with the limit named', async () => {
    const many = Array.from({ length: 100_000 }, (_, i) => ({ start: i, end: i + 1, text: 'x' }));
    const res = await t.app.inject({ method: 'POST', url: '/v1/recordings', headers: t.auth(), payload: { transcript: many } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/body\.transcript/);
  });
});

describe('tenant taxonomy additions', () => {
  it('a new code with triggers is used by the next analysis; an unknown code is refused', async () => {
    const tenantKey = await t.newTenant('taxonomy-tenant');
    const bad = await t.app.inject({
      method: 'PUT', url: '/v1/concerns/taxonomy/additions', headers: t.auth(tenantKey),
      payload: { extend: { no_such_code: { triggers: { zh: { strong: ['某词'] } } } } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_taxonomy');
    expect(bad.json().error.message).toMatch(/no_such_code/);

    const ok = await t.app.inject({
      method: 'PUT', url: '/v1/concerns/taxonomy/additions', headers: t.auth(tenantKey),
      payload: {
        codes: [{
          code: 'packaging_spec', label: { zh: '包装规格顾虑', en: 'packaging spec' }, suggestion: { zh: '提供包装样品。', en: 'Send packaging samples.' },
          triggers: { zh: { strong: ['托盘尺寸'] }, en: { strong: ['pallet size'] } },
        }],
      },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().codes).toContain('packaging_spec');
    const id = await importCall([
      { speaker: '销售', role: 'rep', start: 0, end: 3, text: '您好。' },
      { speaker: '客户', role: 'customer', start: 3, end: 8, text: '托盘尺寸跟我们仓库的货架对不上，这个得先确认。' },
    ], {}, tenantKey);
    const a = await analysed(id, tenantKey);
    expect(a.concerns.map((c: { code: string }) => c.code)).toContain('packaging_spec');
    // Other tenants keep the built-in taxonomy.
    const tax = (await t.app.inject({ method: 'GET', url: '/v1/concerns/taxonomy', headers: t.auth() })).json();
    expect(tax.codes.map((c: { code: string }) => c.code)).not.toContain('packaging_spec');
    expect(tax.codes).toHaveLength(12);
  });
});

describe('PII redaction setting', () => {
  it('masks phone numbers and emails in transcripts stored after it is switched on', async () => {
    const key = await t.newTenant('redacting-tenant');
    const put = await t.app.inject({ method: 'PUT', url: '/v1/settings', headers: t.auth(key), payload: { redactPii: true } });
    expect(put.json()).toEqual({ redactPii: true });
    const id = await importCall([
      { speaker: '客户', role: 'customer', start: 0, end: 5, text: '我手机是13812345678，邮箱wang@example.com，报价单发我。' },
    ], {}, key);
    const rec = (await t.app.inject({ method: 'GET', url: `/v1/recordings/${id}`, headers: t.auth(key) })).json();
    expect(rec.transcript.segments[0].text).not.toMatch(/13812345678|wang@example\.com/);
    expect(rec.transcript.segments[0].text).toMatch(/\[PHONE\].*\[EMAIL\]/);
    const bad = await t.app.inject({ method: 'PUT', url: '/v1/settings', headers: t.auth(key), payload: { redactPii: 'yes' } });
    expect(bad.statusCode).toBe(400);
  });
});

describe('call search', () => {
  it('ranks the call that talks about the query first and returns matching segments with times', async () => {
    const key = await t.newTenant('search-tenant');
    const delivery = await importCall(CALL, {}, key);
    const other = await importCall([
      { speaker: '销售', role: 'rep', start: 0, end: 4, text: '这次培训安排在下周二，讲师是我们的应用工程师。' },
      { speaker: '客户', role: 'customer', start: 4, end: 9, text: '培训名额能不能多给两个？我们新来了几个操作工。' },
    ], {}, key);
    await analysed(delivery, key);
    await analysed(other, key);
    const res = await t.app.inject({ method: 'GET', url: `/v1/search/calls?q=${encodeURIComponent('交期 供应商拖')}`, headers: t.auth(key) });
    expect(res.statusCode).toBe(200);
    const items = res.json().items;
    expect(items[0].recordingId).toBe(delivery);
    expect(items[0].segments[0].text).toMatch(/交期|供应商/);
    expect(items[0].segments[0].start).toBeGreaterThan(0);
    const training = (await t.app.inject({ method: 'GET', url: `/v1/search/calls?q=${encodeURIComponent('培训名额')}`, headers: t.auth(key) })).json();
    expect(training.items[0].recordingId).toBe(other);
    // Another tenant's search sees none of these calls.
    const foreign = (await t.app.inject({ method: 'GET', url: `/v1/search/calls?q=${encodeURIComponent('交期')}`, headers: t.auth(await t.newTenant('search-foreign')) })).json();
    expect(foreign.items).toEqual([]);
  });

  it.each([
    ['', 'querystring.q'],
    ['x'.repeat(501), 'querystring.q'],
  ])('rejects q=%j', async (q, field) => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/search/calls?q=${encodeURIComponent(q)}`, headers: t.auth() });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.fields[0].field).toBe(field);
  });

  it('treats LIKE wildcards in the query as text', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/search/calls?q=${encodeURIComponent('%_%')}`, headers: t.auth() });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([]);
  });
});
