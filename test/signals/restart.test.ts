import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { requeueRecentSignals, signalsProcessor } from '../../src/signals/evaluate.js';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.js';
import { dwellRule, reading, signalsTenant } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  // No processors: what the API queues is not worked on, as if the process had died before.
  t = await createTestApp({ RUN_WORKERS: 'false', SIGNALS_EVAL_DELAY_MS: '50', SIGNALS_INTENT_INTERVAL_MS: '100' });
});
afterAll(async () => {
  await t?.close();
});

describe('after a restart', () => {
  it('leads with recent events are evaluated again, so a rule that should have fired does', async () => {
    const tn = await signalsTenant(t, 'restart');
    await tn.ok('PUT', '/v1/reps/r-1', { capacity: 10 });
    await tn.ok('POST', '/v1/leads', { id: 'L1', source: 'website_form', industry: 'manufacturing/automotive', repId: 'r-1' });
    await tn.ok('POST', '/v1/signals/rules', dwellRule(), 201);
    await tn.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'L1' }) }, 202);
    await sleep(300);
    const pushes = () => t.runtime.db.query("SELECT id FROM pushes WHERE tenant_id = 'restart'");
    if (t.runtime.queue.kind === 'in-process') expect(await pushes()).toHaveLength(0);
    // The worker side starts: processors, then the start-up requeue.
    t.runtime.queue.work({ signals: (job) => signalsProcessor(t.runtime, job as never) });
    expect(await requeueRecentSignals(t.runtime)).toBeGreaterThanOrEqual(1);
    await waitFor(async () => (await pushes()).length === 1, 20_000, 'push after restart');
    await waitFor(async () => (await tn.ok('GET', '/v1/leads/L1')).intentScore > 0, 20_000, 'intent after restart');
    // Running the requeue again changes nothing.
    await requeueRecentSignals(t.runtime);
    await sleep(500);
    expect(await pushes()).toHaveLength(1);
  });
});
