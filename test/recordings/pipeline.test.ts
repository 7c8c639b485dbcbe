import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, hasTranscript, waitFor, type TestApp } from '../helpers/app.js';
import { durationOf, makeRecording, speak, stereoCall, FORMATS, type Burst, type Format } from '../helpers/audio.js';
import { execFileSync } from 'node:child_process';
import { startFakeOpenAi } from '../helpers/fake-openai.js';
import { multipartBody } from '../helpers/multipart.js';

type Fake = Awaited<ReturnType<typeof startFakeOpenAi>>;

let fake: Fake;
let t: TestApp;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dealsense-audio-'));
  fake = await startFakeOpenAi();
  t = await createTestApp({
    TRANSCRIBE_PROVIDER: 'openai',
    TRANSCRIBE_BASE_URL: fake.baseURL,
    TRANSCRIBE_API_KEY: 'sk-test',
    TRANSCRIBE_MODEL: 'whisper-test',
    // Small chunks so a short file still spans several provider requests.
    TRANSCRIBE_CHUNK_SEC: '30',
  });
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

async function upload(file: string, fields: Record<string, string> = {}) {
  const body = multipartBody({ ...fields }, { name: file.split('/').pop()!, content: await readFile(file) });
  return t.app.inject({ method: 'POST', url: '/v1/recordings', headers: { ...t.auth(), ...body.headers }, payload: body.payload });
}

async function finished(id: string) {
  return waitFor(
    async () => {
      const res = await t.app.inject({ method: 'GET', url: `/v1/recordings/${id}`, headers: t.auth() });
      const rec = res.json();
      if (rec.status === 'failed') throw new Error(`recording failed: ${JSON.stringify(rec.error)}`);
      return hasTranscript(rec.status) ? rec : undefined;
    },
    60_000,
    `recording ${id} to be transcribed`,
  );
}

/** Each produced segment must match one burst: same pitch (± 10 %, lossy codecs blur it; the test tones are ≥ 40 % apart) and times within 0.3 s. */
function expectSegmentsMatch(segments: { start: number; end: number; text: string; role: string }[], expected: (Burst & { role: string })[]) {
  expect(segments).toHaveLength(expected.length);
  expected.forEach((b, i) => {
    const s = segments[i]!;
    expect(s.role).toBe(b.role);
    expect(s.start).toBeGreaterThan(b.start - 0.3);
    expect(s.start).toBeLessThan(b.start + 0.3);
    expect(s.end).toBeGreaterThan(b.end - 0.3);
    expect(s.end).toBeLessThan(b.end + 0.3);
    const hz = Number(/tone (\d+) Hz/.exec(s.text)?.[1]);
    expect(Math.abs(hz - b.hz)).toBeLessThanOrEqual(b.hz * 0.1);
  });
}

// Three bursts, the last one past the 30 s chunk limit, with long gaps so they land in different chunks.
const MONO: Burst[] = [
  { start: 1, end: 3, hz: 440 },
  { start: 25, end: 27.5, hz: 660 },
  { start: 50, end: 52, hz: 880 },
];

describe('upload → normalise → chunk → transcribe (fake OpenAI-compatible server)', () => {
  it.each(Object.keys(FORMATS) as Format[])('%s (mono) is stitched back onto one timeline', async (format) => {
    const file = await makeRecording(dir, `mono-${format}`, format, 55, { mono: MONO });
    const before = fake.requests.length;
    const res = await upload(file, { language: 'en', externalId: `mono-${format}` });
    expect(res.statusCode, res.body).toBe(202);
    const rec = await finished(res.json().id);
    expect(rec.progress).toBe(100);
    expect(rec.durationSec).toBeGreaterThan(54);
    expectSegmentsMatch(rec.transcript.segments, MONO.map((b) => ({ ...b, role: 'unknown' })));
    // One request per chunk; silence between bursts is never sent.
    const sent = fake.requests.slice(before);
    expect(sent).toHaveLength(3);
    expect(sent.every((r) => r.model === 'whisper-test' && r.language === 'en' && r.responseFormat === 'verbose_json')).toBe(true);
    expect(sent.every((r) => r.authorization === 'Bearer sk-test')).toBe(true);
    expect(sent.reduce((s, r) => s + r.durationSec, 0)).toBeLessThan(15);
  });

  const LEFT: Burst[] = [
    { start: 0.5, end: 2.5, hz: 500 },
    { start: 6, end: 8, hz: 500 },
  ];
  const RIGHT: Burst[] = [
    { start: 3, end: 5.5, hz: 1000 },
    { start: 8.5, end: 10, hz: 1000 },
  ];
  const interleaved = (repSide: 'left' | 'right') =>
    [
      ...LEFT.map((b) => ({ ...b, role: repSide === 'left' ? 'rep' : 'customer' })),
      ...RIGHT.map((b) => ({ ...b, role: repSide === 'right' ? 'rep' : 'customer' })),
    ].sort((a, b) => a.start - b.start);

  it.each([
    ['m4a', 'rep-left'],
    ['wav', 'rep-right'],
    ['ogg', 'rep-left'],
    ['mp4', 'rep-right'],
  ] as const)('stereo %s with %s: each channel becomes one speaker', async (format, layout) => {
    const file = await makeRecording(dir, `stereo-${format}-${layout}`, format, 11, { left: LEFT, right: RIGHT });
    const res = await upload(file, { channelLayout: layout });
    expect(res.statusCode, res.body).toBe(202);
    const rec = await finished(res.json().id);
    const expected = interleaved(layout === 'rep-left' ? 'left' : 'right');
    expectSegmentsMatch(rec.transcript.segments, expected);
    expect(rec.transcript.segments.map((s: { speaker: string }) => s.speaker)).toEqual(expected.map((b) => b.role));
  });

  it('a stereo file uploaded as mixed is downmixed into one track', async () => {
    const file = await makeRecording(dir, 'stereo-mixed', 'm4a', 11, { left: LEFT, right: RIGHT });
    const res = await upload(file);
    const rec = await finished(res.json().id);
    expect(rec.transcript.segments.length).toBeGreaterThanOrEqual(1);
    expect(rec.transcript.segments.every((s: { role: string }) => s.role === 'unknown')).toBe(true);
    expect(rec.channelLayout).toBe('mixed');
  });
});

const hasEspeak = (() => {
  try {
    execFileSync('espeak-ng', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

// espeak-ng is a Debian package (.ci/run installs it); without it this one test is skipped.
describe.skipIf(!hasEspeak)('spoken Mandarin and English (espeak-ng)', () => {
  it('a stereo phone call: the rep speaks Mandarin on the left, the customer English on the right', async () => {
    const rep = (await speak(dir, 'rep-zh', '王总您好，上次发给您的报价单您看了吗？', 'cmn'))!;
    const customer = (await speak(dir, 'customer-en', 'Yes. How soon can you deliver the first batch?', 'en'))!;
    const repEnd = await durationOf(rep);
    const customerStart = repEnd + 1.5;
    const call = await stereoCall(dir, 'speech-call', rep, customer, customerStart);
    const before = fake.requests.length;
    const res = await upload(call, { channelLayout: 'rep-left', language: 'zh' });
    expect(res.statusCode, res.body).toBe(202);
    const rec = await finished(res.json().id);
    const segs: { role: string; start: number; end: number }[] = rec.transcript.segments;
    const repSegs = segs.filter((s) => s.role === 'rep');
    const customerSegs = segs.filter((s) => s.role === 'customer');
    expect(repSegs.length).toBeGreaterThan(0);
    expect(customerSegs.length).toBeGreaterThan(0);
    for (const s of repSegs) expect(s.end).toBeLessThan(repEnd + 0.3);
    for (const s of customerSegs) expect(s.start).toBeGreaterThan(customerStart - 0.3);
    expect(fake.requests.slice(before).every((r) => r.language === 'zh')).toBe(true);
  });
});
