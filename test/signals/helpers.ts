import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { TestApp } from '../helpers/app.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A tenant of its own, so rules, keys and pushes do not leak between tests. */
export async function signalsTenant(t: TestApp, name: string) {
  const key = await t.newTenant(name);
  const call = (method: Method, url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: t.auth(key), ...(payload === undefined ? {} : { payload: payload as object }) });
  const ok = async (method: Method, url: string, payload?: unknown, status?: number) => {
    const res = await call(method, url, payload);
    if (status) expect(res.statusCode, res.body).toBe(status);
    else expect(res.statusCode, res.body).toBeLessThan(300);
    return res.body ? res.json() : undefined;
  };
  return { key, call, ok, tenantId: name };
}

export const WHITEPAPER = 'https://www.example.com/whitepapers/data-security';
export const ORIGIN = 'https://www.example.com';

let counter = 0;
/** An event as the tracker sends it; ids are unique unless given. */
export function ev(over: Record<string, unknown> = {}) {
  counter += 1;
  return { id: randomUUID(), visitorId: 'v-1', type: 'heartbeat', url: WHITEPAPER, title: '数据安全白皮书', tags: ['security'], ts: Date.now() - 60_000 + counter, dwellMs: 15_000, ...over };
}

/** `n` heartbeats of `stepMs` each, ending now: a reading session of n × stepMs. */
export function reading(n: number, over: Record<string, unknown> = {}, stepMs = 15_000, endTs = Date.now() - 1000) {
  const start = endTs - n * stepMs;
  return [
    ev({ type: 'pageview', dwellMs: undefined, ts: start, ...over }),
    ...Array.from({ length: n }, (_, i) => ev({ ts: start + (i + 1) * stepMs, dwellMs: stepMs, ...over })),
  ];
}

export const dwellRule = (over: Record<string, unknown> = {}) => ({
  name: 'security whitepaper readers',
  pages: { tags: ['security'] },
  event: 'dwell',
  minDwellSec: 180,
  ...over,
});
