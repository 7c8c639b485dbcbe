import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bestContentFor } from '../../src/content/service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { signalsTenant } from '../signals/helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const item = (over: Record<string, unknown> = {}) => ({
  title: 'GDPR/PIPL 合规检查清单', url: 'https://www.example.com/checklists/gdpr-pipl', language: 'zh', industries: ['manufacturing'],
  tags: ['security', 'compliance'], description: '数据安全 合规 个人信息保护法 检查清单', ...over,
});

describe('content library', () => {
  it('creates, lists, reads, replaces and deletes items; each is embedded', async () => {
    const { ok, call } = await signalsTenant(t, 'content-crud');
    const created = await ok('POST', '/v1/content', item(), 201);
    expect(created).toMatchObject({ title: 'GDPR/PIPL 合规检查清单', language: 'zh', industries: ['manufacturing'], tags: ['security', 'compliance'], embedded: true });
    const rows = await t.runtime.db.query<{ dims: number; model: string }>('SELECT dims, model FROM content_items WHERE id = $1', [created.id]);
    expect(rows[0]!.dims).toBe(t.config.EMBEDDINGS_DIMENSIONS);
    expect((await ok('GET', '/v1/content')).items).toHaveLength(1);
    expect((await ok('GET', '/v1/content?language=en')).items).toHaveLength(0);
    expect((await ok('GET', '/v1/content?tag=compliance')).items).toHaveLength(1);
    expect((await ok('GET', `/v1/content/${created.id}`)).id).toBe(created.id);
    const replaced = await ok('PUT', `/v1/content/${created.id}`, item({ title: 'PIPL checklist', language: 'en' }));
    expect(replaced).toMatchObject({ id: created.id, title: 'PIPL checklist', language: 'en' });
    expectError(await call('POST', '/v1/content', item({ title: 'again' })), 409, 'duplicate_url');
    expect((await call('DELETE', `/v1/content/${created.id}`)).statusCode).toBe(204);
    expectError(await call('GET', `/v1/content/${created.id}`), 404, 'not_found');
  });

  it('rejects bad items naming the field', async () => {
    const { call } = await signalsTenant(t, 'content-bad');
    const bad = async (body: unknown, field: string) => expectError(await call('POST', '/v1/content', body), 400, 'validation_error', field);
    await bad(item({ title: '' }), 'body.title');
    await bad(item({ url: 'javascript:alert(1)' }), 'body.url');
    await bad(item({ url: `https://x.example/${'a'.repeat(2100)}` }), 'body.url');
    await bad(item({ language: 'fr' }), 'body.language');
    await bad(item({ industries: ['Bad Industry'] }), 'body.industries.0');
    await bad(item({ tags: ['<img src=x>'] }), 'body.tags.0');
    await bad(item({ tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }), 'body.tags');
    await bad(item({ description: 'x'.repeat(5001) }), 'body.description');
    await bad({ ...item(), admin: true }, 'body');
    expectError(await call('GET', '/v1/content/not-a-uuid'), 400, 'validation_error', 'params.id');
    expectError(await call('GET', '/v1/content?limit=100000'), 400, 'validation_error', 'querystring.limit');
    const reader = await t.newTenant('content-bad', ['read']);
    expectError(await t.app.inject({ method: 'POST', url: '/v1/content', headers: t.auth(reader), payload: item() }), 403, 'forbidden');
    expect((await call('GET', '/v1/content')).json().items).toEqual([]);
  });

  it("another tenant's items answer 404 and are never recommended", async () => {
    const a = await signalsTenant(t, 'content-iso-a');
    const b = await signalsTenant(t, 'content-iso-b');
    const created = await a.ok('POST', '/v1/content', item(), 201);
    expectError(await b.call('GET', `/v1/content/${created.id}`), 404, 'not_found');
    expectError(await b.call('PUT', `/v1/content/${created.id}`, item()), 404, 'not_found');
    expectError(await b.call('DELETE', `/v1/content/${created.id}`), 404, 'not_found');
    expect((await b.ok('GET', '/v1/content/recommend?text=数据安全&tags=security')).best).toBeNull();
    // B may use the same URL for its own item.
    await b.ok('POST', '/v1/content', item(), 201);
  });

  it('bestContentFor: nearest by embedding and tags, within language and industry, never the page itself', async () => {
    const { ok } = await signalsTenant(t, 'content-best');
    const paper = await ok('POST', '/v1/content', item({ title: '数据安全白皮书', url: 'https://www.example.com/whitepapers/data-security', tags: ['security'], description: '数据安全 加密 合规' }), 201);
    const checklist = await ok('POST', '/v1/content', item(), 201);
    const plc = await ok('POST', '/v1/content', item({ title: 'PLC 产线改造案例', url: 'https://www.example.com/cases/plc', tags: ['automation'], description: 'PLC 产线 自动化 改造 节拍' }), 201);
    const en = await ok('POST', '/v1/content', item({ title: 'Data security checklist', url: 'https://www.example.com/en/checklist', language: 'en', tags: ['security'], description: 'GDPR data security compliance checklist' }), 201);
    const edu = await ok('POST', '/v1/content', item({ title: '校园数据安全方案', url: 'https://www.example.com/edu/security', industries: ['education'], tags: ['security'] }), 201);
    const deps = t.runtime;
    const best = await bestContentFor(deps, 'content-best', { text: '数据安全白皮书 security', tags: ['security'] }, { language: 'zh', industry: 'manufacturing/automotive', excludeUrls: [paper.url] });
    expect(best?.item.id).toBe(checklist.id);
    expect(best!.similarity).toBeGreaterThan(0);
    const automation = await bestContentFor(deps, 'content-best', { text: 'PLC 自动化产线', tags: [] }, { language: 'zh', industry: 'manufacturing' });
    expect(automation?.item.id).toBe(plc.id);
    const english = await bestContentFor(deps, 'content-best', { text: 'data security', tags: ['security'] }, { language: 'en' });
    expect(english?.item.id).toBe(en.id);
    // Industry: an education-only item is not offered to a manufacturing lead, but is to a school.
    const school = await bestContentFor(deps, 'content-best', { text: '校园数据安全', tags: ['security'] }, { language: 'zh', industry: 'education/k12', excludeUrls: [checklist.url, paper.url] });
    expect(school?.item.id).toBe(edu.id);
    const none = await bestContentFor(deps, 'content-best', { text: '完全无关的话题 banana', tags: ['unrelated'] }, { language: 'zh', industry: 'agriculture' });
    expect(none).toBeUndefined();
    // The same through the API.
    const viaApi = await ok('GET', `/v1/content/recommend?text=${encodeURIComponent('PLC 自动化产线')}&language=zh&industry=manufacturing`);
    expect(viaApi.best.item.id).toBe(plc.id);
  });
});
