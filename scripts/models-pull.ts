// Downloads a local Whisper model for TRANSCRIBE_PROVIDER=local, on a machine that reaches the model hub.
// Usage: tsx scripts/models-pull.ts [owner/name]
// Env: MODELS_DIR (./models), HF_ENDPOINT (https://huggingface.co, or a mirror), TRANSCRIBE_MODEL, HF_TOKEN.
import path from 'node:path';
import { configSchema } from '../src/config.js';
import { pullModel } from '../src/providers/models-pull.js';
import { DEFAULT_WHISPER_MODEL } from '../src/providers/speech/local.js';

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 ** 2).toFixed(1)} MB`;
}

async function main(): Promise<void> {
  const env = configSchema.pick({ MODELS_DIR: true, HF_ENDPOINT: true, TRANSCRIBE_MODEL: true }).safeParse(process.env);
  if (!env.success) {
    throw new Error(env.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const model = process.argv[2] ?? env.data.TRANSCRIBE_MODEL ?? DEFAULT_WHISPER_MODEL;
  console.log(`Pulling ${model} from ${env.data.HF_ENDPOINT} into ${path.resolve(env.data.MODELS_DIR)}`);

  let lastPrint = 0;
  const { dir, files } = await pullModel({
    model,
    modelsDir: env.data.MODELS_DIR,
    endpoint: env.data.HF_ENDPOINT,
    onInfo: (message) => console.log(`  ${message}`),
    onProgress: (file, bytes, total) => {
      const done = total !== undefined && bytes >= total;
      const now = Date.now();
      if (!done && now - lastPrint < 2000) return;
      lastPrint = now;
      const pct = total ? ` (${Math.floor((bytes / total) * 100)} %)` : '';
      console.log(`  ${file}: ${formatBytes(bytes)}${total ? ` of ${formatBytes(total)}` : ''}${pct}${done ? ' done' : ''}`);
    },
  });
  console.log(`Done: ${files.length} files in ${dir}`);
  console.log(`Use it with TRANSCRIBE_PROVIDER=local TRANSCRIBE_MODEL=${model} MODELS_DIR=${env.data.MODELS_DIR}`);
}

main().catch((err: unknown) => {
  console.error(`models:pull failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
