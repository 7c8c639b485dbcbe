import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.js';

let t: TestApp;
let key: string;

beforeAll(async () => {
  t = await createTestApp();
  key = await t.newTenant('inquiry-tenant');
});
afterAll(async () => {
  await t?.close();
});

const post = (inquiries: object[], k = key) => t.app.inject({ method: 'POST', url: '/v1/inquiries', headers: t.auth(k), payload: { inquiries } });
const get = (url: string, k = key) => t.app.inject({ method: 'GET', url, headers: t.auth(k) });
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

// Three topics customers of an automation distributor ask about, in Chinese and English.
const DELIVERY = ['这批伺服电机交期多久？', 'PLC 现货有吗，交货期能不能两周内？', '你们库存够不够，交期太长我们等不起', 'What is the lead time for the servo drives?', '交期可以保证吗？月底前要到货'];
const DOMESTIC = ['有没有国产替代的PLC方案？', '国产化替换进口变频器可靠吗？', '信创要求下国产替代方案怎么选？', 'Do you have a domestic alternative to the imported PLC?', '国产替代以后售后怎么保障？'];
const PRICE = ['批量采购价格能便宜多少？', '这个报价太贵了，预算只有一半', '单价能不能再降一点？', 'Can you give a discount for 500 units?', '价格和别家比没有优势'];

describe('inquiries, hot keywords, themes and decision maps', () => {
  it('ingests a batch, keeps near-duplicates from one lead once, and reports bad items', async () => {
    const res = await post([
      { text: '这批伺服电机交期多久？', industry: 'industrial_automation/drives', source: 'web_form', leadId: 'L1' },
      { text: '这批伺服电机交期多久？ ', industry: 'industrial_automation/drives', source: 'chat', leadId: 'L1' },
      { text: '', industry: 'industrial_automation/drives', source: 'web_form' },
      { text: '😀😀🎉', industry: 'industrial_automation/drives', source: 'web_form' },
      { text: '交期'.repeat(50_000), industry: 'industrial_automation/drives', source: 'web_form' },
    ]);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ accepted: 2, duplicates: 1, truncated: 1, rejected: [expect.objectContaining({ index: 2 }), expect.objectContaining({ index: 3 })] });
  });

  it.each([
    [{ inquiries: [{ text: 'x', industry: 'Not An/Industry', source: 'web' }] }, 'body.inquiries.0.industry'],
    [{ inquiries: [{ text: 'x', source: 'web' }] }, 'body.inquiries.0.industry'],
    [{ inquiries: [] }, 'body.inquiries'],
    [{ inquiries: Array.from({ length: 1001 }, () => ({ text: 'x', industry: 'a', source: 'web' })) }, 'body.inquiries'],
    [{ inquiries: [{ text: 'x'.repeat(100_001), industry: 'a', source: 'web' }] }, 'body.inquiries.0.text'],
  ])('rejects %# with 400 naming the field', async (payload, field) => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/inquiries', headers: t.auth(key), payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
  });

  it('hot keywords count the window, compare it with the one before and flag bursts', async () => {
    const industry = 'industrial_automation/plc';
    // Previous window (31–59 days ago): delivery once; current window: delivery 6×, domestic substitution 5×.
    await post([{ text: '交期大概多久？', industry, source: 'web_form', ts: daysAgo(40), leadId: 'old' }]);
    await post(DELIVERY.concat(['交期能保证吗，下个月要用']).map((text, i) => ({ text, industry, source: 'web_form', ts: daysAgo(i + 1), leadId: `d${i}` })));
    await post(DOMESTIC.map((text, i) => ({ text, industry, source: 'chat', ts: daysAgo(i + 2), leadId: `n${i}` })));
    const res = (await get(`/v1/inquiries/hot-keywords?industry=${industry}&days=30`)).json();
    expect(res.inquiries).toBe(11);
    const byTerm = new Map(res.items.map((i: { term: string }) => [i.term, i]));
    const delivery = byTerm.get('交期') as { count: number; previous: number; growth: number; burst: boolean; share: number };
    expect(delivery.count).toBeGreaterThanOrEqual(5);
    expect(delivery.previous).toBe(1);
    expect(delivery.growth).toBeGreaterThan(2);
    expect(delivery.burst).toBe(true);
    expect(delivery.share).toBeCloseTo(delivery.count / 11, 2);
    const domestic = byTerm.get('国产替代') as { count: number; growth: number | null };
    expect(domestic.count).toBeGreaterThanOrEqual(4);
    expect(domestic.growth).toBeNull();
    // Another tenant sees nothing of this.
    const other = await t.newTenant('inquiry-other');
    expect((await get(`/v1/inquiries/hot-keywords?industry=${industry}`, other)).json().items).toEqual([]);
  });

  it('themes group the inquiries by topic, with labels, representatives and paged member ids', async () => {
    const industry = 'industrial_automation/themes';
    const all = [...DELIVERY, ...DOMESTIC, ...PRICE];
    await post(all.map((text, i) => ({ text, industry, source: 'web_form', ts: daysAgo(1), leadId: `t${i}` })));
    // computed by a job: 202 with progress until the result is stored
    const res = await waitFor(async () => {
      const r = await get(`/v1/inquiries/themes?industry=${industry}&days=30&pageSize=2`);
      return r.statusCode === 200 ? (r.json() as { inquiries: number; themes: { label: string; members: { total: number; ids: string[] }; representatives: unknown[] }[] }) : undefined;
    }, 60_000, 'themes');
    expect(res.inquiries).toBe(15);
    expect(res.themes.length).toBeGreaterThanOrEqual(2);
    const total = res.themes.reduce((s: number, th: { members: { total: number } }) => s + th.members.total, 0);
    expect(total).toBe(15);
    for (const th of res.themes) {
      expect(th.label.length).toBeGreaterThan(0);
      expect(th.members.ids.length).toBeLessThanOrEqual(2);
      expect(th.representatives.length).toBeGreaterThan(0);
    }
  });

  it('a decision map: JSON shape, Markdown, and HTML that escapes hostile text', async () => {
    const industry = 'industrial_automation/maps';
    const hostile = '<script>alert(1)</script>交期到底多久？';
    // The content library has a delivery-time guide for this industry and an unrelated item for another.
    const addContent = (payload: object) => t.app.inject({ method: 'POST', url: '/v1/content', headers: t.auth(key), payload });
    expect((await addContent({ title: '伺服电机交期与现货库存说明', url: 'https://example.com/lead-times', language: 'zh', industries: ['industrial_automation'], tags: ['交期', '现货', 'delivery_supply'], description: '交期 现货 库存 交货期 到货 lead time' })).statusCode).toBe(201);
    expect((await addContent({ title: '医院信息系统白皮书', url: 'https://example.com/his', language: 'zh', industries: ['healthcare'], tags: ['交期'], description: '交期 现货 库存' })).statusCode).toBe(201);
    await post([...DELIVERY, ...DOMESTIC, hostile].map((text, i) => ({ text, industry, source: 'web_form', ts: daysAgo(1), leadId: `m${i}` })));
    const req = await t.app.inject({ method: 'POST', url: '/v1/decision-maps', headers: t.auth(key), payload: { industry, days: 30 } });
    expect(req.statusCode).toBe(202);
    const id = req.json().id;
    const done = await waitFor(async () => {
      const r = (await get(`/v1/decision-maps/${id}.json`)).json();
      return r.status === 'done' ? r : r.status === 'failed' ? Promise.reject(new Error(r.error)) : undefined;
    }, 30_000, 'map');
    expect(done.progress).toBe(100);
    expect(done.map).toEqual(expect.objectContaining({ industry, days: 30, inquiries: 11 }));
    const theme = done.map.themes[0];
    expect(Object.keys(theme).sort()).toEqual(['concerns', 'content', 'growth', 'label', 'questions', 'size', 'talkingPoints', 'terms']);
    const codes = done.map.themes.flatMap((th: { concerns: { code: string }[] }) => th.concerns.map((c) => c.code));
    expect(codes).toEqual(expect.arrayContaining(['delivery_supply', 'domestic_substitution']));
    // The delivery theme is matched to the delivery guide of this industry; the other industry's item is never offered.
    const deliveryTheme = done.map.themes.find((th: { concerns: { code: string }[] }) => th.concerns.some((c) => c.code === 'delivery_supply'));
    expect(deliveryTheme.content).toEqual([{ title: '伺服电机交期与现货库存说明', url: 'https://example.com/lead-times' }]);
    const offered = done.map.themes.flatMap((th: { content: { url: string }[] }) => th.content.map((c) => c.url));
    expect(offered).not.toContain('https://example.com/his');
    const md = await get(`/v1/decision-maps/${id}.md`);
    expect(md.headers['content-type']).toMatch(/text\/markdown/);
    expect(md.body).toContain('# industrial\\_automation/maps — decision map');
    const html = await get(`/v1/decision-maps/${id}.html`);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.body).not.toContain('<script>alert(1)</script>');
    expect(html.body).toContain('<a href="https://example.com/lead-times" rel="noopener">伺服电机交期与现货库存说明</a>');
    expect(md.body).toContain('[伺服电机交期与现货库存说明](https://example.com/lead-times)');
    expect(html.body).toContain('/assets/echarts.min.js');
    const asset = await t.app.inject({ method: 'GET', url: '/assets/echarts.min.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.body.length).toBeGreaterThan(100_000);
  });

  it('a map for an industry with no inquiries fails with a clear reason; other tenants get 404', async () => {
    const req = await t.app.inject({ method: 'POST', url: '/v1/decision-maps', headers: t.auth(key), payload: { industry: 'nothing/here', days: 30 } });
    const id = req.json().id;
    const failed = await waitFor(async () => {
      const r = (await get(`/v1/decision-maps/${id}`)).json();
      return r.status === 'failed' ? r : undefined;
    }, 20_000, 'failure');
    expect(failed.error).toMatch(/no inquiries/);
    expect((await get(`/v1/decision-maps/${id}.html`)).statusCode).toBe(409);
    expect((await get(`/v1/decision-maps/${id}`, await t.newTenant('map-snoop'))).statusCode).toBe(404);
    expect((await get(`/v1/decision-maps/not-an-id.html`)).statusCode).toBe(400);
  });
});
