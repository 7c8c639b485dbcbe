// Small helpers shared by the benchmark modules: statistics, units, a text table, Redis clean-up.

import { Redis } from 'ioredis';

export const MB = 1024 * 1024;

export const toMb = (bytes: number) => bytes / MB;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const min = (xs: number[]) => Math.min(...xs);

export const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export const mbStr = (mb: number) => `${mb.toFixed(1)} MB`;

/** Least-squares slope of y over x (used for "does RSS grow with bytes uploaded?"). */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Left-aligned columns separated by two spaces, with a rule under the header row. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  const [head, ...body] = rows;
  return [line(head!), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export const yesNo = (ok: boolean) => (ok ? 'yes' : 'NO');

/** Deletes a bench run's BullMQ keys (everything under its queue prefix); returns how many. */
export async function dropRedisPrefix(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: true });
  let n = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) n += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return n;
}
