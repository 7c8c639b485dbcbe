import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { dwellRule, signalsTenant } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('rules API', () => {
  it('creates, lists, replaces and deletes rules, with defaults filled in', async () => {
    const { ok, call } = await signalsTenant(t, 'rules-crud');
    const created = await ok('POST', '/v1/signals/rules', dwellRule(), 201);
    expect(created).toMatchObject({
      version: 1, name: 'security whitepaper readers', enabled: true, event: 'dwell', minDwellSec: 180, windowMinutes: 1440, cooldownMinutes: 1440,
      content: { bestMatch: true }, recipient: { owner: true }, respectQuietHours: true, pages: { tags: ['security'] },
    });
    expect((await ok('GET', '/v1/signals/rules')).items).toHaveLength(1);
    const replaced = await ok('PUT', `/v1/signals/rules/${created.id}`, dwellRule({ minDwellSec: 120, pages: { tags: [], urlPattern: '/whitepapers/*' } }));
    expect(replaced).toMatchObject({ id: created.id, version: 2, minDwellSec: 120, pages: { urlPattern: '/whitepapers/*' } });
    expect((await ok('GET', `/v1/signals/rules/${created.id}`)).version).toBe(2);
    expect((await call('DELETE', `/v1/signals/rules/${created.id}`)).statusCode).toBe(204);
    expectError(await call('GET', `/v1/signals/rules/${created.id}`), 404, 'not_found');
    expectError(await call('DELETE', `/v1/signals/rules/${created.id}`), 404, 'not_found');
  });

  it('rejects invalid rules with errors that name the field', async () => {
    const { call } = await signalsTenant(t, 'rules-bad');
    const bad = async (rule: unknown, field: string) => expectError(await call('POST', '/v1/signals/rules', rule), 400, 'validation_error', field);
    await bad(dwellRule({ minDwellSec: undefined }), 'body.minDwellSec');
    await bad(dwellRule({ minDwellSec: -3 }), 'body.minDwellSec');
    await bad(dwellRule({ event: 'download' }), 'body.minDwellSec');
    await bad(dwellRule({ event: 'scroll' }), 'body.event');
    await bad(dwellRule({ pages: {} }), 'body.pages.tags');
    await bad(dwellRule({ pages: { urlPattern: '*a*b*c*d*e*f*' } }), 'body.pages.urlPattern');
    await bad(dwellRule({ name: '' }), 'body.name');
    await bad(dwellRule({ cooldownMinutes: 0 }), 'body.cooldownMinutes');
    await bad(dwellRule({ windowMinutes: 'a day' }), 'body.windowMinutes');
    await bad(dwellRule({ leadFilter: { stages: ['hot'] } }), 'body.leadFilter.stages.0');
    await bad(dwellRule({ leadFilter: { industries: ['Not A Path!'] } }), 'body.leadFilter.industries.0');
    await bad(dwellRule({ content: { itemId: 'abc' } }), 'body.content');
    await bad(dwellRule({ recipient: { fallback: { wecomWebhook: 'http://qyapi.weixin.qq.com/x' } } }), 'body.recipient.fallback.wecomWebhook');
    await bad(dwellRule({ unknownField: 1 }), 'body');
    // References must be the tenant's own.
    await bad(dwellRule({ content: { itemId: '00000000-0000-4000-8000-000000000000' } }), 'body.content.itemId');
    await bad(dwellRule({ recipient: { owner: false, fallback: { repId: 'nobody' } } }), 'body.recipient.fallback.repId');
    expectError(await call('PUT', '/v1/signals/rules/not-a-uuid', dwellRule()), 400, 'validation_error', 'params.id');
    expect((await call('GET', '/v1/signals/rules')).json().items).toEqual([]);
  });

  it('is admin-only to change, and another tenant gets 404', async () => {
    const a = await signalsTenant(t, 'rules-iso-a');
    const b = await signalsTenant(t, 'rules-iso-b');
    const rule = await a.ok('POST', '/v1/signals/rules', dwellRule(), 201);
    expectError(await b.call('GET', `/v1/signals/rules/${rule.id}`), 404, 'not_found');
    expectError(await b.call('PUT', `/v1/signals/rules/${rule.id}`, dwellRule()), 404, 'not_found');
    expectError(await b.call('DELETE', `/v1/signals/rules/${rule.id}`), 404, 'not_found');
    expect((await b.ok('GET', '/v1/signals/rules')).items).toEqual([]);
    const reader = await t.newTenant('rules-iso-a', ['read']);
    expectError(await t.app.inject({ method: 'POST', url: '/v1/signals/rules', headers: t.auth(reader), payload: dwellRule() }), 403, 'forbidden');
    expect((await t.app.inject({ method: 'GET', url: '/v1/signals/rules', headers: t.auth(reader) })).json().items).toHaveLength(1);
  });

  it('validates settings: IANA timezone and HH:MM quiet hours', async () => {
    const { ok, call } = await signalsTenant(t, 'rules-settings');
    expect(await ok('GET', '/v1/signals/settings')).toEqual({ timezone: 'Asia/Shanghai', quietHours: null, beaconIdentify: 'lead-id' });
    expectError(await call('PUT', '/v1/signals/settings', { timezone: 'Mars/Olympus' }), 400, 'validation_error', 'body.timezone');
    expectError(await call('PUT', '/v1/signals/settings', { timezone: 'UTC', quietHours: { start: '25:00', end: '08:00' } }), 400, 'validation_error', 'body.quietHours.start');
    expectError(await call('PUT', '/v1/signals/settings', { timezone: 'UTC', quietHours: { start: '08:00', end: '08:00' } }), 400, 'validation_error', 'body.quietHours');
    expect(await ok('PUT', '/v1/signals/settings', { timezone: 'Europe/Berlin', quietHours: { start: '21:00', end: '08:00' } })).toEqual({
      timezone: 'Europe/Berlin', quietHours: { start: '21:00', end: '08:00' }, beaconIdentify: 'lead-id',
    });
  });
});

describe('oversized input on every signals route', () => {
  it('answers 400 naming the field', async () => {
    const { call } = await signalsTenant(t, 'rules-oversized');
    const long = (n: number) => 'x'.repeat(n);
    expectError(await call('POST', '/v1/signals/rules', dwellRule({ name: long(201) })), 400, 'validation_error', 'body.name');
    expectError(await call('POST', '/v1/signals/rules', dwellRule({ pages: { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) } })), 400, 'validation_error', 'body.pages.tags');
    expectError(await call('PUT', '/v1/signals/settings', { timezone: long(65) }), 400, 'validation_error', 'body.timezone');
    expectError(await call('POST', '/v1/signals/link-tokens', { leadId: long(201) }), 400, 'validation_error', 'body.leadId');
    expectError(await call('POST', '/v1/signals/site-keys', { allowedOrigins: Array.from({ length: 101 }, (_, i) => `https://s${i}.example.com`) }), 400, 'validation_error', 'body.allowedOrigins');
    expectError(await call('GET', `/v1/signals/leads/${long(201)}`), 400, 'validation_error', 'params.leadId');
    expectError(await call('GET', `/v1/pushes?repId=${long(201)}`), 400, 'validation_error', 'querystring.repId');
    expectError(await call('GET', `/v1/content/recommend?text=${long(2001)}`), 400, 'validation_error', 'querystring.text');
    expectError(await call('POST', '/v1/signals/events', { events: [{ id: long(101), visitorId: 'v', type: 'pageview', url: 'https://a.example/', ts: Date.now() }] }), 400, 'validation_error', 'body.events.0.id');
  });
});
