import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { evaluateLead } from '../../src/signals/evaluate.js';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.js';
import { exited, startProcess } from '../helpers/process.js';
import { dwellRule, reading, signalsTenant } from './helpers.js';

// Production layout: the API without processors, separate worker processes, PostgreSQL + Redis.
const production = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

describe.skipIf(!production)('API and two worker processes (PostgreSQL + Redis)', () => {
  let t: TestApp;
  let base: string;
  const workers: (ChildProcess & { output: () => string })[] = [];

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'false', SIGNALS_EVAL_DELAY_MS: '50' });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    for (let i = 0; i < 2; i++) workers.push(startProcess('workers/index.ts', { ...t.env, RUN_WORKERS: 'true', LOG_LEVEL: 'warn' }));
  });
  afterAll(async () => {
    for (const w of workers) {
      w.kill('SIGTERM');
      await exited(w);
    }
    await t?.close();
  });

  it('a push written by a worker process reaches the API process stream, once, even with evaluations racing it', async () => {
    const tn = await signalsTenant(t, 'mp');
    await tn.ok('PUT', '/v1/reps/r-1', { capacity: 10 });
    await tn.ok('POST', '/v1/leads', { id: 'L1', source: 'website_form', industry: 'manufacturing/automotive', repId: 'r-1' });
    await tn.ok('POST', '/v1/signals/rules', dwellRule(), 201);

    const abort = new AbortController();
    const res = await fetch(`${base}/v1/pushes/stream?repId=r-1`, { headers: { authorization: `Bearer ${tn.key}` }, signal: abort.signal });
    expect(res.status).toBe(200);
    let text = '';
    const pump = (async () => {
      try {
        for await (const chunk of res.body!) text += Buffer.from(chunk as Uint8Array).toString('utf8');
      } catch {
        /* aborted */
      }
    })();

    // L1: only the worker processes evaluate (this API process runs no processors).
    await tn.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'L1', visitorId: 'v1' }) }, 202);
    await waitFor(async () => text.includes('"leadId":"L1"'), 30_000, `L1 push on the stream; worker logs:\n${workers.map((w) => w.output()).join('\n')}`);
    // L2: this process races the two workers with evaluations of its own.
    await tn.ok('POST', '/v1/leads', { id: 'L2', source: 'website_form', industry: 'manufacturing/automotive', repId: 'r-1' });
    await tn.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'L2', visitorId: 'v2' }) }, 202);
    await Promise.all(Array.from({ length: 6 }, () => evaluateLead(t.runtime, 'mp', 'L2')));
    await waitFor(async () => text.includes('"leadId":"L2"'), 30_000, 'L2 push on the stream');
    await new Promise((r) => setTimeout(r, 1000));
    abort.abort();
    await pump;
    const rows = await t.runtime.db.query<{ id: string; lead_id: string }>("SELECT id, lead_id FROM pushes WHERE tenant_id = 'mp' ORDER BY lead_id");
    expect(rows.map((r) => r.lead_id)).toEqual(['L1', 'L2']);
    expect(text.match(/event: push/g)).toHaveLength(2);
    for (const r of rows) expect(text).toContain(`"id":"${r.id}"`);
  });
});
