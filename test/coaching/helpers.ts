import { expect } from 'vitest';
import type { TestApp } from '../helpers/app.js';

/** A tenant of its own per describe block, with a small call helper. */
export async function coachingTenant(t: TestApp, name: string) {
  const key = await t.newTenant(name);
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, k = key) =>
    t.app.inject({ method, url, headers: t.auth(k), ...(payload === undefined ? {} : { payload: payload as object }) });
  const rep = async (id: string, body: object = {}) => {
    const res = await call('PUT', `/v1/reps/${id}`, { capacity: 100, ...body });
    expect(res.statusCode, res.body).toBe(200);
  };
  const activities = async (list: object[]) => {
    const res = await call('POST', '/v1/activities', { activities: list });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { accepted: number; duplicates: string[]; rejected: { index: number; id: string; field: string; code: string }[] };
  };
  const repKey = async (repId: string) => {
    const res = await call('POST', '/v1/admin/keys', { scopes: ['read'], repId, name: `rep ${repId}` });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().key as string;
  };
  return { key, call, rep, activities, repKey };
}

/** An ISO time `h` hours after `base`. */
export const plus = (base: string, h: number) => new Date(Date.parse(base) + h * 3600_000).toISOString();

/** A UTC month `k` months before the current one, as YYYY-MM. */
export function monthsAgo(k: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - k, 1)).toISOString().slice(0, 7);
}
