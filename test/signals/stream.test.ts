import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.js';
import { dwellRule, reading, signalsTenant } from './helpers.js';

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await createTestApp({ SIGNALS_EVAL_DELAY_MS: '50' });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await t?.close();
});

interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/** A real SSE client over HTTP: parses frames as they arrive. */
async function openStream(path: string, key: string, lastEventId?: string) {
  const abort = new AbortController();
  const res = await fetch(`${base}${path}`, {
    headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal: abort.signal,
  });
  const events: SseEvent[] = [];
  let buffer = '';
  const pump = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const ev: SseEvent = { data: '' };
          for (const line of frame.split('\n')) {
            if (line.startsWith('id: ')) ev.id = line.slice(4);
            else if (line.startsWith('event: ')) ev.event = line.slice(7);
            else if (line.startsWith('data: ')) ev.data += line.slice(6);
          }
          if (ev.event) events.push(ev);
        }
      }
    } catch {
      /* aborted */
    }
  })();
  return {
    res,
    events,
    async close() {
      abort.abort();
      await pump;
    },
  };
}

describe('GET /v1/pushes/stream (SSE over a real port)', () => {
  it('streams pushes live, filtered by rep, and replays what was missed after Last-Event-ID', async () => {
    const tn = await signalsTenant(t, 'sse-a');
    await tn.ok('PUT', '/v1/reps/r-1', { capacity: 10 });
    await tn.ok('PUT', '/v1/reps/r-2', { capacity: 10 });
    for (const [lead, rep] of [['L1', 'r-1'], ['L2', 'r-1'], ['L3', 'r-2'], ['L4', 'r-1']]) {
      await tn.ok('POST', '/v1/leads', { id: lead, source: 'website_form', industry: 'manufacturing/automotive', repId: rep });
    }
    await tn.ok('POST', '/v1/signals/rules', dwellRule(), 201);
    const other = await signalsTenant(t, 'sse-b');

    const s1 = await openStream('/v1/pushes/stream?repId=r-1', tn.key);
    expect(s1.res.status).toBe(200);
    expect(s1.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const s2 = await openStream('/v1/pushes/stream?repId=r-2', tn.key);
    const foreign = await openStream('/v1/pushes/stream', other.key);

    await tn.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'L1', visitorId: 'v1' }) }, 202);
    await waitFor(async () => s1.events.length >= 1, 20_000, 'first live push');
    const first = JSON.parse(s1.events[0]!.data);
    expect(first).toMatchObject({ leadId: 'L1', repId: 'r-1', reason: 'read 数据安全白皮书 for 3 min 45 s', status: 'delivered' });
    expect(s1.events[0]!.id).toBe(String(first.seq));
    await s1.close();

    // While r-1 is disconnected: one push for r-1 and one for r-2.
    await tn.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'L2', visitorId: 'v2' }) }, 202);
    await tn.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'L3', visitorId: 'v3' }) }, 202);
    await waitFor(async () => s2.events.length >= 1, 20_000, 'r-2 live push');
    expect(JSON.parse(s2.events[0]!.data)).toMatchObject({ leadId: 'L3', repId: 'r-2' });
    await waitFor(async () => (await tn.ok('GET', '/v1/pushes?repId=r-1')).items.length === 2, 20_000, 'second r-1 push row');

    // Reconnect with the last id seen: the missed push comes first, then live ones, nothing twice.
    const s3 = await openStream('/v1/pushes/stream?repId=r-1', tn.key, s1.events[0]!.id);
    await waitFor(async () => s3.events.length >= 1, 20_000, 'replayed push');
    expect(JSON.parse(s3.events[0]!.data)).toMatchObject({ leadId: 'L2', repId: 'r-1' });
    await tn.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'L4', visitorId: 'v4' }) }, 202);
    await waitFor(async () => s3.events.length >= 2, 20_000, 'live push after replay');
    expect(s3.events.map((e) => JSON.parse(e.data).leadId)).toEqual(['L2', 'L4']);
    expect(Number(s3.events[1]!.id)).toBeGreaterThan(Number(s3.events[0]!.id));

    // The other tenant's stream saw nothing.
    expect(foreign.events).toEqual([]);
    expect(s2.events).toHaveLength(1);
    await Promise.all([s2.close(), s3.close(), foreign.close()]);
  });

  it('rejects bad Last-Event-ID, bad filters and missing keys', async () => {
    const tn = await signalsTenant(t, 'sse-bad');
    const bad = await fetch(`${base}/v1/pushes/stream`, { headers: { authorization: `Bearer ${tn.key}`, 'last-event-id': 'abc' } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toContain('last-event-id');
    const extra = await fetch(`${base}/v1/pushes/stream?evil=1`, { headers: { authorization: `Bearer ${tn.key}` } });
    expect(extra.status).toBe(400);
    const anon = await fetch(`${base}/v1/pushes/stream`);
    expect(anon.status).toBe(401);
    await anon.body?.cancel();
  });
});
