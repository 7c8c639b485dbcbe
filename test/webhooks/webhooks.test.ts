import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.js';
import { startReceiver } from '../helpers/receiver.js';
import { dispatch, recordEvent } from '../../src/platform/outbox.js';
import { sign, verify } from '../../src/webhooks/signing.js';

let t: TestApp;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  receiver = await startReceiver();
  t = await createTestApp({ JOB_ATTEMPTS: '3', JOB_BACKOFF_MS: '50' });
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});
beforeEach(() => {
  receiver.received.length = 0;
  receiver.failNext(0);
});

async function subscribe(events = ['recording.analyzed'], key = t.adminKey) {
  const res = await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: t.auth(key), payload: { url: receiver.url, events } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; secret: string };
}

async function emit(dedupeKey: string, tenantId = 'default') {
  const id = await t.runtime.db.tx((q) => recordEvent(q, { tenantId, type: 'recording.analyzed', dedupeKey, payload: { recordingId: dedupeKey } }));
  await dispatch(t.runtime.queue, [id]);
  return id;
}

async function deliveries(endpointId: string, key = t.adminKey) {
  const res = await t.app.inject({ method: 'GET', url: `/v1/webhooks/${endpointId}/deliveries`, headers: t.auth(key) });
  expect(res.statusCode).toBe(200);
  return res.json().items as { status: string; attempts: number; lastStatus: number | null; type: string }[];
}

describe('webhook endpoints API', () => {
  it('returns the secret once; the list never shows it', async () => {
    const ep = await subscribe();
    expect(ep.secret).toMatch(/^whsec_/);
    const list = await t.app.inject({ method: 'GET', url: '/v1/webhooks', headers: t.auth() });
    expect(list.json().items.find((i: { id: string }) => i.id === ep.id)).toEqual(expect.objectContaining({ url: receiver.url }));
    expect(list.body).not.toContain(ep.secret);
    await t.app.inject({ method: 'DELETE', url: `/v1/webhooks/${ep.id}`, headers: t.auth() });
  });

  it.each([
    [{ url: 'ftp://x.example/hook', events: ['recording.analyzed'] }, 'body.url'],
    [{ url: 'not a url', events: ['recording.analyzed'] }, 'body.url'],
    [{ url: 'https://x.example/hook', events: ['recording.deleted'] }, 'body.events.0'],
    [{ url: 'https://x.example/hook', events: [] }, 'body.events'],
    [{ url: 'https://x.example/hook', events: ['push.created'], secret: 'short' }, 'body.secret'],
    [{ url: 'https://x.example/hook', events: ['push.created'], extra: 1 }, 'body'],
  ])('rejects %j naming %s', async (payload, field) => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: t.auth(), payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_error');
    expect(res.json().error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
  });

  it("another tenant's endpoint is 404 for its log and for delete, and absent from the list", async () => {
    const other = await t.newTenant('webhook-other');
    const ep = await subscribe();
    expect((await t.app.inject({ method: 'GET', url: `/v1/webhooks/${ep.id}/deliveries`, headers: t.auth(other) })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/webhooks/${ep.id}`, headers: t.auth(other) })).statusCode).toBe(404);
    const list = await t.app.inject({ method: 'GET', url: '/v1/webhooks', headers: t.auth(other) });
    expect(list.json().items).toEqual([]);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/webhooks/${ep.id}`, headers: t.auth() })).statusCode).toBe(204);
  });

  it('needs an admin key', async () => {
    const reader = await t.newTenant('webhook-reader', ['read', 'ingest']);
    const res = await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: t.auth(reader), payload: { url: receiver.url, events: ['push.created'] } });
    expect(res.statusCode).toBe(403);
  });
});

describe('delivery from the outbox', () => {
  it('delivers once, signed over timestamp and body', async () => {
    const ep = await subscribe();
    await emit('signed-1');
    await waitFor(async () => receiver.received.length === 1, 10_000, 'delivery');
    const got = receiver.received[0]!;
    expect(got.headers['x-dealsense-event']).toBe('recording.analyzed');
    expect(verify(ep.secret, got.body, String(got.headers['x-dealsense-signature']))).toBe(true);
    expect(verify('wrong-secret-0123456789', got.body, String(got.headers['x-dealsense-signature']))).toBe(false);
    expect(JSON.parse(got.body)).toEqual(expect.objectContaining({ type: 'recording.analyzed', tenantId: 'default', data: { recordingId: 'signed-1' } }));
    await waitFor(async () => (await deliveries(ep.id))[0]?.status === 'delivered', 5000, 'delivered status');
    expect((await deliveries(ep.id))[0]).toEqual(expect.objectContaining({ attempts: 1, lastStatus: 204, type: 'recording.analyzed' }));
    await t.app.inject({ method: 'DELETE', url: `/v1/webhooks/${ep.id}`, headers: t.auth() });
  });

  it('the same fact recorded twice and dispatched twice reaches the endpoint once', async () => {
    const ep = await subscribe();
    const first = await emit('dup-1');
    const second = await emit('dup-1');
    expect(first).toBeDefined();
    expect(second).toBeUndefined();
    await dispatch(t.runtime.queue, [first]);
    await waitFor(async () => (await deliveries(ep.id))[0]?.status === 'delivered', 10_000, 'delivery');
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(1);
    await t.app.inject({ method: 'DELETE', url: `/v1/webhooks/${ep.id}`, headers: t.auth() });
  });

  it('retries a failing endpoint with backoff, keeping one delivery id', async () => {
    const ep = await subscribe();
    receiver.failNext(2, 503);
    await emit('retry-1');
    await waitFor(async () => (await deliveries(ep.id))[0]?.status === 'delivered', 15_000, 'delivery after retries');
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.headers['x-dealsense-delivery'])).size).toBe(1);
    expect((await deliveries(ep.id))[0]).toEqual(expect.objectContaining({ attempts: 3, lastStatus: 204 }));
    await t.app.inject({ method: 'DELETE', url: `/v1/webhooks/${ep.id}`, headers: t.auth() });
  });

  it('gives up after the last attempt and logs the failure', async () => {
    const ep = await subscribe();
    receiver.failNext(10, 500);
    await emit('fail-1');
    await waitFor(async () => (await deliveries(ep.id))[0]?.status === 'failed', 15_000, 'failed status');
    expect((await deliveries(ep.id))[0]).toEqual(expect.objectContaining({ attempts: 3, lastStatus: 500 }));
    await t.app.inject({ method: 'DELETE', url: `/v1/webhooks/${ep.id}`, headers: t.auth() });
  });

  it('only subscribed events and only the own tenant are delivered', async () => {
    const ep = await subscribe(['push.created']);
    await emit('unsubscribed-1');
    const otherTenant = 'webhook-tenant-b';
    await t.newTenant(otherTenant);
    await emit('other-tenant-1', otherTenant);
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received).toHaveLength(0);
    await t.app.inject({ method: 'DELETE', url: `/v1/webhooks/${ep.id}`, headers: t.auth() });
  });
});

describe('signatures', () => {
  it('reject a tampered body and a stale timestamp', () => {
    const now = 1_800_000_000;
    const header = sign('s3cret-s3cret-s3cret', '{"a":1}', now);
    expect(verify('s3cret-s3cret-s3cret', '{"a":1}', header, now)).toBe(true);
    expect(verify('s3cret-s3cret-s3cret', '{"a":2}', header, now)).toBe(false);
    expect(verify('s3cret-s3cret-s3cret', '{"a":1}', header, now + 301)).toBe(false);
    expect(verify('s3cret-s3cret-s3cret', '{"a":1}', 'garbage', now)).toBe(false);
  });
});
