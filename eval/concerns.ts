import { readFile } from 'node:fs/promises';
import { builtinTaxonomy } from '../src/analysis/taxonomy/index.js';
import { detectConcerns } from '../src/analysis/concerns/index.js';
import type { Concern, Segment } from '../src/analysis/types.js';

export interface LabelledCall {
  id: string;
  language: 'zh' | 'en';
  gold: string[];
  segments: Segment[];
}

export async function loadCalls(path: string): Promise<LabelledCall[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LabelledCall);
}

export interface Scores {
  perCode: { code: string; tp: number; fp: number; fn: number; precision: number; recall: number; f1: number; support: number }[];
  micro: { precision: number; recall: number; f1: number };
  macroF1: number;
  exactCalls: number;
}

const f1 = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

/** Call-level multi-label scores: a code counts once per call, predicted or gold. */
export function score(calls: LabelledCall[], predicted: Map<string, string[]>, codes: string[]): Scores {
  const perCode = codes.map((code) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const c of calls) {
      const g = c.gold.includes(code);
      const p = (predicted.get(c.id) ?? []).includes(code);
      if (g && p) tp++;
      else if (p) fp++;
      else if (g) fn++;
    }
    const precision = ratio(tp, tp + fp);
    const recall = ratio(tp, tp + fn);
    return { code, tp, fp, fn, precision, recall, f1: f1(precision, recall), support: tp + fn };
  });
  const tp = perCode.reduce((s, c) => s + c.tp, 0);
  const fp = perCode.reduce((s, c) => s + c.fp, 0);
  const fn = perCode.reduce((s, c) => s + c.fn, 0);
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  const exactCalls = calls.filter((c) => {
    const p = new Set(predicted.get(c.id) ?? []);
    return p.size === c.gold.length && c.gold.every((g) => p.has(g));
  }).length;
  return { perCode, micro: { precision, recall, f1: f1(precision, recall) }, macroF1: perCode.reduce((s, c) => s + c.f1, 0) / perCode.length, exactCalls };
}

export function lexiconPredictions(calls: LabelledCall[]): Map<string, string[]> {
  return new Map(calls.map((c) => [c.id, detectConcerns(c.segments, { language: c.language }).map((x: Concern) => x.code)]));
}

export const builtinCodes = () => builtinTaxonomy.codes.map((c) => c.code);

export function printScores(title: string, s: Scores, calls: number): void {
  const pct = (x: number) => x.toFixed(3);
  console.log(`\n${title}`);
  console.log('code                     support   P      R      F1');
  for (const c of s.perCode) {
    console.log(`${c.code.padEnd(24)} ${String(c.support).padStart(7)}   ${pct(c.precision)}  ${pct(c.recall)}  ${pct(c.f1)}   (tp ${c.tp}, fp ${c.fp}, fn ${c.fn})`);
  }
  console.log(`micro  P ${pct(s.micro.precision)}  R ${pct(s.micro.recall)}  F1 ${pct(s.micro.f1)}   macro F1 ${pct(s.macroF1)}   exact-match calls ${s.exactCalls}/${calls}`);
}
