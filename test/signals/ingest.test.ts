import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { ev, ORIGIN, signalsTenant } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const count = async (tenant: string, where = 'true', params: unknown[] = []) =>
  Number((await t.runtime.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM signal_events WHERE tenant_id = $1 AND ${where}`, [tenant, ...params]))[0]!.n);

const beacon = (siteKey: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: `/v1/signals/beacon?k=${encodeURIComponent(siteKey)}`,
    headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN, ...headers },
    payload: body,
  });

describe('tracker beacon', () => {
  it('takes text/plain JSON from an allowed origin with a valid site key, answers 204 with CORS headers', async () => {
    const { ok, tenantId } = await signalsTenant(t, 'beacon-ok');
    const sk = await ok('POST', '/v1/signals/site-keys', { name: 'www', allowedOrigins: [ORIGIN, 'http://localhost:8080'] }, 201);
    expect(sk.key).toMatch(/^dss_/);
    expect(sk.allowedOrigins).toEqual([ORIGIN, 'http://localhost:8080']);
    const res = await beacon(sk.key, JSON.stringify({ events: [ev(), ev({ type: 'pageview', dwellMs: undefined })] }));
    expect(res.statusCode, res.body).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(await count(tenantId)).toBe(2);
    // Preflight for fetch(..., { keepalive: true }) with JSON.
    const pre = await t.app.inject({ method: 'OPTIONS', url: `/v1/signals/beacon?k=${sk.key}`, headers: { origin: ORIGIN, 'access-control-request-method': 'POST' } });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(ORIGIN);
    // The listing shows the prefix, never the key.
    const list = await ok('GET', '/v1/signals/site-keys');
    expect(list.items[0].prefix).toBe(sk.key.slice(0, 8));
    expect(JSON.stringify(list)).not.toContain(sk.key);
  });

  it('rejects unknown and revoked keys (401) and disallowed or missing origins (403), storing nothing', async () => {
    const { ok, call, tenantId } = await signalsTenant(t, 'beacon-keys');
    const sk = await ok('POST', '/v1/signals/site-keys', { allowedOrigins: [ORIGIN] }, 201);
    const body = JSON.stringify({ events: [ev()] });
    expectError(await beacon('dss_not-a-key', body), 401, 'unauthorized');
    expectError(await t.app.inject({ method: 'POST', url: '/v1/signals/beacon', headers: { 'content-type': 'text/plain', origin: ORIGIN }, payload: body }), 401, 'unauthorized');
    expectError(await beacon(sk.key, body, { origin: 'https://evil.example.net' }), 403, 'origin_not_allowed');
    expectError(await beacon(sk.key, body, { origin: 'https://www.example.com.evil.net' }), 403, 'origin_not_allowed');
    expectError(await beacon(sk.key, body, { origin: 'null' }), 403, 'origin_not_allowed');
    const noOrigin = await t.app.inject({ method: 'POST', url: `/v1/signals/beacon?k=${sk.key}`, headers: { 'content-type': 'text/plain' }, payload: body });
    expectError(noOrigin, 403, 'origin_not_allowed');
    // Origins can be changed…
    const updated = await ok('PUT', `/v1/signals/site-keys/${sk.id}`, { allowedOrigins: ['https://evil.example.net'] });
    expect(updated.allowedOrigins).toEqual(['https://evil.example.net']);
    expect((await beacon(sk.key, body, { origin: 'https://evil.example.net' })).statusCode).toBe(204);
    // …and a revoked key is dead.
    const revoked = await ok('DELETE', `/v1/signals/site-keys/${sk.id}`);
    expect(revoked.revokedAt).not.toBeNull();
    expectError(await beacon(sk.key, body, { origin: 'https://evil.example.net' }), 401, 'unauthorized');
    expect(await count(tenantId)).toBe(1);
    // Site-key management validates origins and is admin-only.
    expectError(await call('POST', '/v1/signals/site-keys', { allowedOrigins: ['https://www.example.com/path'] }), 400, 'validation_error', 'body.allowedOrigins.0');
    expectError(await call('POST', '/v1/signals/site-keys', { allowedOrigins: ['javascript:alert(1)'] }), 400, 'validation_error', 'body.allowedOrigins.0');
    expectError(await call('POST', '/v1/signals/site-keys', { allowedOrigins: [] }), 400, 'validation_error', 'body.allowedOrigins');
    const ingestOnly = await t.newTenant('beacon-keys-ingest', ['ingest']);
    expectError(await t.app.inject({ method: 'POST', url: '/v1/signals/site-keys', headers: t.auth(ingestOnly), payload: { allowedOrigins: [ORIGIN] } }), 403, 'forbidden');
  });

  it('another tenant cannot see, change or revoke a site key (404)', async () => {
    const a = await signalsTenant(t, 'beacon-iso-a');
    const b = await signalsTenant(t, 'beacon-iso-b');
    const sk = await a.ok('POST', '/v1/signals/site-keys', { allowedOrigins: [ORIGIN] }, 201);
    expectError(await b.call('PUT', `/v1/signals/site-keys/${sk.id}`, { allowedOrigins: ['https://b.example.com'] }), 404, 'not_found');
    expectError(await b.call('DELETE', `/v1/signals/site-keys/${sk.id}`), 404, 'not_found');
    expect((await b.ok('GET', '/v1/signals/site-keys')).items).toEqual([]);
    // A's key files events under A only.
    expect((await beacon(sk.key, JSON.stringify({ events: [ev()] }))).statusCode).toBe(204);
    expect(await count('beacon-iso-b')).toBe(0);
    expect(await count('beacon-iso-a')).toBe(1);
  });

  it('rejects malformed beacons with errors naming the field, and oversized bodies with 413', async () => {
    const { ok, tenantId } = await signalsTenant(t, 'beacon-bad');
    const sk = await ok('POST', '/v1/signals/site-keys', { allowedOrigins: [ORIGIN] }, 201);
    expectError(await beacon(sk.key, '{"events": [ {"id": '), 400, 'invalid_json');
    expectError(await beacon(sk.key, ''), 400, 'invalid_json');
    expectError(await beacon(sk.key, '[]'), 400, 'validation_error');
    expectError(await beacon(sk.key, JSON.stringify({ events: [] })), 400, 'validation_error', 'body.events');
    expectError(await beacon(sk.key, JSON.stringify({ events: [ev({ type: 'click' })] })), 400, 'validation_error', 'body.events.0.type');
    expectError(await beacon(sk.key, JSON.stringify({ events: [ev(), ev({ url: 'javascript:alert(1)' })] })), 400, 'validation_error', 'body.events.1.url');
    expectError(await beacon(sk.key, JSON.stringify({ events: [ev({ ts: 'yesterday' })] })), 400, 'validation_error', 'body.events.0.ts');
    expectError(await beacon(sk.key, JSON.stringify({ events: [ev({ visitorId: undefined })] })), 400, 'validation_error', 'body.events.0.visitorId');
    expectError(await beacon(sk.key, JSON.stringify({ events: [ev({ type: 'identify' })] })), 400, 'validation_error', 'body.events.0.leadId');
    expectError(await beacon(sk.key, JSON.stringify({ events: [ev({ dwellMs: -5 })] })), 400, 'validation_error', 'body.events.0.dwellMs');
    expectError(await beacon(sk.key, JSON.stringify({ events: [ev({ __proto__x: 1, extra: true })] })), 400, 'validation_error', 'body.events.0');
    expectError(await beacon(sk.key, JSON.stringify({ events: [ev({ tags: ['<script>'] })] })), 400, 'validation_error', 'body.events.0.tags.0');
    // Over SIGNALS_BEACON_MAX_KB (64 KB by default).
    const big = JSON.stringify({ events: [ev({ title: 'x'.repeat(70_000) })] });
    expectError(await beacon(sk.key, big), 413, 'payload_too_large', 'SIGNALS_BEACON_MAX_KB');
    expectError(await beacon(sk.key, JSON.stringify({ events: Array.from({ length: 501 }, () => ({ id: 'x' })) }), { 'content-type': 'application/json' }), 400, 'validation_error', 'at most 500');
    // Not a type the beacon takes.
    expectError(await beacon(sk.key, 'a=1', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
    expect(await count(tenantId)).toBe(0);
  });

  it('rejects timestamps far in the future and too old, naming the event', async () => {
    const { ok, call, tenantId } = await signalsTenant(t, 'beacon-ts');
    const sk = await ok('POST', '/v1/signals/site-keys', { allowedOrigins: [ORIGIN] }, 201);
    const future = Date.now() + 3 * 86_400_000;
    expectError(await beacon(sk.key, JSON.stringify({ events: [ev(), ev({ ts: future })] })), 400, 'validation_error', 'body.events.1.ts: is in the future');
    expectError(await call('POST', '/v1/signals/events', { events: [ev({ ts: new Date(future).toISOString() })] }), 400, 'validation_error', 'body.events.0.ts');
    expectError(await call('POST', '/v1/signals/events', { events: [ev({ ts: Date.now() - 400 * 86_400_000 })] }), 400, 'validation_error', 'SIGNALS_MAX_AGE_DAYS');
    expectError(await call('POST', '/v1/signals/events', { events: [ev({ ts: 1e20 })] }), 400, 'validation_error', 'body.events.0.ts');
    // A little clock drift is fine.
    expect((await beacon(sk.key, JSON.stringify({ events: [ev({ ts: Date.now() + 30_000 })] }))).statusCode).toBe(204);
    expect(await count(tenantId)).toBe(1);
  });

  it('puts a browser whose clock is a day fast on the server clock when the batch says when it was sent', async () => {
    const { ok, call, tenantId } = await signalsTenant(t, 'beacon-skew');
    const sk = await ok('POST', '/v1/signals/site-keys', { allowedOrigins: [ORIGIN] }, 201);
    const skew = 86_400_000; // the visitor's clock runs a day ahead
    const sentAt = Date.now() + skew;
    const before = Date.now();
    const res = await beacon(sk.key, JSON.stringify({ sentAt, events: [ev({ id: 'skew-1', ts: sentAt - 20_000 }), ev({ id: 'skew-2', ts: sentAt - 5_000 })] }));
    expect(res.statusCode).toBe(204);
    const rows = await t.runtime.db.query<{ id: string; ms: string }>(
      `SELECT id, (extract(epoch FROM ts) * 1000)::bigint::text AS ms FROM signal_events WHERE tenant_id = $1 ORDER BY id`, [tenantId]);
    expect(rows.map((r) => r.id)).toEqual(['skew-1', 'skew-2']);
    const [a, b] = rows.map((r) => Number(r.ms));
    // Shifted onto the server clock (within the test's own run time), spacing kept.
    expect(a!).toBeGreaterThanOrEqual(before - 20_000);
    expect(a!).toBeLessThanOrEqual(Date.now() - 20_000 + 1);
    expect(b! - a!).toBe(15_000);
    // The same batch without sentAt is refused as far in the future; a bad sentAt is named.
    expectError(await beacon(sk.key, JSON.stringify({ events: [ev({ ts: sentAt })] })), 400, 'validation_error', 'body.events.0.ts');
    expectError(await beacon(sk.key, JSON.stringify({ sentAt: 'now', events: [ev()] })), 400, 'validation_error', 'body.sentAt');
    expectError(await call('POST', '/v1/signals/events', { sentAt: -1, events: [ev()] }), 400, 'validation_error', 'body.sentAt');
  });
});

describe('server-side events', () => {
  it('stores 10,000 replays of one event id once', async () => {
    const { ok, tenantId } = await signalsTenant(t, 'events-replay');
    const one = ev({ id: 'crm-evt-1', leadId: 'L-replay' });
    let duplicates = 0;
    for (let i = 0; i < 20; i++) {
      const res = await ok('POST', '/v1/signals/events', { events: Array.from({ length: 500 }, () => one) }, 202);
      duplicates += res.duplicates;
    }
    expect(duplicates).toBe(10_000 - 1);
    expect(await count(tenantId, 'id = $2', ['crm-evt-1'])).toBe(1);
  });

  it('validates batches: auth, scope, size and fields', async () => {
    const { call } = await signalsTenant(t, 'events-bad');
    expectError(await t.app.inject({ method: 'POST', url: '/v1/signals/events', payload: { events: [ev()] } }), 401, 'unauthorized');
    const readOnly = await t.newTenant('events-bad-read', ['read']);
    expectError(await t.app.inject({ method: 'POST', url: '/v1/signals/events', headers: t.auth(readOnly), payload: { events: [ev()] } }), 403, 'forbidden');
    expectError(await call('POST', '/v1/signals/events', { events: Array.from({ length: 501 }, () => ev()) }), 400, 'validation_error', 'at most 500');
    expectError(await call('POST', '/v1/signals/events', { events: [ev({ id: "1'; DROP TABLE signal_events; --" })] }), 400, 'validation_error', 'body.events.0.id');
    expectError(await call('POST', '/v1/signals/events', { events: [ev({ leadId: 'x'.repeat(201) })] }), 400, 'validation_error', 'body.events.0.leadId');
    expectError(await call('POST', '/v1/signals/events', { nope: [] }), 400, 'validation_error');
    const res = await t.app.inject({ method: 'POST', url: '/v1/signals/events', headers: { ...t.auth((await signalsTenant(t, 'events-bad-json')).key), 'content-type': 'application/json' }, payload: '{"events":' });
    expectError(res, 400, 'invalid_json');
  });

  it('accepts events by lead id or link token; a forged or foreign token is kept anonymous', async () => {
    const a = await signalsTenant(t, 'events-token-a');
    const b = await signalsTenant(t, 'events-token-b');
    const tok = await a.ok('POST', '/v1/signals/link-tokens', { leadId: 'L-tok' }, 201);
    expect(tok.token).toMatch(/^[\w-]+\.[\w-]+$/);
    const foreign = (await b.ok('POST', '/v1/signals/link-tokens', { leadId: 'L-tok' }, 201)).token as string;
    const [body, sig] = (tok.token as string).split('.');
    const forgedBody = Buffer.from(JSON.stringify({ t: 'events-token-a', l: 'someone-else', e: 9e9 })).toString('base64url');
    const res = await a.ok('POST', '/v1/signals/events', {
      events: [
        ev({ visitorId: 'v-tok', token: tok.token, type: 'identify' }),
        ev({ visitorId: 'v-2', token: `${forgedBody}.${sig}` }),
        ev({ visitorId: 'v-3', token: foreign }),
        ev({ visitorId: 'v-4', token: `${body}.x${sig}` }),
      ],
    }, 202);
    expect(res).toEqual({ accepted: 4, duplicates: 0, ignoredTokens: 3 });
    const rows = await t.runtime.db.query<{ visitor_id: string; lead_id: string | null }>('SELECT visitor_id, lead_id FROM signal_events WHERE tenant_id = $1 ORDER BY visitor_id', ['events-token-a']);
    expect(rows).toEqual([
      { visitor_id: 'v-2', lead_id: null },
      { visitor_id: 'v-3', lead_id: null },
      { visitor_id: 'v-4', lead_id: null },
      { visitor_id: 'v-tok', lead_id: 'L-tok' },
    ]);
    expectError(await a.call('POST', '/v1/signals/link-tokens', { leadId: '' }), 400, 'validation_error', 'body.leadId');
    expectError(await a.call('POST', '/v1/signals/link-tokens', { leadId: 'L', ttlDays: 0 }), 400, 'validation_error', 'body.ttlDays');
  });

  it("with beaconIdentify 'token', a beacon's lead id is ignored but a signed token still identifies", async () => {
    const { ok, call, tenantId } = await signalsTenant(t, 'beacon-token-only');
    const sk = await ok('POST', '/v1/signals/site-keys', { allowedOrigins: [ORIGIN] }, 201);
    expect((await ok('PUT', '/v1/signals/settings', { timezone: 'UTC', beaconIdentify: 'token' })).beaconIdentify).toBe('token');
    expectError(await call('PUT', '/v1/signals/settings', { timezone: 'UTC', beaconIdentify: 'anyone' }), 400, 'validation_error', 'body.beaconIdentify');
    const { token } = await ok('POST', '/v1/signals/link-tokens', { leadId: 'L-real' }, 201);
    const res = await beacon(sk.key, JSON.stringify({ events: [ev({ visitorId: 'v-spoof', leadId: 'L-victim', type: 'identify' }), ev({ visitorId: 'v-real', token, type: 'identify' })] }));
    expect(res.statusCode).toBe(204);
    const rows = await t.runtime.db.query<{ visitor_id: string; lead_id: string | null }>('SELECT visitor_id, lead_id FROM signal_events WHERE tenant_id = $1 ORDER BY visitor_id', [tenantId]);
    expect(rows).toEqual([{ visitor_id: 'v-real', lead_id: 'L-real' }, { visitor_id: 'v-spoof', lead_id: null }]);
    // Server-side batches (an API key) may still name leads.
    await ok('POST', '/v1/signals/events', { events: [ev({ visitorId: 'v-crm', leadId: 'L-crm' })] }, 202);
    expect(await count(tenantId, 'lead_id = $2', ['L-crm'])).toBe(1);
  });
});
