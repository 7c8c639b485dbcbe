import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import pLimit from 'p-limit';
import type { Config } from '../config.js';
import { analyzeOffline } from '../analysis/engine.js';
import { llmConfig } from '../analysis/service.js';
import { runConcernEngines, taxonomyForLlm } from '../analysis/llm/index.js';
import { builtinTaxonomy } from '../analysis/taxonomy/index.js';
import type { Analysis, Segment } from '../analysis/types.js';
import { createSpeechProvider } from '../providers/speech/index.js';
import { normalise, probe, type ChannelLayout } from '../recordings/audio.js';
import { planChunks } from '../recordings/chunking.js';
import { stitch } from '../recordings/processors.js';
import type { ChunkRow } from '../recordings/repo.js';
import { parseTranscript } from '../recordings/transcript-formats.js';
import { readWavSlice } from '../recordings/wav.js';

export interface AnalyzeFileOptions {
  layout: ChannelLayout;
  language: 'zh' | 'en' | 'auto';
  onProgress?: (stage: string, fraction: number) => void;
}

const TRANSCRIPT_EXTENSIONS = new Set(['.vtt', '.srt', '.json']);

/** Reads a transcript file (VTT, SRT, JSON segments) or transcribes an audio/video file with the configured provider. */
export async function loadSegments(config: Config, file: string, opts: AnalyzeFileOptions): Promise<Segment[]> {
  const ext = extname(file).toLowerCase();
  if (TRANSCRIPT_EXTENSIONS.has(ext)) {
    const text = await readFile(file, 'utf8');
    const input = ext === '.json' ? (JSON.parse(text) as unknown) : text;
    const segments = Array.isArray(input) ? input : (input as { segments?: unknown }).segments ?? input;
    // The extension names the format, so a broken file gets the parser's own error (with its line).
    const format = ext === '.vtt' ? 'vtt' : ext === '.srt' ? 'srt' : 'segments';
    return parseTranscript(segments as Parameters<typeof parseTranscript>[0], { format });
  }
  return transcribeFile(config, file, opts);
}

async function transcribeFile(config: Config, file: string, opts: AnalyzeFileOptions): Promise<Segment[]> {
  const provider = await createSpeechProvider(config);
  const info = await probe(file);
  const dir = await mkdtemp(join(tmpdir(), 'dealsense-cli-'));
  try {
    const tracks = await normalise(file, dir, {
      layout: opts.layout,
      durationSec: info.durationSec,
      silenceDb: config.SILENCE_THRESHOLD_DB,
      silenceMinSec: config.SILENCE_MIN_SEC,
      onProgress: (f) => opts.onProgress?.('normalise', f),
    });
    const chunks: ChunkRow[] = tracks
      .flatMap((t) => planChunks(info.durationSec, t.silences, { maxChunkSec: Math.min(config.TRANSCRIBE_CHUNK_SEC, provider.maxChunkSec) }).map((c) => ({ ...c, channel: t.track })))
      .sort((a, b) => a.start - b.start)
      .map((c, idx) => ({ idx, channel: c.channel, start_sec: c.start, end_sec: c.end, status: 'pending', result: null }));
    const language = opts.language === 'auto' ? undefined : opts.language;
    let done = 0;
    const limit = pLimit(config.TRANSCRIBE_CONCURRENCY);
    await Promise.all(
      chunks.map((c) =>
        limit(async () => {
          c.result = await provider.transcribe(await readWavSlice(join(dir, `${c.channel}.wav`), c.start_sec, c.end_sec), { language });
          c.status = 'done';
          opts.onProgress?.('transcribe', ++done / chunks.length);
        }),
      ),
    );
    return stitch(opts.layout, chunks).map((s) => ({ speaker: s.speaker, role: s.role, start: s.start_sec, end: s.end_sec, text: s.text }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The same analysis the service stores: offline engine, plus the LLM when LLM_MODEL is set. */
export async function analyzeSegments(config: Config, segments: Segment[], language: 'zh' | 'en' | 'auto'): Promise<Analysis & { fallback?: string }> {
  const offline = analyzeOffline(segments, { taxonomy: builtinTaxonomy, language });
  const cfg = llmConfig(config);
  if (!cfg) return offline;
  const run = await runConcernEngines(segments, {
    lexicon: offline.concerns,
    config: cfg,
    mode: config.LLM_ENGINE,
    taxonomy: taxonomyForLlm(builtinTaxonomy, language === 'en' ? 'en' : 'zh'),
    language,
  });
  return {
    ...offline,
    engine: run.engine,
    concerns: run.concerns,
    summary: run.summary || offline.summary,
    nextSteps: run.nextSteps?.length ? run.nextSteps : offline.nextSteps,
    fallback: run.fallback?.message,
  };
}

const clock = (sec: number) => {
  const s = Math.max(0, Math.round(sec));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** A plain-text report for a terminal. */
export function formatReport(file: string, a: Analysis & { fallback?: string }): string {
  const m = a.metrics;
  const lines = [`dealsense analysis — ${file}`, `engine: ${a.engine}${a.fallback ? ` (LLM fell back: ${a.fallback})` : ''}`, ''];
  lines.push(a.concerns.length ? 'Customer concerns' : 'Customer concerns: none found');
  for (const c of a.concerns) {
    lines.push(`  ${c.label} [${c.code}]  confidence ${c.confidence.toFixed(2)}, ${c.mentions} mention(s)`);
    for (const e of c.evidence) lines.push(`    ${clock(e.start)}–${clock(e.end)}  “${e.quote}”`);
    lines.push(`    → ${c.suggestion}`);
  }
  lines.push(
    '',
    'Talk metrics',
    `  duration ${clock(m.durationSec)}, talk ratio rep ${(m.talkRatio.rep * 100).toFixed(0)} % / customer ${(m.talkRatio.customer * 100).toFixed(0)} %`,
    `  longest monologue rep ${m.longestMonologueSec.rep.toFixed(0)} s / customer ${m.longestMonologueSec.customer.toFixed(0)} s`,
    `  questions rep ${m.repQuestions} / customer ${m.customerQuestions}, ${m.interactivityPerMin.toFixed(1)} switches/min, patience ${m.patienceSec.toFixed(1)} s`,
    '',
    'Summary',
    `  ${a.summary || '(nothing to summarise)'}`,
  );
  if (a.nextSteps.length) lines.push('', 'Next steps', ...a.nextSteps.map((s) => `  - ${s}`));
  return lines.join('\n');
}
