import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/**
 * Downloads a model repository from a Hugging Face–compatible endpoint (huggingface.co or a mirror
 * such as hf-mirror.com) into `<modelsDir>/<owner>/<name>`, the layout transformers.js loads from.
 */

/** What transformers.js needs for a quantized Whisper, used when the repo's file list cannot be fetched. */
export const DEFAULT_WHISPER_FILES = [
  'config.json',
  'generation_config.json',
  'preprocessor_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'onnx/encoder_model_quantized.onnx',
  'onnx/decoder_model_merged_quantized.onnx',
];

export interface PullOptions {
  /** Repository id, `owner/name`. */
  model: string;
  modelsDir: string;
  /** e.g. https://huggingface.co or https://hf-mirror.com */
  endpoint: string;
  /** Exact files to fetch; default: the repo's root JSON files plus the quantized Whisper ONNX weights. */
  files?: string[];
  fetchImpl?: typeof fetch;
  /** Called as bytes arrive, and exactly once with `bytes === total` when a file is complete and in place. */
  onProgress?: (file: string, bytes: number, total?: number) => void;
  /** Notes worth showing a person: a file skipped, a fallback taken. */
  onInfo?: (message: string) => void;
}

interface RemoteFile {
  name: string;
  size?: number;
}

const MODEL_ID = /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/;

export function validateModelId(model: string): void {
  if (!MODEL_ID.test(model) || model.includes('..')) {
    throw new Error(`invalid model id "${model}": expected owner/name, e.g. onnx-community/whisper-base`);
  }
}

/** Resolves a repo-relative file path under `dir`, refusing anything that could land outside it. */
export function safeFilePath(dir: string, file: string): string {
  const parts = file.split('/');
  const bad =
    file.length === 0 ||
    file.includes('\\') ||
    file.includes('\0') ||
    /^[A-Za-z]:/.test(file) ||
    parts.some((p) => p === '' || p === '.' || p === '..');
  const full = path.resolve(dir, ...parts);
  if (bad || !full.startsWith(dir + path.sep)) throw new Error(`refusing unsafe file path "${file}" in model repository`);
  return full;
}

/**
 * The default selection: root-level JSON (configs, tokenizer) and the quantized ONNX weights —
 * encoder + merged decoder for Whisper, or the single `model_quantized.onnx` of an embeddings model.
 */
function isDefaultFile(name: string): boolean {
  if (!name.includes('/')) return name.endsWith('.json');
  return /^onnx\/(encoder_model|decoder_model_merged|model)_quantized\.onnx(_data(_\d+)?)?$/.test(name);
}

export async function pullModel(opts: PullOptions): Promise<{ dir: string; files: string[] }> {
  validateModelId(opts.model);
  const endpoint = opts.endpoint.replace(/\/+$/, '');
  const fetchImpl = opts.fetchImpl ?? fetch;
  const headers: Record<string, string> = {};
  if (process.env.HF_TOKEN) headers.authorization = `Bearer ${process.env.HF_TOKEN}`;
  const dir = path.join(path.resolve(opts.modelsDir), ...opts.model.split('/'));

  const wanted: RemoteFile[] = opts.files
    ? opts.files.map((name) => ({ name }))
    : await listDefaultFiles(endpoint, opts.model, dir, headers, fetchImpl, opts.onInfo);
  for (const f of wanted) safeFilePath(dir, f.name);

  for (const f of wanted) {
    const dest = safeFilePath(dir, f.name);
    const have = await stat(dest).catch(() => undefined);
    // A file under its final name was completed by a rename, so without a listed size its presence is enough.
    if (have?.isFile() && (f.size === undefined || have.size === f.size)) {
      opts.onInfo?.(`${f.name}: already present, skipped`);
      continue;
    }
    const url = `${endpoint}/${opts.model}/resolve/main/${f.name.split('/').map(encodeURIComponent).join('/')}`;
    await download(url, dest, f, headers, fetchImpl, opts.onProgress);
  }
  return { dir, files: wanted.map((f) => f.name) };
}

async function listDefaultFiles(
  endpoint: string,
  model: string,
  dir: string,
  headers: Record<string, string>,
  fetchImpl: typeof fetch,
  onInfo?: (message: string) => void,
): Promise<RemoteFile[]> {
  let siblings: unknown;
  try {
    const res = await fetchImpl(`${endpoint}/api/models/${model}?blobs=true`, { headers });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    siblings = ((await res.json()) as { siblings?: unknown }).siblings;
    if (!Array.isArray(siblings)) throw new Error('no siblings in the answer');
  } catch (err) {
    onInfo?.(`could not list ${model} (${errorText(err)}); using the default Whisper file list`);
    return DEFAULT_WHISPER_FILES.map((name) => ({ name }));
  }
  const files: RemoteFile[] = [];
  for (const s of siblings as Array<{ rfilename?: unknown; size?: unknown }>) {
    if (typeof s?.rfilename !== 'string') continue;
    // Check every listed name, selected or not: a repo listing traversal paths is not to be trusted.
    safeFilePath(dir, s.rfilename);
    if (isDefaultFile(s.rfilename)) {
      files.push({ name: s.rfilename, size: typeof s.size === 'number' ? s.size : undefined });
    }
  }
  if (!files.some((f) => f.name === 'config.json') || !files.some((f) => f.name.endsWith('.onnx'))) {
    throw new Error(
      `${model} has no config.json or no quantized ONNX weights (onnx/encoder_model_quantized.onnx + onnx/decoder_model_merged_quantized.onnx ` +
        `for Whisper, onnx/model_quantized.onnx for embeddings); pick an ONNX repo such as onnx-community/whisper-base or Xenova/multilingual-e5-small`,
    );
  }
  return files;
}

/** Streams one file to `<dest>.part`, checks its length, then renames it into place. */
async function download(
  url: string,
  dest: string,
  file: RemoteFile,
  headers: Record<string, string>,
  fetchImpl: typeof fetch,
  onProgress?: (file: string, bytes: number, total?: number) => void,
): Promise<void> {
  let res: Response;
  try {
    res = await fetchImpl(url, { headers, redirect: 'follow' });
  } catch (err) {
    throw new Error(`download of ${file.name} failed: ${errorText(err)} (${url})`);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    const hint =
      res.status === 401 || res.status === 403
        ? '; set HF_TOKEN if the repository is gated or private'
        : res.status === 404
          ? '; check the model id and that the repository has this file'
          : '';
    throw new Error(`download of ${file.name} failed: HTTP ${res.status} from ${url}${hint}`);
  }
  const header = Number(res.headers.get('content-length'));
  const lengthHeader = !res.headers.get('content-encoding') && header > 0 ? header : undefined;
  const total = file.size ?? lengthHeader;

  await mkdir(path.dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (total === undefined || bytes < total) onProgress?.(file.name, bytes, total);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), counter, createWriteStream(part));
    const expected = file.size ?? lengthHeader;
    if (expected !== undefined && bytes !== expected) {
      throw new Error(`download of ${file.name} is incomplete: got ${bytes} of ${expected} bytes`);
    }
    await rename(part, dest);
  } catch (err) {
    await rm(part, { force: true });
    const msg = errorText(err);
    throw new Error(msg.startsWith('download of') ? msg : `download of ${file.name} failed: ${msg} (${url})`);
  }
  onProgress?.(file.name, bytes, bytes);
}

/** An error's message, with its cause (fetch reports "fetch failed" and puts ECONNREFUSED etc. there). */
function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause && cause !== err.message ? `${err.message}: ${cause}` : err.message;
}
