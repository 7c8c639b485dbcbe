import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRecording } from '../helpers/audio.js';
import { startFakeOpenAi } from '../helpers/fake-openai.js';
import { ROOT } from '../helpers/process.js';

const exec = promisify(execFile);
let dir: string;
let fake: Awaited<ReturnType<typeof startFakeOpenAi>>;

/** Runs `dealsense …` as a user would (the package's bin), with only the given environment. */
function dealsense(args: string[], env: Record<string, string> = {}) {
  return exec(process.execPath, [join(ROOT, 'bin/dealsense.mjs'), ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

const VTT = `WEBVTT

00:00:01.000 --> 00:00:05.000
<v 销售>王总，报价单您看了吗？

00:00:05.500 --> 00:00:10.000
<v 客户>看了，这批货最快什么时候能到？交期对我们很关键。

00:00:10.500 --> 00:00:14.000
<v 销售>下周三前我把分批交付计划发给您。
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dealsense-cli-'));
  fake = await startFakeOpenAi();
  await writeFile(join(dir, 'call.vtt'), VTT);
});
afterAll(async () => {
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('npx dealsense analyze', () => {
  it('prints a readable report for a VTT transcript', async () => {
    const r = await dealsense(['analyze', 'call.vtt', '--language', 'zh']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('[delivery_supply]');
    expect(r.stdout).toMatch(/0:(0[5-9]|10)–0:(0[5-9]|10) {2}“[^”]*(交期|到)/);
    expect(r.stdout).toContain('Talk metrics');
  });

  it('--json prints the analysis object', async () => {
    const r = await dealsense(['analyze', 'call.vtt', '--json']);
    const a = JSON.parse(r.stdout);
    expect(a.engine).toBe('lexicon');
    expect(a.segments).toBe(3);
    expect(a.concerns[0].code).toBe('delivery_supply');
  });

  it('transcribes a recording with the configured provider', async () => {
    await makeRecording(dir, 'tones', 'm4a', 6, { left: [{ start: 0.5, end: 2, hz: 500 }], right: [{ start: 3, end: 5, hz: 1000 }] });
    const r = await dealsense(['analyze', 'tones.m4a', '--layout', 'rep-left', '--json'], {
      TRANSCRIBE_PROVIDER: 'openai', TRANSCRIBE_BASE_URL: fake.baseURL, TRANSCRIBE_MODEL: 'whisper-test',
    });
    expect(r.code, r.stderr).toBe(0);
    const a = JSON.parse(r.stdout);
    expect(a.segments).toBe(2);
    expect(a.metrics.talkRatio.rep).toBeGreaterThan(0);
    expect(a.metrics.talkRatio.customer).toBeGreaterThan(0);
  });

  it('says which variable to set when a recording needs a provider', async () => {
    await makeRecording(dir, 'short', 'wav', 2, { mono: [{ start: 0.2, end: 1.5, hz: 440 }] });
    const r = await dealsense(['analyze', 'short.wav']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/TRANSCRIBE_PROVIDER/);
  });

  it('fails clearly on a missing file and on a malformed transcript', async () => {
    const missing = await dealsense(['analyze', 'nope.vtt']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/dealsense: .*nope\.vtt/);
    await writeFile(join(dir, 'bad.srt'), '1\n00:00:xx,000 --> 00:00:02,000\nhello\n');
    const bad = await dealsense(['analyze', 'bad.srt']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/line 2/);
  });
});
