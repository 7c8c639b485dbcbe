import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/platform/auth.js';
import { ffmpegBin } from '../../src/recordings/ffmpeg.js';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.js';
import { makeRecording } from '../helpers/audio.js';
import { multipartBody } from '../helpers/multipart.js';
import { expectError } from '../helpers/errors.js';

const exec = promisify(execFile);

// One app with the default configuration; one whose limits are tiny (upload size,
// duration, JSON body) so the "too big / too long" paths are cheap to reach.
let t: TestApp;
let limited: TestApp;
let dir: string;
let monoWav: Buffer; // 3 s, mono
let truncatedMp3: Buffer; // a 20 s MP3 (Xing header) cut in half
let amr10s: Buffer; // 10 s, small enough for the 0.05 MB limit

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dealsense-bad-'));
  const [a, b] = await Promise.all([
    createTestApp(),
    // 0.0078125 MB = 8 KiB exactly: Fastify's bodyLimit must be a whole number of bytes
    // (src/app.ts passes MAX_JSON_BODY_MB * 1024 * 1024 unrounded, so '0.01' fails at start-up).
    createTestApp({ MAX_UPLOAD_MB: '0.05', MAX_DURATION_SEC: '5', MAX_JSON_BODY_MB: '0.0078125' }),
  ]);
  t = a;
  limited = b;
  const [wav, amr, mp3] = await Promise.all([
    makeRecording(dir, 'mono', 'wav', 3, { mono: [{ start: 0.5, end: 2, hz: 440 }] }),
    makeRecording(dir, 'long', 'amr', 10, { mono: [{ start: 1, end: 9, hz: 440 }] }),
    makeRecording(dir, 'full', 'mp3', 20, { mono: [{ start: 1, end: 19, hz: 440 }] }),
  ]);
  monoWav = await readFile(wav);
  amr10s = await readFile(amr);
  const fullMp3 = await readFile(mp3);
  truncatedMp3 = fullMp3.subarray(0, Math.floor(fullMp3.length / 2));
});

afterAll(async () => {
  await t?.close();
  await limited?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

type Part = { name: string; value: string } | { name: string; filename: string; content: Buffer; type?: string };

/** A hand-built multipart body with any number of parts (two files, odd field names). */
function multipart(parts: Part[]) {
  const boundary = `----dealsense${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if ('value' in p) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
    } else {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\n` +
            `Content-Type: ${p.type ?? 'application/octet-stream'}\r\n\r\n`,
        ),
        p.content,
        Buffer.from('\r\n'),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: Buffer.concat(chunks) };
}

function upload(app: TestApp, file: { name: string; content: Buffer }, fields: Record<string, string> = {}, key?: string) {
  const body = multipartBody(fields, file);
  return app.app.inject({ method: 'POST', url: '/v1/recordings', headers: { ...app.auth(key), ...body.headers }, payload: body.payload });
}

function importJson(app: TestApp, body: unknown, key?: string) {
  return app.app.inject({ method: 'POST', url: '/v1/recordings', headers: app.auth(key), payload: body as object });
}


async function rowCount(app: TestApp): Promise<number> {
  const rows = await app.runtime.db.query<{ n: string | number }>('SELECT count(*) AS n FROM recordings');
  return Number(rows[0]!.n);
}

/**
 * No partial rows, no partial files: the row count is unchanged, no upload temp file is
 * left, and every file under recordings/ belongs to a recording row that exists
 * (for an app that has accepted nothing yet: no files at all).
 */
async function expectNothingLeft(app: TestApp, rowsBefore: number) {
  expect(await rowCount(app)).toBe(rowsBefore);
  const ids = new Set((await app.runtime.db.query<{ id: string }>('SELECT id FROM recordings')).map((r) => r.id));
  const files = (await app.storedFiles()).map((f) => relative(app.config.DATA_DIR, f));
  expect(files.filter((f) => f.startsWith(`tmp${sep}`))).toEqual([]);
  // recordings/<tenant>/<recording id>/...
  expect(files.filter((f) => f.startsWith(`recordings${sep}`) && !ids.has(f.split(sep)[2] ?? ''))).toEqual([]);
  if (ids.size === 0) expect(files.filter((f) => f.startsWith(`recordings${sep}`))).toEqual([]);
}

/** Runs a request that must be refused, and checks it left nothing behind. */
async function refused(
  app: TestApp,
  send: () => Promise<LightMyRequestResponse>,
  status: number,
  code: string,
  message?: RegExp | string,
) {
  const before = await rowCount(app);
  const res = await send();
  const err = expectError(res, status, code, message);
  await expectNothingLeft(app, before);
  return err;
}

const VTT_OK = 'WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Rep>Hello, thanks for joining.\n\n00:00:03.500 --> 00:00:06.000\n<v Customer>When can it ship?\n';

// ---------------------------------------------------------------------------
// files
// ---------------------------------------------------------------------------

describe('bad files are refused with a clear 4xx and leave nothing behind', () => {
  it('empty file → 400 empty_file', async () => {
    await refused(t, () => upload(t, { name: 'call.mp3', content: Buffer.alloc(0) }), 400, 'empty_file');
  });

  it('a text file named .mp3 → 415 not_audio', async () => {
    const text = Buffer.from('This is not audio at all.\nJust some meeting notes.\n'.repeat(50));
    await refused(t, () => upload(t, { name: 'notes.mp3', content: text }), 415, 'not_audio');
  });

  it('random bytes named .wav → 415 not_audio', async () => {
    await refused(t, () => upload(t, { name: 'noise.wav', content: randomBytes(64 * 1024) }), 415, 'not_audio');
  });

  it('an MP3 cut in half (its Xing header promises 20 s) → 422 truncated_audio', async () => {
    await refused(t, () => upload(t, { name: 'cut.mp3', content: truncatedMp3 }), 422, 'truncated_audio', /cut off/);
  });

  it('a file over MAX_UPLOAD_MB → 413 file_too_large, naming the limit', async () => {
    const big = randomBytes(200 * 1024);
    const err = await refused(limited, () => upload(limited, { name: 'big.wav', content: big }), 413, 'file_too_large', 'MAX_UPLOAD_MB');
    // 0.05 MB must not be reported as a "0 MB" limit.
    expect(err.message).not.toMatch(/\b0 MB/);
  });

  it('a file longer than MAX_DURATION_SEC → 422 too_long', async () => {
    await refused(limited, () => upload(limited, { name: 'long.amr', content: amr10s }), 422, 'too_long', 'MAX_DURATION_SEC');
  });

  it('rep-left on a mono file → 422 not_stereo', async () => {
    await refused(t, () => upload(t, { name: 'mono.wav', content: monoWav }, { channelLayout: 'rep-left' }), 422, 'not_stereo', 'rep-left');
  });

  it.each([
    ['../../etc/evil.mp3'],
    ['../evil.wav'],
    ['..\\..\\evil.wav'],
    ['C:\\Users\\rep\\call.wav'],
    ['sub/dir/call.wav'],
  ])('a filename with a path (%s) → 400 invalid_filename', async (name) => {
    await refused(t, () => upload(t, { name, content: monoWav }), 400, 'invalid_filename');
  });
});

// ---------------------------------------------------------------------------
// multipart shape and fields
// ---------------------------------------------------------------------------

describe('malformed multipart requests', () => {
  it('unknown channelLayout in multipart fields → 400 validation_error naming fields.channelLayout', async () => {
    await refused(
      t,
      () => upload(t, { name: 'mono.wav', content: monoWav }, { channelLayout: 'rep-middle' }),
      400,
      'validation_error',
      'fields.channelLayout',
    );
  });

  it('an unknown multipart field → 400 validation_error naming it', async () => {
    await refused(t, () => upload(t, { name: 'mono.wav', content: monoWav }, { colour: 'blue' }), 400, 'validation_error', 'colour');
  });

  it('a multipart body with no file part → 400', async () => {
    const body = multipart([{ name: 'language', value: 'en' }]);
    await refused(
      t,
      () => t.app.inject({ method: 'POST', url: '/v1/recordings', headers: { ...t.auth(), ...body.headers }, payload: body.payload }),
      400,
      'validation_error',
      '"file"',
    );
  });

  it('a multipart body with two files → 400 too_many_parts', async () => {
    const body = multipart([
      { name: 'file', filename: 'a.wav', content: monoWav },
      { name: 'file', filename: 'b.wav', content: monoWav },
    ]);
    await refused(
      t,
      () => t.app.inject({ method: 'POST', url: '/v1/recordings', headers: { ...t.auth(), ...body.headers }, payload: body.payload }),
      400,
      'too_many_parts',
    );
  });

  it('a file sent under another field name → 400 naming "file"', async () => {
    const body = multipart([{ name: 'audio', filename: 'a.wav', content: monoWav }]);
    await refused(
      t,
      () => t.app.inject({ method: 'POST', url: '/v1/recordings', headers: { ...t.auth(), ...body.headers }, payload: body.payload }),
      400,
      'validation_error',
      '"file"',
    );
  });

  it('a cut-off multipart body → 400 malformed_multipart', async () => {
    const body = multipart([{ name: 'file', filename: 'a.wav', content: monoWav }]);
    const payload = body.payload.subarray(0, body.payload.length - 200); // no closing boundary
    await refused(
      t,
      () => t.app.inject({ method: 'POST', url: '/v1/recordings', headers: { ...t.auth(), ...body.headers }, payload }),
      400,
      'malformed_multipart',
    );
  });

  it('multipart without a boundary → 400 malformed_multipart', async () => {
    const body = multipart([{ name: 'file', filename: 'a.wav', content: monoWav }]);
    await refused(
      t,
      () =>
        t.app.inject({
          method: 'POST',
          url: '/v1/recordings',
          headers: { ...t.auth(), 'content-type': 'multipart/form-data' },
          payload: body.payload,
        }),
      400,
      'malformed_multipart',
    );
  });

  it('a field named __proto__ → 400 validation_error', async () => {
    const body = multipart([
      { name: '__proto__', value: 'x' },
      { name: 'file', filename: 'a.wav', content: monoWav },
    ]);
    await refused(
      t,
      () => t.app.inject({ method: 'POST', url: '/v1/recordings', headers: { ...t.auth(), ...body.headers }, payload: body.payload }),
      400,
      'validation_error',
    );
  });

  it('more than 20 text fields → 400 too_many_parts', async () => {
    const fields = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`f${i}`, 'x']));
    await refused(t, () => upload(t, { name: 'mono.wav', content: monoWav }, fields), 400, 'too_many_parts');
  });
});

// ---------------------------------------------------------------------------
// JSON imports
// ---------------------------------------------------------------------------

describe('malformed JSON imports', () => {
  it('malformed VTT (bad timestamp) → 400 invalid_transcript naming the line', async () => {
    const vtt = 'WEBVTT\n\n00:00:01.000 --> 00:0x:03.000\nhello\n';
    const err = await refused(t, () => importJson(t, { transcript: vtt }), 400, 'invalid_transcript', 'line 3');
    expect(err.details).toEqual({ line: 3 });
  });

  it('malformed SRT (cue without a timing line) → 400 invalid_transcript naming the line', async () => {
    const srt = '1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\nno timing here\nyo\n';
    const err = await refused(t, () => importJson(t, { transcript: srt }), 400, 'invalid_transcript', 'line 6');
    expect(err.details).toEqual({ line: 6 });
  });

  it('SRT with a bad timestamp → 400 invalid_transcript', async () => {
    const srt = '1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\n00:00:0a,000 --> 00:00:04,000\nyo\n';
    await refused(t, () => importJson(t, { transcript: srt, format: 'srt' }), 400, 'invalid_transcript', 'line 6');
  });

  it('a VTT cue that ends before it starts → 400 invalid_transcript', async () => {
    const vtt = 'WEBVTT\n\n00:00:05.000 --> 00:00:03.000\nhello\n';
    await refused(t, () => importJson(t, { transcript: vtt }), 400, 'invalid_transcript', /line 3: cue ends .* before it starts/);
  });

  it('a segment that ends before it starts → 400 invalid_transcript naming segments[0]', async () => {
    await refused(t, () => importJson(t, { transcript: [{ start: 5, end: 2, text: 'x' }] }), 400, 'invalid_transcript', 'segments[0]');
  });

  it('text that is neither VTT nor SRT → 400 invalid_transcript', async () => {
    await refused(t, () => importJson(t, { transcript: 'just some words' }), 400, 'invalid_transcript', 'line 1');
  });

  it('unknown channelLayout in JSON → 400 validation_error naming body.channelLayout', async () => {
    await refused(t, () => importJson(t, { transcript: VTT_OK, channelLayout: 'surround' }), 400, 'validation_error', 'body.channelLayout');
  });

  it('unknown language in JSON → 400 validation_error naming body.language', async () => {
    await refused(t, () => importJson(t, { transcript: VTT_OK, language: 'fr' }), 400, 'validation_error', 'body.language');
  });

  it('a wrong type in JSON → 400 validation_error naming the field', async () => {
    await refused(t, () => importJson(t, { transcript: VTT_OK, externalId: 42 }), 400, 'validation_error', 'body.externalId');
  });

  it('unknown extra fields in JSON → 400 validation_error naming them', async () => {
    await refused(t, () => importJson(t, { transcript: VTT_OK, sneaky: true }), 400, 'validation_error', 'sneaky');
  });

  it('no transcript at all → 400 validation_error naming body.transcript', async () => {
    await refused(t, () => importJson(t, { externalId: 'x' }), 400, 'validation_error', 'body.transcript');
  });

  it('malformed JSON → 400 invalid_json', async () => {
    await refused(
      t,
      () =>
        t.app.inject({
          method: 'POST',
          url: '/v1/recordings',
          headers: { ...t.auth(), 'content-type': 'application/json' },
          payload: '{"transcript": "WEBVTT", ',
        }),
      400,
      'invalid_json',
    );
  });

  it('an empty JSON body → 400 invalid_json', async () => {
    await refused(
      t,
      () => t.app.inject({ method: 'POST', url: '/v1/recordings', headers: { ...t.auth(), 'content-type': 'application/json' }, payload: '' }),
      400,
      'invalid_json',
    );
  });

  it('a JSON body over MAX_JSON_BODY_MB → 413 payload_too_large', async () => {
    const cues = Array.from({ length: 400 }, (_, i) => `00:00:${String(i % 60).padStart(2, '0')}.000 --> 00:00:${String(i % 60).padStart(2, '0')}.500\nword ${i}\n`);
    const vtt = `WEBVTT\n\n${cues.join('\n')}`;
    expect(Buffer.byteLength(JSON.stringify({ transcript: vtt }))).toBeGreaterThan(limited.config.MAX_JSON_BODY_MB * 1024 * 1024);
    await refused(limited, () => importJson(limited, { transcript: vtt }), 413, 'payload_too_large', 'MAX_JSON_BODY_MB');
  });

  it('20,001 transcript segments → 400 validation_error naming body.transcript', async () => {
    const segments = Array.from({ length: 20_001 }, (_, i) => ({ start: i, end: i + 0.5, text: 'a' }));
    await refused(t, () => importJson(t, { transcript: segments }), 400, 'validation_error', 'body.transcript');
  });

  it('a content type that is neither JSON nor multipart (text/plain) → 415', async () => {
    await refused(
      t,
      () => t.app.inject({ method: 'POST', url: '/v1/recordings', headers: { ...t.auth(), 'content-type': 'text/plain' }, payload: VTT_OK }),
      415,
      'unsupported_media_type',
    );
  });

  it('an unknown content type (application/xml) → 415', async () => {
    await refused(
      t,
      () => t.app.inject({ method: 'POST', url: '/v1/recordings', headers: { ...t.auth(), 'content-type': 'application/xml' }, payload: '<a/>' }),
      415,
      'unsupported_media_type',
    );
  });
});

// ---------------------------------------------------------------------------
// ids, auth, tenants
// ---------------------------------------------------------------------------

describe('ids and authentication', () => {
  it('a non-UUID id → 400 validation_error naming params.id', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/recordings/not-a-uuid', headers: t.auth() });
    expectError(res, 400, 'validation_error', 'params.id');
    const retry = await t.app.inject({ method: 'POST', url: '/v1/recordings/1234/retry', headers: t.auth() });
    expectError(retry, 400, 'validation_error', 'params.id');
  });

  it('an unknown recording id → 404 not_found', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/recordings/00000000-0000-4000-8000-000000000000', headers: t.auth() });
    expectError(res, 404, 'not_found');
  });

  const noAuthCases: [string, Record<string, string>][] = [
    ['no Authorization header', {}],
    ['a malformed header (Basic)', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['a malformed header (Bearer without key)', { authorization: 'Bearer ' }],
    ['a malformed header (two tokens)', { authorization: 'Bearer abc def' }],
    ['an unknown key', { authorization: 'Bearer dsk_not_a_real_key_at_all_0000000000' }],
  ];

  it.each(noAuthCases)('%s → 401 unauthorized on upload, import and read', async (_name, headers) => {
    const body = multipartBody({}, { name: 'mono.wav', content: monoWav });
    await refused(
      t,
      () => t.app.inject({ method: 'POST', url: '/v1/recordings', headers: { ...headers, ...body.headers }, payload: body.payload }),
      401,
      'unauthorized',
    );
    await refused(t, () => t.app.inject({ method: 'POST', url: '/v1/recordings', headers, payload: { transcript: VTT_OK } }), 401, 'unauthorized');
    const res = await t.app.inject({ method: 'GET', url: '/v1/recordings/00000000-0000-4000-8000-000000000000', headers });
    expectError(res, 401, 'unauthorized');
  });

  it('authentication comes first: no key + a bad body or id → 401, not 400/413', async () => {
    const noKey = [
      await t.app.inject({ method: 'GET', url: '/v1/recordings/not-a-uuid' }),
      await t.app.inject({ method: 'POST', url: '/v1/recordings', headers: { 'content-type': 'application/json' }, payload: '{broken' }),
      await limited.app.inject({ method: 'POST', url: '/v1/recordings', payload: { transcript: 'x'.repeat(20_000) } }),
    ];
    for (const res of noKey) expectError(res, 401, 'unauthorized');
  });

  it('a revoked key → 401 unauthorized', async () => {
    const key = await t.newTenant('revoked-co');
    const ok = await t.app.inject({ method: 'GET', url: '/v1/recordings/00000000-0000-4000-8000-000000000000', headers: t.auth(key) });
    expectError(ok, 404, 'not_found'); // the key works before it is revoked
    await t.runtime.db.query(`UPDATE api_keys SET revoked_at = now() WHERE tenant_id = 'revoked-co'`);
    await refused(t, () => importJson(t, { transcript: VTT_OK }, key), 401, 'unauthorized');
    await refused(t, () => upload(t, { name: 'mono.wav', content: monoWav }, {}, key), 401, 'unauthorized');
  });

  it('a read-only key posting a recording → 403 forbidden', async () => {
    await t.newTenant('reader-co');
    const { key } = await createApiKey(t.runtime.db, { tenantId: 'reader-co', scopes: ['read'] });
    await refused(t, () => importJson(t, { transcript: VTT_OK }, key), 403, 'forbidden', 'ingest');
    await refused(t, () => upload(t, { name: 'mono.wav', content: monoWav }, {}, key), 403, 'forbidden', 'ingest');
  });

  it("another tenant's recording → 404 for GET and retry, revealing none of its data", async () => {
    const otherKey = await t.newTenant('other-co');
    const secret = 'Our budget is 1.2M, confidential-xyz';
    const created = await importJson(
      t,
      { transcript: `WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Customer>${secret}\n`, externalId: 'other-secret-ext', leadId: 'lead-secret-9', repId: 'rep-secret-7' },
      otherKey,
    );
    expect(created.statusCode, created.body).toBe(202);
    const id = created.json().id as string;
    // The owner sees it …
    const own = await t.app.inject({ method: 'GET', url: `/v1/recordings/${id}`, headers: t.auth(otherKey) });
    expect(own.statusCode).toBe(200);
    expect(own.json().transcript.segments[0].text).toBe(secret);
    // … the default tenant's (admin!) key does not.
    for (const res of [
      await t.app.inject({ method: 'GET', url: `/v1/recordings/${id}`, headers: t.auth() }),
      await t.app.inject({ method: 'POST', url: `/v1/recordings/${id}/retry`, headers: t.auth() }),
    ]) {
      expectError(res, 404, 'not_found');
      for (const leak of ['confidential-xyz', 'other-secret-ext', 'lead-secret-9', 'rep-secret-7', 'other-co']) expect(res.body).not.toContain(leak);
    }
    // And its externalId does not collide with (or reveal) the other tenant's.
    const mine = await importJson(t, { transcript: VTT_OK, externalId: 'other-secret-ext' });
    expect(mine.statusCode, mine.body).toBe(202);
    expect(mine.json().id).not.toBe(id);
    expect(mine.json().duplicate).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// hostile text, idempotency, the no-provider default
// ---------------------------------------------------------------------------

describe('accepted input', () => {
  it('hostile cue text is stored and returned as plain JSON text; the table survives', async () => {
    const hostile = `<script>alert(1)</script>'; DROP TABLE recordings;--`;
    const vtt = `WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n${hostile}\n`;
    const created = await importJson(t, { transcript: vtt, externalId: `x'); DROP TABLE recordings;--` });
    expect(created.statusCode, created.body).toBe(202);
    const res = await t.app.inject({ method: 'GET', url: `/v1/recordings/${created.json().id}`, headers: t.auth() });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const rec = res.json();
    expect(rec.externalId).toBe(`x'); DROP TABLE recordings;--`);
    const text = rec.transcript.segments[0].text as string;
    // Verbatim, or with tags stripped by the parser: either way the SQL-looking part is untouched text.
    expect([hostile, `alert(1)'; DROP TABLE recordings;--`]).toContain(text);
    expect(await rowCount(t)).toBeGreaterThan(0); // the table still exists
  });

  it('same externalId twice (upload) → 200 with the same id, duplicate: true, one row', async () => {
    const first = await upload(t, { name: 'mono.wav', content: monoWav }, { externalId: 'dup-upload-1' });
    expect(first.statusCode, first.body).toBe(202);
    expect(first.json()).toEqual({ id: expect.any(String), status: 'queued' });
    const before = await rowCount(t);
    const second = await upload(t, { name: 'mono.wav', content: monoWav }, { externalId: 'dup-upload-1' });
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json()).toMatchObject({ id: first.json().id, duplicate: true });
    await expectNothingLeft(t, before);
    const rows = await t.runtime.db.query(`SELECT id FROM recordings WHERE external_id = 'dup-upload-1'`);
    expect(rows).toHaveLength(1);
    // The second request's file was not kept: exactly one original under the recording.
    const files = (await t.storedFiles()).filter((f) => f.includes(first.json().id) && /original/.test(f));
    expect(files).toHaveLength(1);
  });

  it('same externalId twice (JSON import) → 200 with the same id, duplicate: true, one row', async () => {
    const first = await importJson(t, { transcript: VTT_OK, externalId: 'dup-import-1' });
    expect(first.statusCode, first.body).toBe(202);
    expect(first.json()).toEqual({ id: expect.any(String), status: 'transcribed' });
    const before = await rowCount(t);
    const second = await importJson(t, { transcript: VTT_OK, externalId: 'dup-import-1' });
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json()).toEqual({ id: first.json().id, status: expect.stringMatching(/^(transcribed|analyzed)$/), duplicate: true });
    expect(await rowCount(t)).toBe(before);
    const rows = await t.runtime.db.query(`SELECT id FROM recordings WHERE external_id = 'dup-import-1'`);
    expect(rows).toHaveLength(1);
  });

  it('the same externalId sent twice at once → one 202, one 200 duplicate, one row (upload and import)', async () => {
    const ups = await Promise.all([
      upload(t, { name: 'mono.wav', content: monoWav }, { externalId: 'race-upload' }),
      upload(t, { name: 'mono.wav', content: monoWav }, { externalId: 'race-upload' }),
    ]);
    const imps = await Promise.all([
      importJson(t, { transcript: VTT_OK, externalId: 'race-import' }),
      importJson(t, { transcript: VTT_OK, externalId: 'race-import' }),
    ]);
    for (const [pair, ext] of [[ups, 'race-upload'], [imps, 'race-import']] as const) {
      expect(pair.map((r) => r.statusCode).sort(), pair.map((r) => r.body).join('\n')).toEqual([200, 202]);
      expect(pair[0]!.json().id).toBe(pair[1]!.json().id);
      expect(pair.find((r) => r.statusCode === 200)!.json().duplicate).toBe(true);
      expect(await t.runtime.db.query('SELECT id FROM recordings WHERE external_id = $1', [ext])).toHaveLength(1);
    }
    await expectNothingLeft(t, await rowCount(t));
    const originals = (await t.storedFiles()).filter((f) => f.includes(ups[0]!.json().id) && /original/.test(f));
    expect(originals).toHaveLength(1);
  });

  it('with the default TRANSCRIBE_PROVIDER (none) an upload ends failed with transcription_not_configured', async () => {
    expect(t.config.TRANSCRIBE_PROVIDER).toBe('none');
    const res = await upload(t, { name: 'mono.wav', content: monoWav }, { language: 'en' });
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json().id as string;
    const rec = await waitFor(
      async () => {
        const r = (await t.app.inject({ method: 'GET', url: `/v1/recordings/${id}`, headers: t.auth() })).json();
        return r.status === 'failed' ? r : undefined;
      },
      30_000,
      'the recording to fail',
    );
    expect(rec.error.code).toBe('transcription_not_configured');
    expect(rec.error.message).toContain('TRANSCRIBE_PROVIDER');
    expect(rec.transcript).toBeNull();
    // The audio stage did its part before the transcribe stage gave up.
    expect(rec.durationSec).toBeGreaterThan(2.5);
    expect(rec.originalFilename).toBe('mono.wav');
  });
});

describe('fixtures', () => {
  it('the cut MP3 still carries a header promising the full 20 s (so the 422 above is about truncation)', async () => {
    const path = join(dir, 'cut.mp3');
    await writeFile(path, truncatedMp3);
    const { stderr } = await exec(ffmpegBin(), ['-hide_banner', '-i', path, '-f', 'null', '-'], { maxBuffer: 1 << 24 });
    expect(stderr).toMatch(/Duration: 00:00:(19|20)\./);
  });
});
