#!/usr/bin/env node
// Validates a labelled concern set (eval/concerns or eval/concerns-heldout) and prints its coverage counts as Markdown.
// Usage: node eval/concerns/stats.mjs [path]   (exit code 1 on any validation error; ids zh-001 / en-001, held-out ho-zh-001)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CODES = ['delivery_supply', 'price_budget', 'competitor', 'security_compliance', 'implementation_risk',
  'decision_process', 'domestic_substitution', 'service_support', 'roi_value', 'switching_cost',
  'contract_terms', 'product_fit'];
const TAGS = ['implicit', 'multi', 'none', 'negated', 'rep_only', 'repeated', 'boundary'];
const path = process.argv[2] ?? fileURLToPath(new URL('./calls.jsonl', import.meta.url));

const errors = [];
const warnings = [];
const err = (id, m) => errors.push(`${id}: ${m}`);
const calls = [];
const ids = new Set();

readFileSync(path, 'utf8').split('\n').forEach((line, n) => {
  if (!line.trim()) return;
  let c;
  try { c = JSON.parse(line); } catch (e) { err(`line ${n + 1}`, `invalid JSON (${e.message})`); return; }
  const id = c.id ?? `line ${n + 1}`;
  const idm = /^(?:ho-)?(zh|en)-\d{3}$/.exec(c.id ?? '');
  if (!idm) err(id, 'id must look like zh-001 / en-001 (optionally prefixed ho-)');
  if (ids.has(c.id)) err(id, 'duplicate id');
  ids.add(c.id);
  if (!['zh', 'en'].includes(c.language)) err(id, `language ${c.language}`);
  else if (idm && idm[1] !== c.language) err(id, 'language does not match id prefix');
  if (typeof c.industry !== 'string' || !/^[a-z_]+$/.test(c.industry)) err(id, 'industry');
  if (!Array.isArray(c.gold)) err(id, 'gold must be an array');
  else {
    for (const g of c.gold) if (!CODES.includes(g)) err(id, `unknown code ${g}`);
    if (new Set(c.gold).size !== c.gold.length) err(id, 'duplicate gold code');
  }
  if (typeof c.notes !== 'string' || !c.notes.trim()) err(id, 'notes missing');
  const segs = c.segments;
  if (!Array.isArray(segs) || segs.length < 8 || segs.length > 30) err(id, `needs 8–30 segments (has ${segs?.length})`);
  let prevEnd = -Infinity;
  (segs ?? []).forEach((s, i) => {
    const where = `segment ${i}`;
    if (!['rep', 'customer'].includes(s.role)) err(id, `${where}: role ${s.role}`);
    if (typeof s.speaker !== 'string' || !s.speaker) err(id, `${where}: speaker`);
    if (typeof s.text !== 'string' || !s.text.trim()) err(id, `${where}: text`);
    if (typeof s.start !== 'number' || typeof s.end !== 'number' || !(s.end > s.start)) err(id, `${where}: start/end`);
    if (s.start < prevEnd) err(id, `${where}: not monotonic (starts ${s.start} before previous end ${prevEnd})`);
    const d = s.end - s.start;
    if (d < 2 - 1e-9 || d > 15 + 1e-9) err(id, `${where}: duration ${d.toFixed(1)} s outside 2–15 s`);
    if (i > 0 && s.start - prevEnd > 3) warnings.push(`${id} ${where}: pause ${(s.start - prevEnd).toFixed(1)} s`);
    prevEnd = s.end;
  });
  if (segs?.length && !segs.some(s => s.role === 'rep')) err(id, 'no rep segment');
  if (segs?.length && !segs.some(s => s.role === 'customer')) err(id, 'no customer segment');

  // coverage tags: a run of [tag] or [tag:code] or [boundary:a~b] at the start of notes
  const head = (c.notes ?? '').match(/^(\[[^\]]+\])+/)?.[0] ?? '';
  const tags = [...head.matchAll(/\[([^\]]+)\]/g)].map(m => m[1]);
  const parsed = tags.map(t => {
    const [kind, arg] = t.split(':');
    if (!TAGS.includes(kind)) err(id, `unknown tag [${t}]`);
    const args = arg ? arg.split('~') : [];
    for (const a of args) if (!CODES.includes(a)) err(id, `tag [${t}] names unknown code ${a}`);
    if (['negated', 'rep_only', 'repeated'].includes(kind) && args.length !== 1) err(id, `tag [${t}] needs one code`);
    if (kind === 'boundary' && args.length !== 2) err(id, `tag [${t}] needs two codes a~b`);
    return { kind, args };
  });
  const gold = c.gold ?? [];
  const has = k => parsed.some(p => p.kind === k);
  if (has('none') !== (gold.length === 0)) err(id, '[none] tag must be present exactly when gold is empty');
  if (has('multi') !== (gold.length >= 2 && gold.length <= 4)) err(id, '[multi] tag must be present exactly when gold has 2–4 codes');
  if (gold.length > 4) err(id, 'more than 4 gold codes');
  for (const p of parsed) {
    if ((p.kind === 'negated' || p.kind === 'rep_only') && gold.includes(p.args[0])) err(id, `[${p.kind}:${p.args[0]}] but the code is gold`);
    if (p.kind === 'repeated' && !gold.includes(p.args[0])) err(id, `[repeated:${p.args[0]}] but the code is not gold`);
  }
  // quoted evidence in notes should be verbatim transcript text (split at ellipses)
  const transcript = (segs ?? []).map(s => s.text).join('\n');
  for (const m of (c.notes ?? '').matchAll(/["“]([^"”]+)["”]/g)) {
    for (const piece of m[1].split(/…|\.\.\./).map(x => x.trim()).filter(x => x.length >= 3)) {
      if (!transcript.includes(piece)) warnings.push(`${id}: note quote not in transcript: ${piece}`);
    }
  }
  calls.push({ ...c, tags: parsed });
});

// ---- counts ----
const count = (xs, f) => xs.filter(f).length;
const langs = ['zh', 'en'];
const byLang = l => calls.filter(c => c.language === l);
const out = [];
const table = (header, rows) => {
  out.push(`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i ? '---:' : '---')).join(' | ')} |`);
  for (const r of rows) out.push(`| ${r.join(' | ')} |`);
  out.push('');
};
const pct = (a, b) => `${((100 * a) / b).toFixed(0)} %`;

out.push(`Calls: **${calls.length}** (zh ${byLang('zh').length} = ${pct(byLang('zh').length, calls.length)}, en ${byLang('en').length} = ${pct(byLang('en').length, calls.length)}); segments: ${calls.reduce((a, c) => a + c.segments.length, 0)} (per call ${Math.min(...calls.map(c => c.segments.length))}–${Math.max(...calls.map(c => c.segments.length))}); audio time ≈ ${(calls.reduce((a, c) => a + c.segments.at(-1).end, 0) / 60).toFixed(0)} min.`, '');

out.push('Calls per gold code:', '');
table(['code', 'calls', 'zh', 'en', 'negated (not gold) in', 'rep-only (not gold) in'], CODES.map(code => [
  `\`${code}\``,
  count(calls, c => c.gold.includes(code)),
  ...langs.map(l => count(byLang(l), c => c.gold.includes(code))),
  count(calls, c => c.tags.some(t => t.kind === 'negated' && t.args[0] === code)),
  count(calls, c => c.tags.some(t => t.kind === 'rep_only' && t.args[0] === code)),
]));

out.push('Calls per number of gold codes:', '');
table(['gold codes', 'calls', 'zh', 'en'], [0, 1, 2, 3, 4].map(k => [k, count(calls, c => c.gold.length === k), ...langs.map(l => count(byLang(l), c => c.gold.length === k))]));

out.push('Calls per coverage category (from the `[tag]`s at the start of `notes`):', '');
const cat = [
  ['implicit phrasing', 'implicit'], ['negated mention', 'negated'], ['topic only the rep raises', 'rep_only'],
  ['same concern repeated across turns', 'repeated'], ['2–4 concerns', 'multi'], ['no concern', 'none'],
  ['near-miss boundary', 'boundary'],
];
table(['category', 'tag', 'calls', 'zh', 'en'], cat.map(([name, k]) => [name, `\`${k}\``, count(calls, c => c.tags.some(t => t.kind === k)), ...langs.map(l => count(byLang(l), c => c.tags.some(t => t.kind === k)))]));

const pairs = new Map();
for (const c of calls) for (const t of c.tags) if (t.kind === 'boundary') {
  const key = [...t.args].sort().join(' ~ ');
  pairs.set(key, (pairs.get(key) ?? 0) + 1);
}
out.push('Boundary pairs exercised (calls):', '');
table(['pair', 'calls'], [...pairs].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, v]) => [k, v]));

const inds = [...new Set(calls.map(c => c.industry))].sort();
out.push('Calls per industry:', '');
table(['industry', 'calls', 'zh', 'en'], inds.map(i => [i, count(calls, c => c.industry === i), ...langs.map(l => count(byLang(l), c => c.industry === i))]));

console.log(out.join('\n'));
for (const w of warnings) console.error(`warning: ${w}`);
if (errors.length) {
  for (const e of errors) console.error(`error: ${e}`);
  console.error(`${errors.length} validation error(s)`);
  process.exit(1);
}
console.error(`ok: ${calls.length} calls valid`);
