#!/usr/bin/env node
// Sum one or more vitest JSON reports (`vitest run --reporter=json
// --outputFile=...`) and print one final line: `N passed, N failed`.
//
// Counted as failed, besides numFailedTests (each with a warning line):
//   - a report that is missing or not valid JSON (1 each);
//   - a test file that failed without a failed test in it, e.g. an import
//     error (1 each);
//   - a report with success=false and nothing else failed, e.g. no test
//     files found (1);
//   - optional: VITEST_EXIT_CODES="<code> <code> ..." (one per report, same
//     order) lets the caller pass vitest's exit codes; a non-zero code with no
//     failure in its report (an unhandled error) counts as 1.
// Exit status: 1 if anything failed, else 0.
import { readFileSync } from 'node:fs';

const reports = process.argv.slice(2);
if (reports.length === 0) {
  console.error('usage: node scripts/vitest-summary.mjs <report.json>...');
  process.exit(2);
}
const exitCodes = (process.env.VITEST_EXIT_CODES ?? '').trim().split(/\s+/).filter(Boolean);

const warn = (msg) => console.log(`warning: ${msg}`);
let passed = 0;
let failed = 0;

reports.forEach((path, i) => {
  let report;
  try {
    report = JSON.parse(readFileSync(path, 'utf8'));
    if (report === null || typeof report !== 'object') throw new Error('not a JSON object');
  } catch (err) {
    warn(`${path}: no usable report (${err.code ?? err.message}); counted as 1 failed`);
    failed += 1;
    return;
  }

  const num = (v) => (Number.isFinite(v) ? v : 0);
  let reportFailed = num(report.numFailedTests);
  passed += num(report.numPassedTests);

  // Test files that failed outside any test (import/syntax/setup errors).
  for (const file of report.testResults ?? []) {
    const hasFailedTest = (file.assertionResults ?? []).some((a) => a.status === 'failed');
    if (file.status === 'failed' && !hasFailedTest) {
      const why = String(file.message ?? '').split('\n')[0].slice(0, 200);
      warn(`${path}: ${file.name} failed outside tests${why ? `: ${why}` : ''}; counted as 1 failed`);
      reportFailed += 1;
    }
  }

  if (reportFailed === 0 && report.success === false) {
    const why = num(report.numTotalTests) === 0 ? 'no tests ran' : 'vitest reported success=false';
    warn(`${path}: ${why}; counted as 1 failed`);
    reportFailed += 1;
  }

  const code = Number(exitCodes[i] ?? 0);
  if (reportFailed === 0 && code !== 0) {
    warn(`${path}: vitest exited with ${exitCodes[i]} but the report shows no failure (unhandled error?); counted as 1 failed`);
    reportFailed += 1;
  }

  failed += reportFailed;
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
