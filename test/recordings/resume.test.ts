import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, hasTranscript, waitFor } from '../helpers/app.js';
import { makeRecording, type Burst } from '../helpers/audio.js';
import { startFakeOpenAi } from '../helpers/fake-openai.js';
import { exited, freePort, startProcess } from '../helpers/process.js';

// Six bursts 22 s apart: with 30 s chunks and the 20 s gap rule each is its own chunk.
const BURSTS: Burst[] = [300, 400, 500, 600, 700, 800].map((hz, i) => ({ start: 1 + i * 22, end: 3 + i * 22, hz }));
const DURATION = 6 * 22;

let fake: Awaited<ReturnType<typeof startFakeOpenAi>>;
let dir: string;
let audio: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dealsense-resume-'));
  fake = await startFakeOpenAi({ delayMs: 700 });
  audio = await readFile(await makeRecording(dir, 'six', 'wav', DURATION, { mono: BURSTS }));
});
afterAll(async () => {
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

const providerEnv = () => ({
  TRANSCRIBE_PROVIDER: 'openai',
  TRANSCRIBE_BASE_URL: fake.baseURL,
  TRANSCRIBE_MODEL: 'whisper-test',
  TRANSCRIBE_CHUNK_SEC: '30',
  TRANSCRIBE_CONCURRENCY: '1',
});

/** Requests per distinct chunk: nothing finished before the kill may be sent twice. */
function expectNoFinishedChunkResent(sentBeforeKill: string[], doneBeforeKill: number) {
  const counts = new Map<string, number>();
  for (const r of fake.requests) counts.set(r.sha1, (counts.get(r.sha1) ?? 0) + 1);
  // Each chunk's audio is distinct; the first `doneBeforeKill` sent were answered and stored.
  for (const sha of sentBeforeKill.slice(0, doneBeforeKill)) expect(counts.get(sha)).toBe(1);
  expect(counts.size).toBe(BURSTS.length);
  // At most the one chunk in flight at the kill is sent again.
  expect(fake.requests.length).toBeLessThanOrEqual(BURSTS.length + 1);
}

function expectFullTranscript(segments: { start: number; text: string }[]) {
  expect(segments).toHaveLength(BURSTS.length);
  segments.forEach((s, i) => {
    expect(Math.abs(s.start - BURSTS[i]!.start)).toBeLessThan(0.3);
    expect(Math.abs(Number(/tone (\d+) Hz/.exec(s.text)?.[1]) - BURSTS[i]!.hz)).toBeLessThanOrEqual(BURSTS[i]!.hz * 0.05);
  });
}

describe('a process killed mid-transcription resumes from the stored chunks', () => {
  it('embedded mode: the server (PGlite on disk + in-process queue) is killed with SIGKILL and restarted', async () => {
    fake.requests.length = 0;
    const dataDir = join(dir, 'embedded-data');
    const port = await freePort();
    const env = { DATA_DIR: dataDir, PORT: String(port), ADMIN_API_KEY: 'resume-admin', LOG_LEVEL: 'warn', JOB_BACKOFF_MS: '100', ...providerEnv() };
    const base = `http://127.0.0.1:${port}`;
    const headers = { authorization: 'Bearer resume-admin' };
    const boot = async () => {
      const p = startProcess('src/server.ts', env);
      await waitFor(async () => (await fetch(`${base}/health`).catch(() => undefined))?.ok, 30_000, `server to start\n${p.output()}`);
      return p;
    };
    let server = await boot();
    try {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(audio)]), 'six.wav');
      const res = await fetch(`${base}/v1/recordings`, { method: 'POST', headers, body: form });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      const status = async () => (await (await fetch(`${base}/v1/recordings/${id}`, { headers })).json()) as any;
      // 20 % is the audio stage; each chunk adds 80/6 %. Wait for two finished chunks.
      await waitFor(async () => (await status()).progress >= 20 + (80 * 2) / 6 - 1, 60_000, 'two chunks');
      server.kill('SIGKILL');
      await exited(server);
      const sentBeforeKill = fake.requests.map((r) => r.sha1);

      server = await boot();
      const done = await waitFor(async () => {
        const r = await status();
        return hasTranscript(r.status) ? r : undefined;
      }, 60_000, 'transcription after restart');
      expectFullTranscript(done.transcript.segments);
      expectNoFinishedChunkResent(sentBeforeKill, 2);
    } finally {
      server.kill('SIGTERM');
      expect(await exited(server)).toBe(0); // graceful shutdown closes PGlite and exits cleanly
    }
  });

  it.skipIf(!process.env.REDIS_URL || !process.env.DATABASE_URL)(
    'BullMQ mode: a separate worker process is killed with SIGKILL; a new worker takes the stalled job over',
    async () => {
      fake.requests.length = 0;
      const t = await createTestApp({ RUN_WORKERS: 'false', ...providerEnv() });
      const workers: ReturnType<typeof startProcess>[] = [];
      try {
        const env = { ...t.env, ...providerEnv(), LOG_LEVEL: 'warn' };
        workers.push(startProcess('workers/index.ts', env));
        const form = new FormData();
        form.append('file', new Blob([new Uint8Array(audio)]), 'six.wav');
        const boundary = new Response(form);
        const res = await t.app.inject({
          method: 'POST', url: '/v1/recordings',
          headers: { ...t.auth(), 'content-type': boundary.headers.get('content-type')! },
          payload: Buffer.from(await boundary.arrayBuffer()),
        });
        expect(res.statusCode).toBe(202);
        const id = res.json().id;
        const doneChunks = async () =>
          (await t.runtime.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM recording_chunks WHERE recording_id = $1 AND status = 'done'`, [id]))[0]!.n;
        await waitFor(async () => (await doneChunks()) >= 2, 60_000, `two chunks\n${workers[0]!.output()}`);
        workers[0]!.kill('SIGKILL');
        await exited(workers[0]!);
        const doneBeforeKill = await doneChunks();
        const sentBeforeKill = fake.requests.map((r) => r.sha1);

        workers.push(startProcess('workers/index.ts', env));
        const done = await waitFor(async () => {
          const r = (await t.app.inject({ method: 'GET', url: `/v1/recordings/${id}`, headers: t.auth() })).json();
          if (r.status === 'failed') throw new Error(JSON.stringify(r.error));
          return hasTranscript(r.status) ? r : undefined;
        }, 90_000, `transcription by the second worker\n${workers[1]!.output()}`);
        expectFullTranscript(done.transcript.segments);
        expectNoFinishedChunkResent(sentBeforeKill, doneBeforeKill);
        const rows = await t.runtime.db.query<{ n: number }>('SELECT count(*)::int AS n FROM transcript_segments WHERE recording_id = $1', [id]);
        expect(rows[0]?.n).toBe(BURSTS.length);
      } finally {
        for (const w of workers) w.kill('SIGTERM');
        await Promise.all(workers.map(exited));
        await t.close();
      }
    },
  );
});
