import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.js';
import { makeRecording } from '../helpers/audio.js';
import { startFakeOpenAi } from '../helpers/fake-openai.js';
import { multipartBody } from '../helpers/multipart.js';

/** Customer text that must stay text: a script element and an image with an error handler. */
export const HOSTILE = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">';

/**
 * What the fake speech server "hears" per pitch: the rep (left channel, 440 Hz) greets, the
 * customer (right channel) asks about delivery at 880 Hz and about price at 660 Hz, so the
 * lexicon engine raises delivery_supply and price_budget from the customer's words.
 */
export const SCRIPT = {
  440: '王总您好，上次的报价单您看过了吗？',
  880: `${HOSTILE}这批货最快什么时候能到？`,
  660: '价格比预算高了一点，能不能再便宜点？',
};

const HOUR = 3600_000;
/** Every activity sits in the same recent stretch, so one month (ACTIVITY_MONTH) holds them all. */
const BASE = Date.now() - 30 * HOUR;
const at = (h: number) => new Date(BASE + h * HOUR).toISOString();
export const ACTIVITY_MONTH = new Date(BASE).toISOString().slice(0, 7);
const ACTIVITY_END = at(6);
/**
 * rep-li: two leads, one touched within 2 h and one after 5 h (first touch 1/2); the timely one
 * reaches need clarification. rep-wang: two leads, both touched in time, both clarified, one demo.
 */
const ACTIVITIES = [
  { id: 'a1', type: 'lead_assigned', at: at(0), repId: 'rep-li', leadId: 'lead-1' },
  { id: 'a2', type: 'first_touch', at: at(1), repId: 'rep-li', leadId: 'lead-1' },
  { id: 'a3', type: 'lead_assigned', at: at(0), repId: 'rep-li', leadId: 'lead-2' },
  { id: 'a4', type: 'first_touch', at: at(5), repId: 'rep-li', leadId: 'lead-2' },
  { id: 'a5', type: 'stage_changed', at: at(2), leadId: 'lead-1', stage: 'need_clarified', repId: 'rep-li' },
  { id: 'b1', type: 'lead_assigned', at: at(0), repId: 'rep-wang', leadId: 'lead-3' },
  { id: 'b2', type: 'first_touch', at: at(0.5), repId: 'rep-wang', leadId: 'lead-3' },
  { id: 'b3', type: 'lead_assigned', at: at(0), repId: 'rep-wang', leadId: 'lead-4' },
  { id: 'b4', type: 'first_touch', at: at(1), repId: 'rep-wang', leadId: 'lead-4' },
  { id: 'b5', type: 'stage_changed', at: at(2), leadId: 'lead-3', stage: 'need_clarified', repId: 'rep-wang' },
  { id: 'b6', type: 'stage_changed', at: at(3), leadId: 'lead-4', stage: 'need_clarified', repId: 'rep-wang' },
  { id: 'b7', type: 'stage_changed', at: ACTIVITY_END, leadId: 'lead-4', stage: 'demo_accepted', repId: 'rep-wang' },
];

export interface ConsoleFixture {
  t: TestApp;
  /** An uploaded stereo call (rep-left), transcribed by the fake server and analysed. */
  callId: string;
  /** An imported transcript (no audio) with hostile customer text. */
  importedId: string;
  close(): Promise<void>;
}

export async function consoleFixture(env: Record<string, string> = {}): Promise<ConsoleFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'dealsense-console-'));
  const fake = await startFakeOpenAi({ say: SCRIPT });
  const t = await createTestApp({
    TRANSCRIBE_PROVIDER: 'openai',
    TRANSCRIBE_BASE_URL: fake.baseURL,
    TRANSCRIBE_API_KEY: 'sk-test',
    TRANSCRIBE_MODEL: 'whisper-test',
    TRANSCRIBE_CHUNK_SEC: '30',
    ...env,
  });
  // Two reps of one team (one with a hostile display name), and a month of CRM activity for them.
  for (const [id, name] of [['rep-li', `李明${HOSTILE}`], ['rep-wang', '王芳']]) {
    const res = await t.app.inject({ method: 'PUT', url: `/v1/reps/${id}`, headers: t.auth(), payload: { name, capacity: 20, team: 'east' } });
    expect(res.statusCode, res.body).toBe(200);
  }
  const act = await t.app.inject({ method: 'POST', url: '/v1/activities', headers: t.auth(), payload: { activities: ACTIVITIES } });
  expect(act.statusCode, act.body).toBe(200);
  expect(act.json().rejected).toEqual([]);

  const file = await makeRecording(dir, 'call', 'wav', 10, {
    left: [{ start: 0.5, end: 2.5, hz: 440 }],
    right: [
      { start: 3.5, end: 5.5, hz: 880 },
      { start: 7, end: 9, hz: 660 },
    ],
  });
  const body = multipartBody({ channelLayout: 'rep-left', language: 'zh', repId: 'rep-li', leadId: 'lead-1' }, { name: 'call.wav', content: await readFile(file) });
  const up = await t.app.inject({ method: 'POST', url: '/v1/recordings', headers: { ...t.auth(), ...body.headers }, payload: body.payload });
  expect(up.statusCode, up.body).toBe(202);
  const callId = up.json().id as string;

  const imp = await t.app.inject({
    method: 'POST', url: '/v1/recordings', headers: t.auth(),
    payload: {
      language: 'zh', repId: 'rep-li',
      transcript: [
        { speaker: '销售', role: 'rep', start: 0, end: 4, text: `您好 ${HOSTILE}` },
        { speaker: '客户', role: 'customer', start: 4.5, end: 9, text: `${HOSTILE}交期太长了，现货有吗？` },
      ],
    },
  });
  expect(imp.statusCode, imp.body).toBe(202);
  const importedId = imp.json().id as string;

  for (const id of [callId, importedId]) await analysed(t, id);
  // The coaching job draws suggestions from both calls (the customer's concerns go unanswered).
  await waitFor(async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/coaching/suggestions?status=pending', headers: t.auth() });
    return res.json().total >= 3;
  }, 30_000, 'coaching suggestions');
  return {
    t, callId, importedId,
    async close() {
      await t.close();
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function analysed(t: TestApp, id: string): Promise<any> {
  return waitFor(async () => {
    const rec = await t.app.inject({ method: 'GET', url: `/v1/recordings/${id}`, headers: t.auth() });
    if (rec.json().status === 'failed') throw new Error(`recording failed: ${rec.body}`);
    const res = await t.app.inject({ method: 'GET', url: `/v1/recordings/${id}/analysis`, headers: t.auth() });
    return res.statusCode === 200 ? res.json() : undefined;
  }, 60_000, `analysis of ${id}`);
}

/** Signs in through the form like a browser would; returns the Cookie header value and the CSRF token. */
export async function signIn(t: TestApp, key: string): Promise<{ cookie: string; csrf: string }> {
  const res = await t.app.inject({
    method: 'POST', url: '/console/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ key, next: '/console/review' }).toString(),
  });
  expect(res.statusCode, res.body).toBe(303);
  const cookie = String(res.headers['set-cookie']).split(';')[0]!;
  // The token a page carries for its scripts, read the way console.js reads it.
  const page = await t.app.inject({ method: 'GET', url: '/console/maps', headers: { cookie } });
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page.body)?.[1];
  expect(csrf, page.body).toBeTruthy();
  return { cookie, csrf: csrf! };
}
