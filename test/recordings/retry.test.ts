import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, hasTranscript, waitFor, type TestApp } from '../helpers/app.js';
import { makeRecording } from '../helpers/audio.js';
import { startFakeOpenAi } from '../helpers/fake-openai.js';
import { multipartBody } from '../helpers/multipart.js';

let fake: Awaited<ReturnType<typeof startFakeOpenAi>>;
let t: TestApp;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dealsense-retry-'));
  fake = await startFakeOpenAi();
  t = await createTestApp({
    TRANSCRIBE_PROVIDER: 'openai',
    TRANSCRIBE_BASE_URL: fake.baseURL,
    TRANSCRIBE_MODEL: 'whisper-test',
    TRANSCRIBE_CHUNK_SEC: '30',
    TRANSCRIBE_CONCURRENCY: '1',
    JOB_ATTEMPTS: '2',
  });
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

const get = async (id: string) => (await t.app.inject({ method: 'GET', url: `/v1/recordings/${id}`, headers: t.auth() })).json();

describe('provider failures, retry and resume from stored chunks', () => {
  it('fails with the reason after the last attempt, then a retry finishes without resending finished chunks', async () => {
    const file = await makeRecording(dir, 'three', 'wav', 55, {
      mono: [
        { start: 1, end: 3, hz: 440 },
        { start: 25, end: 27, hz: 660 },
        { start: 50, end: 52, hz: 880 },
      ],
    });
    // The first chunk succeeds; every later request fails (the SDK's own retries included).
    fake.failWhen((n) => n >= 1);
    const body = multipartBody({}, { name: 'three.wav', content: await readFile(file) });
    const res = await t.app.inject({ method: 'POST', url: '/v1/recordings', headers: { ...t.auth(), ...body.headers }, payload: body.payload });
    expect(res.statusCode).toBe(202);
    const id = res.json().id;
    const failed = await waitFor(async () => {
      const r = await get(id);
      return r.status === 'failed' ? r : undefined;
    }, 60_000, 'failure');
    expect(failed.error.code).toBe('processing_failed');
    expect(failed.error.message).toMatch(/500/);
    expect(failed.error.message).toMatch(/after 2 attempts/);
    expect(failed.progress).toBeGreaterThanOrEqual(20);
    const firstChunk = fake.requests[0]!.sha1;
    const doneBefore = await t.runtime.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM recording_chunks WHERE recording_id = $1 AND status = 'done'`, [id]);
    expect(doneBefore[0]?.n).toBe(1);

    fake.failWhen(() => false);
    const retry = await t.app.inject({ method: 'POST', url: `/v1/recordings/${id}/retry`, headers: t.auth() });
    expect(retry.statusCode).toBe(202);
    const done = await waitFor(async () => {
      const r = await get(id);
      return hasTranscript(r.status) ? r : undefined;
    }, 60_000, 'transcription after retry');
    expect(done.error).toBeNull();
    expect(done.transcript.segments.map((s: { text: string }) => s.text)).toEqual(['tone 440 Hz', 'tone 660 Hz', 'tone 880 Hz']);
    expect(fake.requests.filter((r) => r.sha1 === firstChunk)).toHaveLength(1);

    // Retrying a finished recording is refused.
    const again = await t.app.inject({ method: 'POST', url: `/v1/recordings/${id}/retry`, headers: t.auth() });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('not_retryable');
  });

  it('a provider that rejects the key fails at once, naming the setting', async () => {
    fake.failWhen(() => false);
    fake.failNext(10, 401);
    const file = await makeRecording(dir, 'short', 'wav', 4, { mono: [{ start: 1, end: 3, hz: 440 }] });
    const body = multipartBody({}, { name: 'short.wav', content: await readFile(file) });
    const res = await t.app.inject({ method: 'POST', url: '/v1/recordings', headers: { ...t.auth(), ...body.headers }, payload: body.payload });
    const id = res.json().id;
    const before = fake.requests.length;
    const failed = await waitFor(async () => {
      const r = await get(id);
      return r.status === 'failed' ? r : undefined;
    }, 30_000, 'failure');
    expect(failed.error.code).toBe('provider_auth');
    expect(failed.error.message).toMatch(/TRANSCRIBE_API_KEY/);
    // Not retried: one request only (the SDK does not retry a 401 and neither does the queue).
    expect(fake.requests.length - before).toBeLessThanOrEqual(1);
    fake.failNext(0);
  });
});
