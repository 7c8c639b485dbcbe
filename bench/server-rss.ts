// Memory of the real API process while a large multipart upload streams in.
import { randomBytes } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, startServer, stopServer, waitForHealth, type StopResult } from './server-process.js';
import { median, slope, toMb } from './util.js';

const SAMPLE_MS = 50;
const HEALTH_TIMEOUT_MS = 90_000;
const EXIT_TIMEOUT_MS = 60_000; // closeWithGrace allows 30 s, plus the in-process job it waits for

export interface UploadRssResult {
  pid: number;
  cmdline: string;
  fileBytes: number;
  baselineMb: number;
  hwmBeforeMb: number;
  maxSampledMb: number;
  hwmAtResponseMb: number;
  /** Highest RSS between the first byte sent and the response (VmHWM if it rose, else the samples). */
  peakDuringUploadMb: number;
  rssAtSentFraction: { fraction: number; mb: number }[];
  /** Least-squares MB of RSS per 100 MB sent: ≈ 100 would mean the body is held in memory. */
  growthPer100Mb: number;
  samples: number;
  sendMs: number;
  responseMs: number;
  status: number;
  body: string;
  peakAfterResponseMb: number;
  samplesAfterResponse: number;
  rssAtResponseMb: number;
  exit: StopResult;
  serverLogTail: string;
}

interface ProcMem {
  rssKb: number;
  hwmKb: number;
}

/** VmRSS / VmHWM of one process, straight from the kernel (no sampling bias from the process itself). */
function readProcMem(pid: number): ProcMem | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    const mem = { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
    // A zombie (exited, not yet reaped) still has a status file, without the Vm* lines.
    return Number.isNaN(mem.rssKb) ? undefined : mem;
  } catch {
    return undefined; // the process has exited
  }
}

function liveMem(pid: number): ProcMem {
  const mem = readProcMem(pid);
  if (!mem) throw new Error(`server process ${pid} is gone`);
  return mem;
}


/** Samples RSS at a fixed rate, tagging each sample with how many body bytes had been sent. */
function startSampler(pid: number, sentBytes: () => number) {
  const samples: { t: number; sent: number; rssKb: number }[] = [];
  const timer = setInterval(() => {
    const m = readProcMem(pid);
    if (m) samples.push({ t: performance.now(), sent: sentBytes(), rssKb: m.rssKb });
  }, SAMPLE_MS);
  return { samples, stop: () => clearInterval(timer) };
}

/**
 * A multipart/form-data body as a stream: preamble, the file straight from disk, epilogue.
 * Nothing but the 64 kB read buffers is ever in the bench's memory; `sent` counts bytes pulled
 * by the socket (backpressure keeps it within a few buffers of what the server has read).
 */
function multipartBody(file: string, fileBytes: number, fields: Record<string, string>) {
  const boundary = `----dealsense-bench-${randomBytes(12).toString('hex')}`;
  const fieldParts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  const preamble = Buffer.from(
    `${fieldParts.join('')}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="call.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
  );
  const epilogue = Buffer.from(`\r\n--${boundary}--\r\n`);
  let sent = 0;
  async function* chunks() {
    yield preamble;
    for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 })) {
      sent += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
    yield epilogue;
  }
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: preamble.length + fileBytes + epilogue.length,
    stream: Readable.from(chunks(), { objectMode: false }),
    sent: () => sent,
  };
}

interface UploadOutcome {
  status: number;
  body: string;
  sendMs: number;
  responseMs: number;
}

/** POSTs the body; resolves with the response even if the server answers (e.g. 413) before reading it all. */
function postUpload(port: number, apiKey: string, body: ReturnType<typeof multipartBody>): Promise<UploadOutcome> {
  const t0 = performance.now();
  let sendMs = NaN;
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/recordings',
      headers: { 'content-type': body.contentType, 'content-length': body.length, authorization: `Bearer ${apiKey}` },
    });
    let response: IncomingMessage | undefined;
    req.on('finish', () => (sendMs = performance.now() - t0));
    req.on('response', (res) => {
      response = res;
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, sendMs, responseMs: performance.now() - t0 }));
      res.on('error', reject);
    });
    pipeline(body.stream, req).catch((err: unknown) => {
      if (!response) reject(err); // an early answer resets the socket; the answer is what counts
    });
  });
}


/** RSS of the sampled series at the moments 0, 25, …, 100 % of the file had been sent. */
function rssAtFractions(samples: { sent: number; rssKb: number }[], total: number) {
  return [0, 0.25, 0.5, 0.75, 1].map((fraction) => {
    const s = samples.find((x) => x.sent >= fraction * total) ?? samples[samples.length - 1];
    return { fraction, mb: s ? s.rssKb / 1024 : NaN };
  });
}

export async function measureUploadRss(opts: {
  dataDir: string;
  file: string;
  apiKey: string;
  /** Extra server settings, e.g. the production back-ends (DATABASE_URL, REDIS_URL, RUN_WORKERS=false). */
  env?: Record<string, string>;
}): Promise<UploadRssResult> {
  const fileBytes = (await stat(opts.file)).size;
  const server = startServer(await freePort(), {
    DATA_DIR: opts.dataDir,
    ADMIN_API_KEY: opts.apiKey,
    LOG_LEVEL: 'warn',
    MAX_UPLOAD_MB: '1000',
    ...opts.env,
  });
  const pid = server.child.pid!;
  let exit: UploadRssResult['exit'] | undefined;
  try {
    await waitForHealth(server, HEALTH_TIMEOUT_MS);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();

    // Baseline: idle samples after start-up (median, so one GC blip does not count). Two seconds, so
    // work queued again at start-up (an unfinished recording from an earlier run) has settled.
    const idle: number[] = [];
    for (let i = 0; i < 40; i++) {
      idle.push(liveMem(pid).rssKb);
      await sleep(SAMPLE_MS);
    }
    const hwmBefore = liveMem(pid).hwmKb;

    const body = multipartBody(opts.file, fileBytes, { channelLayout: 'rep-left' });
    const sampler = startSampler(pid, body.sent);
    const outcome = await postUpload(server.port, opts.apiKey, body);
    const atResponse = liveMem(pid);
    const hwmAtResponse = atResponse.hwmKb;
    const during = sampler.samples.slice();

    // Keep sampling through shutdown: with RUN_WORKERS (the default) the audio job runs in this process.
    exit = await stopServer(server, EXIT_TIMEOUT_MS);
    sampler.stop();
    const after = sampler.samples.slice(during.length);

    const maxSampled = Math.max(...during.map((s) => s.rssKb));
    return {
      pid,
      cmdline,
      fileBytes,
      baselineMb: median(idle) / 1024,
      hwmBeforeMb: hwmBefore / 1024,
      maxSampledMb: maxSampled / 1024,
      hwmAtResponseMb: hwmAtResponse / 1024,
      peakDuringUploadMb: (hwmAtResponse > hwmBefore ? Math.max(hwmAtResponse, maxSampled) : maxSampled) / 1024,
      rssAtSentFraction: rssAtFractions(during, fileBytes),
      growthPer100Mb: 100 * slope(
        during.map((s) => toMb(s.sent)),
        during.map((s) => s.rssKb / 1024),
      ),
      samples: during.length,
      sendMs: outcome.sendMs,
      responseMs: outcome.responseMs,
      status: outcome.status,
      body: outcome.body,
      peakAfterResponseMb: after.length ? Math.max(...after.map((s) => s.rssKb)) / 1024 : NaN,
      samplesAfterResponse: after.length,
      rssAtResponseMb: atResponse.rssKb / 1024,
      exit,
      serverLogTail: server.logTail(),
    };
  } finally {
    if (!exit && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  }
}
