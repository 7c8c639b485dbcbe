import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import multipart from '@fastify/multipart';

export interface TranscriptionRequest {
  model: string;
  language?: string;
  responseFormat?: string;
  authorization?: string;
  durationSec: number;
  sha1: string;
}

/**
 * A real HTTP server speaking the OpenAI `/audio/transcriptions` protocol. Instead of a
 * model it measures the audio it receives: every stretch of sound becomes a segment whose
 * text names its pitch ("tone 440 Hz"), so tests can check offsets and which channel went where.
 */
export async function startFakeOpenAi(opts: { delayMs?: number; say?: Record<number, string> } = {}) {
  const requests: TranscriptionRequest[] = [];
  let failures: { count: number; status: number } = { count: 0, status: 500 };
  let failWhen: (requestNumber: number) => boolean = () => false;
  let delayMs = opts.delayMs ?? 0;
  const app = Fastify({ logger: false });
  await app.register(multipart, { limits: { fileSize: 100 * 1024 * 1024 } });
  app.post('/v1/audio/transcriptions', async (request, reply) => {
    const fields: Record<string, string> = {};
    let audio: Buffer | undefined;
    for await (const part of request.parts()) {
      if (part.type === 'file') audio = await part.toBuffer();
      else fields[part.fieldname] = String(part.value);
    }
    if (!audio) return reply.status(400).send({ error: { message: 'file is required' } });
    const pcm = decodePcm16Mono(audio);
    requests.push({
      model: fields.model ?? '',
      language: fields.language,
      responseFormat: fields.response_format,
      authorization: request.headers.authorization,
      durationSec: pcm.length / 16000,
      sha1: createHash('sha1').update(audio).digest('hex'),
    });
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    if (failWhen(requests.length - 1) || failures.count > 0) {
      if (failures.count > 0) failures.count -= 1;
      return reply.status(failures.status).send({ error: { message: 'injected failure', type: 'server_error' } });
    }
    const segments = soundRegions(pcm, 16000).map((r, id) => ({
      id,
      start: r.start,
      end: r.end,
      // `say` gives a pitch words, so tests can script what a speaker "said" (e.g. to raise concerns).
      text: said(opts.say, r.hz) ?? `tone ${r.hz} Hz`,
    }));
    return {
      task: 'transcribe',
      language: 'english',
      duration: pcm.length / 16000,
      text: segments.map((s) => s.text).join(' '),
      segments,
    };
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    baseURL: `${address}/v1`,
    requests,
    /** The next `count` requests answer with `status`. */
    failNext(count: number, status = 500) {
      failures = { count, status };
    },
    /** Requests (0-based, counting every request received) for which `predicate` holds answer 500. */
    failWhen(predicate: (requestNumber: number) => boolean) {
      failWhen = predicate;
    },
    setDelay(ms: number) {
      delayMs = ms;
    },
    close: () => app.close(),
  };
}

/** The scripted words for a pitch, matched within 5 % (the estimate is rounded to 10 Hz). */
function said(say: Record<number, string> | undefined, hz: number): string | undefined {
  const key = Object.keys(say ?? {}).map(Number).find((k) => Math.abs(k - hz) <= k * 0.05);
  return key === undefined ? undefined : say![key];
}

function decodePcm16Mono(wav: Buffer): Int16Array {
  if (wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV file');
  let offset = 12;
  while (offset + 8 <= wav.length) {
    const id = wav.toString('ascii', offset, offset + 4);
    const size = wav.readUInt32LE(offset + 4);
    if (id === 'data') {
      const data = wav.subarray(offset + 8, offset + 8 + size);
      return new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error('WAV has no data chunk');
}

/** Stretches louder than -30 dBFS (20 ms frames), gaps under 0.3 s bridged, with a zero-crossing pitch estimate. */
export function soundRegions(pcm: Int16Array, rate: number): { start: number; end: number; hz: number }[] {
  const frame = Math.round(rate * 0.02);
  const loud: boolean[] = [];
  for (let i = 0; i + frame <= pcm.length; i += frame) {
    let sum = 0;
    for (let j = i; j < i + frame; j++) sum += (pcm[j]! / 32768) ** 2;
    loud.push(Math.sqrt(sum / frame) > 0.0316);
  }
  const regions: { start: number; end: number }[] = [];
  loud.forEach((on, f) => {
    if (!on) return;
    const last = regions[regions.length - 1];
    if (last && f - last.end <= 15) last.end = f + 1;
    else regions.push({ start: f, end: f + 1 });
  });
  return regions
    .filter((r) => r.end - r.start >= 5)
    .map((r) => {
      const from = r.start * frame;
      const to = r.end * frame;
      let crossings = 0;
      for (let j = from + 1; j < to; j++) if ((pcm[j - 1]! < 0) !== (pcm[j]! < 0)) crossings++;
      const hz = Math.round(crossings / 2 / ((to - from) / rate) / 10) * 10;
      return { start: (r.start * frame) / rate, end: (r.end * frame) / rate, hz };
    });
}
