import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_WHISPER_FILES, pullModel } from '../../src/providers/models-pull.js';
import { createLocalSpeechProvider } from '../../src/providers/speech/local.js';

// A tiny stand-in for the Hugging Face endpoints pullModel uses:
//   GET /api/models/{owner}/{name}?blobs=true  → { siblings: [{ rfilename, size }] }
//   GET /{owner}/{name}/resolve/main/{file}    → the file (weights via a redirect, as the real hub does)
const MODEL = 'acme/whisper-tiny';
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const repo = new Map<string, Buffer>([
  ['config.json', json({ model_type: 'whisper' })],
  ['generation_config.json', json({ max_length: 448 })],
  ['preprocessor_config.json', json({ sampling_rate: 16000 })],
  ['tokenizer.json', json({ model: {} })],
  ['tokenizer_config.json', json({})],
  ['onnx/encoder_model_quantized.onnx', randomBytes(300_000)],
  ['onnx/decoder_model_merged_quantized.onnx', randomBytes(120_000)],
  // not needed by transformers.js for a quantized Whisper: must not be fetched by default
  ['onnx/encoder_model.onnx', randomBytes(1000)],
  ['onnx/decoder_model_quantized.onnx', randomBytes(1000)],
  ['README.md', Buffer.from('# tiny')],
  ['merges.txt', Buffer.from('a b')],
]);

let server: Server;
let endpoint: string;
let requests: Array<{ url: string; auth?: string }> = [];
let extraSiblings: string[] = [];
let listingStatus = 200;
let missingFile: string | undefined;
let truncateFile: string | undefined;

function handle(req: IncomingMessage, res: import('node:http').ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  requests.push({ url: url.pathname, auth: req.headers.authorization });
  if (url.pathname === `/api/models/${MODEL}`) {
    if (listingStatus !== 200) return void res.writeHead(listingStatus).end('{"error":"nope"}');
    const blobs = url.searchParams.get('blobs') === 'true';
    const siblings = [...repo].map(([rfilename, body]) => (blobs ? { rfilename, size: body.length } : { rfilename }));
    for (const rfilename of extraSiblings) siblings.push({ rfilename, size: 1 });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: MODEL, siblings }));
    return;
  }
  const prefix = `/${MODEL}/resolve/main/`;
  const file = url.pathname.startsWith(prefix)
    ? decodeURIComponent(url.pathname.slice(prefix.length))
    : url.pathname.startsWith('/cdn/')
      ? decodeURIComponent(url.pathname.slice('/cdn/'.length))
      : undefined;
  const body = file === undefined ? undefined : repo.get(file);
  if (!file || !body || file === missingFile) return void res.writeHead(404).end('Entry not found');
  if (file.endsWith('.onnx') && url.pathname.startsWith(prefix)) {
    return void res.writeHead(302, { location: `/cdn/${encodeURIComponent(file)}` }).end();
  }
  if (file === truncateFile) {
    res.writeHead(200, { 'content-length': String(body.length) });
    res.write(body.subarray(0, 1000), () => res.destroy());
    return;
  }
  res.writeHead(200, { 'content-length': String(body.length) }).end(body);
}

const fileRequests = () => requests.filter((r) => r.url.includes('/resolve/') || r.url.startsWith('/cdn/'));

async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

let tmp: string;
let modelsDir: string;

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'models-pull-'));
  modelsDir = path.join(tmp, 'models');
  requests = [];
  extraSiblings = [];
  listingStatus = 200;
  missingFile = undefined;
  truncateFile = undefined;
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(tmp, { recursive: true, force: true });
});

describe('pullModel', () => {
  it('downloads the default selection into modelsDir/owner/name, byte for byte, with no .part left', async () => {
    const completed: string[] = [];
    const result = await pullModel({
      model: MODEL,
      modelsDir,
      endpoint,
      onProgress: (file, bytes, total) => {
        expect(total === undefined || bytes <= total).toBe(true);
        if (bytes === total) completed.push(file);
      },
    });
    const dir = path.join(modelsDir, 'acme', 'whisper-tiny');
    expect(result.dir).toBe(dir);
    const expected = [
      'config.json',
      'generation_config.json',
      'onnx/decoder_model_merged_quantized.onnx',
      'onnx/encoder_model_quantized.onnx',
      'preprocessor_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ];
    expect([...result.files].sort()).toEqual(expected);
    expect(await listTree(tmp)).toEqual(expected.map((f) => `models/acme/whisper-tiny/${f}`));
    for (const f of expected) expect((await readFile(path.join(dir, f))).equals(repo.get(f)!)).toBe(true);
    expect(completed.sort()).toEqual(expected);
    // the listing asked for sizes; files not needed were never requested
    expect(requests.some((r) => r.url === `/api/models/${MODEL}`)).toBe(true);
    expect(fileRequests().some((r) => r.url.includes('encoder_model.onnx') || r.url.includes('README'))).toBe(false);
  });

  it('lays the folder out the way the local speech provider looks for it', async () => {
    await pullModel({ model: MODEL, modelsDir, endpoint });
    const provider = await createLocalSpeechProvider({ modelsDir, model: MODEL });
    expect(provider.model).toBe(MODEL);
  });

  it('skips files already present with the right size: a second run fetches nothing', async () => {
    await pullModel({ model: MODEL, modelsDir, endpoint });
    requests = [];
    const skipped: string[] = [];
    const again = await pullModel({ model: MODEL, modelsDir, endpoint, onInfo: (m) => skipped.push(m) });
    expect(again.files).toHaveLength(7);
    expect(fileRequests()).toEqual([]);
    expect(skipped.filter((m) => m.includes('already present'))).toHaveLength(7);
  });

  it('downloads again a file whose size does not match the listing', async () => {
    const dir = path.join(modelsDir, 'acme', 'whisper-tiny');
    await mkdir(path.join(dir, 'onnx'), { recursive: true });
    await writeFile(path.join(dir, 'onnx/encoder_model_quantized.onnx'), 'short');
    await pullModel({ model: MODEL, modelsDir, endpoint });
    const got = await readFile(path.join(dir, 'onnx/encoder_model_quantized.onnx'));
    expect(got.equals(repo.get('onnx/encoder_model_quantized.onnx')!)).toBe(true);
  });

  it('falls back to the default Whisper file list when the listing fails', async () => {
    listingStatus = 404;
    const notes: string[] = [];
    const result = await pullModel({ model: MODEL, modelsDir, endpoint, onInfo: (m) => notes.push(m) });
    expect(result.files).toEqual(DEFAULT_WHISPER_FILES);
    expect(notes.join('\n')).toMatch(/could not list acme\/whisper-tiny \(HTTP 404\)/);
    expect(await listTree(path.join(modelsDir, 'acme', 'whisper-tiny'))).toEqual([...DEFAULT_WHISPER_FILES].sort());
  });

  it('downloads exactly the files asked for', async () => {
    const result = await pullModel({ model: MODEL, modelsDir, endpoint, files: ['README.md', 'onnx/encoder_model.onnx'] });
    expect(result.files).toEqual(['README.md', 'onnx/encoder_model.onnx']);
    expect(requests.some((r) => r.url.startsWith('/api/'))).toBe(false);
    expect(await listTree(modelsDir)).toEqual(['acme/whisper-tiny/README.md', 'acme/whisper-tiny/onnx/encoder_model.onnx']);
  });

  it('rejects a listing with a path-traversal sibling before downloading anything', async () => {
    extraSiblings = ['../../etc/x'];
    await expect(pullModel({ model: MODEL, modelsDir, endpoint })).rejects.toThrow(/unsafe file path "\.\.\/\.\.\/etc\/x"/);
    expect(fileRequests()).toEqual([]);
    expect(existsSync(path.join(modelsDir, 'etc'))).toBe(false);
    expect(existsSync(path.join(tmp, 'etc'))).toBe(false);
  });

  it.each(['../../etc/x', '/etc/passwd', 'onnx/../../x', 'a\\..\\b', 'C:/x', 'onnx//x', ''])(
    'rejects the requested file path %j',
    async (file) => {
      await expect(pullModel({ model: MODEL, modelsDir, endpoint, files: [file] })).rejects.toThrow(/unsafe file path/);
      expect(requests).toEqual([]);
    },
  );

  it('fails clearly on a 404, naming the file, and leaves no .part behind', async () => {
    missingFile = 'tokenizer.json';
    await expect(pullModel({ model: MODEL, modelsDir, endpoint })).rejects.toThrow(
      /download of tokenizer\.json failed: HTTP 404 from http:\/\/127\.0\.0\.1:\d+\/acme\/whisper-tiny\/resolve\/main\/tokenizer\.json/,
    );
    const tree = await listTree(modelsDir);
    expect(tree.some((f) => f.endsWith('.part'))).toBe(false);
    expect(tree).not.toContain('acme/whisper-tiny/tokenizer.json');
  });

  it('never leaves a half file under its final name when the connection drops', async () => {
    truncateFile = 'onnx/encoder_model_quantized.onnx';
    await expect(pullModel({ model: MODEL, modelsDir, endpoint })).rejects.toThrow(/onnx\/encoder_model_quantized\.onnx/);
    const tree = await listTree(modelsDir);
    expect(tree.some((f) => f.endsWith('.part'))).toBe(false);
    expect(tree).not.toContain('acme/whisper-tiny/onnx/encoder_model_quantized.onnx');
    // a later run completes it
    truncateFile = undefined;
    await pullModel({ model: MODEL, modelsDir, endpoint });
    const got = await readFile(path.join(modelsDir, 'acme/whisper-tiny/onnx/encoder_model_quantized.onnx'));
    expect(got.equals(repo.get('onnx/encoder_model_quantized.onnx')!)).toBe(true);
  });

  it.each(['whisper-base', '../etc', 'acme/../etc', '/abs/model', 'a/b/c', 'acme/..', 'acme/', ' acme/x', 'acme/x?y'])(
    'rejects the model id %j without any request',
    async (model) => {
      await expect(pullModel({ model, modelsDir, endpoint })).rejects.toThrow(/invalid model id/);
      expect(requests).toEqual([]);
    },
  );

  it('sends HF_TOKEN as a bearer token and honours an endpoint with a trailing slash', async () => {
    vi.stubEnv('HF_TOKEN', 'hf_test_token');
    await pullModel({ model: MODEL, modelsDir, endpoint: `${endpoint}/`, files: ['config.json'] });
    expect(requests).toEqual([{ url: `/${MODEL}/resolve/main/config.json`, auth: 'Bearer hf_test_token' }]);
  });

  it('sends no Authorization header without HF_TOKEN', async () => {
    vi.stubEnv('HF_TOKEN', '');
    await pullModel({ model: MODEL, modelsDir, endpoint, files: ['config.json'] });
    expect(requests[0]?.auth).toBeUndefined();
  });
});
