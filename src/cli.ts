// The `dealsense` command (bin/dealsense.mjs; `npx dealsense --help`).
import { Command, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { loadConfig } from './config.js';
import { openDb } from './platform/db.js';
import { migrate } from './platform/migrate.js';
import { analyzeSegments, formatReport, loadSegments } from './cli/analyze-file.js';

const program = new Command('dealsense').description('conversation intelligence for B2B sales calls');

program
  .command('migrate')
  .description('apply pending database migrations (DATABASE_URL, or the embedded database under DATA_DIR) and exit')
  .action(async () => {
    const config = loadConfig();
    const db = await openDb({ databaseUrl: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, dataDir: config.DATA_DIR });
    try {
      const applied = await migrate(db);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    } finally {
      await db.close();
    }
  });

program
  .command('analyze')
  .description('analyse one call locally and print a report: a transcript (.vtt, .srt, .json segments) or a recording (needs TRANSCRIBE_PROVIDER)')
  .argument('<file>')
  .addOption(new Option('--layout <layout>', 'channel layout of a recording').choices(['mixed', 'rep-left', 'rep-right']).default('mixed'))
  .addOption(new Option('--language <lang>', 'language of the call').choices(['zh', 'en', 'auto']).default('auto'))
  .option('--json', 'print the analysis as JSON instead of a report')
  .action(async (file: string, opts: { layout: 'mixed' | 'rep-left' | 'rep-right'; language: 'zh' | 'en' | 'auto'; json?: boolean }) => {
    const config = loadConfig();
    const bar = process.stderr.isTTY ? new SingleBar({ format: ' {stage} [{bar}] {percentage}%', stream: process.stderr }, Presets.shades_classic) : undefined;
    let stage = '';
    const segments = await loadSegments(config, file, {
      layout: opts.layout,
      language: opts.language,
      onProgress: (s, f) => {
        if (!bar) return;
        if (s !== stage) {
          if (stage) bar.stop();
          stage = s;
          bar.start(100, 0, { stage: s.padEnd(10) });
        }
        bar.update(Math.round(f * 100));
      },
    });
    bar?.stop();
    const analysis = await analyzeSegments(config, segments, opts.language);
    console.log(opts.json ? JSON.stringify({ segments: segments.length, ...analysis }, null, 2) : formatReport(file, analysis));
  });

program.parseAsync().catch((err: Error) => {
  console.error(`dealsense: ${err.message}`);
  process.exit(1);
});
