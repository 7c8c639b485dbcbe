import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

/**
 * The DESIGN.md error shape, exactly: status, code, a message, nothing that looks like a stack
 * trace. A string `message` must be contained in the message; a RegExp must match it.
 */
export function expectError(res: LightMyRequestResponse, status: number, code: string, message?: string | RegExp) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  for (const k of Object.keys(body.error)) expect(['code', 'message', 'details']).toContain(k);
  expect(res.body).not.toMatch(/"stack"|\n\s+at |node_modules|\.ts:\d+|\.js:\d+/);
  if (typeof message === 'string') expect(body.error.message).toContain(message);
  else if (message) expect(body.error.message).toMatch(message);
  return body.error as { code: string; message: string; details?: unknown };
}
