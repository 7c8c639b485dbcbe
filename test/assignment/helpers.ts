import { expect } from 'vitest';
import type { TestApp } from '../helpers/app.js';

/** A tenant of its own for a describe block (rules and reps do not leak between blocks), with an API caller and a rep upsert. */
export async function assignmentTenant(t: TestApp, name: string) {
  const key = await t.newTenant(name);
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: t.auth(key), ...(payload === undefined ? {} : { payload: payload as object }) });
  const rep = async (id: string, body: object) => {
    const res = await call('PUT', `/v1/reps/${id}`, body);
    expect(res.statusCode, res.body).toBe(200);
  };
  return { key, call, rep };
}
