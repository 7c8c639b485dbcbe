import { rm } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NO_SUCH_RECORDING = '00000000-0000-4000-8000-000000000000';
const expectedDbKind = process.env.DATABASE_URL ? 'postgres' : 'pglite';
const expectedQueueKind = process.env.REDIS_URL ? 'bullmq' : 'in-process';


describe('platform endpoints', () => {
  it('GET /health → 200 with db and queue ok, and their kinds', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      status: 'ok',
      db: { ok: true, kind: expectedDbKind },
      queue: { ok: true, kind: expectedQueueKind },
    });
  });

  it('GET /metrics → Prometheus text with http_request_duration_seconds by route', async () => {
    await t.app.inject({ method: 'GET', url: '/health' });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain('# TYPE http_request_duration_seconds histogram');
    expect(res.body).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} [1-9]/);
    expect(res.body).toContain('process_cpu_user_seconds_total');
  });

  it('GET /docs/json → OpenAPI with the recording paths', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/recordings', '/v1/recordings/{id}', '/v1/recordings/{id}/retry', '/v1/admin/tenants', '/v1/admin/keys', '/health']),
    );
    expect(Object.keys(doc.paths)).not.toContain('/metrics');
    expect(doc.paths['/v1/recordings'].post).toBeDefined();
    expect(doc.paths['/v1/recordings/{id}'].get.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'id', in: 'path', required: true })]),
    );
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
  });

  it('GET /docs → 200 HTML (Swagger UI)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toMatch(/swagger-ui/i);
  });
});

describe('errors and request ids', () => {
  it('an unknown route → 404 not_found in the error shape', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/nope?x=1' });
    expectError(res, 404, 'not_found', /^no route GET \/v1\/nope$/);
    // A known path with an unsupported method is a 404 too, in the same shape.
    expectError(await t.app.inject({ method: 'DELETE', url: '/v1/recordings' }), 404, 'not_found');
  });

  it('every response carries a generated x-request-id', async () => {
    const responses = [
      await t.app.inject({ method: 'GET', url: '/health' }),
      await t.app.inject({ method: 'GET', url: '/metrics' }),
      await t.app.inject({ method: 'GET', url: '/docs/json' }),
      await t.app.inject({ method: 'GET', url: '/nowhere' }),
      await t.app.inject({ method: 'GET', url: `/v1/recordings/${NO_SUCH_RECORDING}` }), // 401
      await t.app.inject({ method: 'GET', url: `/v1/recordings/${NO_SUCH_RECORDING}`, headers: t.auth() }), // 404
      await t.app.inject({ method: 'GET', url: '/v1/recordings/nope', headers: t.auth() }), // 400
      await t.app.inject({
        method: 'POST',
        url: '/v1/recordings',
        headers: { ...t.auth(), 'content-type': 'application/json' },
        payload: '{bad',
      }), // 400 invalid_json
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 404, 401, 404, 400, 400]);
    const ids = responses.map((r) => r.headers['x-request-id']);
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('an incoming x-request-id is echoed back (on success and on error)', async () => {
    const ok = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'crm-trace-42' } });
    expect(ok.headers['x-request-id']).toBe('crm-trace-42');
    const err = await t.app.inject({ method: 'GET', url: '/missing', headers: { 'x-request-id': 'crm-trace-43' } });
    expect(err.statusCode).toBe(404);
    expect(err.headers['x-request-id']).toBe('crm-trace-43');
    const unauth = await t.app.inject({ method: 'POST', url: '/v1/recordings', headers: { 'x-request-id': 'crm-trace-44' }, payload: {} });
    expectError(unauth, 401, 'unauthorized');
    expect(unauth.headers['x-request-id']).toBe('crm-trace-44');
  });
});

describe('when the database is gone', () => {
  let broken: TestApp;

  beforeAll(async () => {
    broken = await createTestApp();
    await broken.runtime.db.close();
  });
  afterAll(async () => {
    if (!broken) return;
    try {
      await broken.close();
    } catch {
      // The pg Db's close() is not idempotent (pool.end() twice throws), so TestApp.close()
      // stops before its own clean-up: drop the schema and the data folder here.
      if (broken.env.DATABASE_URL && broken.env.DATABASE_SCHEMA) {
        const c = new pg.Client({ connectionString: broken.env.DATABASE_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${broken.env.DATABASE_SCHEMA} CASCADE`);
        await c.end();
      }
      await rm(broken.config.DATA_DIR, { recursive: true, force: true });
    }
  });

  it('an API call → 500 internal_error with a generic message, no stack, and a request id', async () => {
    const res = await broken.app.inject({
      method: 'GET',
      url: `/v1/recordings/${NO_SUCH_RECORDING}`,
      headers: { ...broken.auth(), 'x-request-id': 'trace-500' },
    });
    expectError(res, 500, 'internal_error', /^internal error$/);
    expect(res.headers['x-request-id']).toBe('trace-500');
    // Nothing from the underlying driver error reaches the caller.
    expect(res.body).not.toMatch(/pool|pglite|closed|postgres|Error:/i);
  });

  it('a JSON import → 500 internal_error, same generic shape', async () => {
    const res = await broken.app.inject({
      method: 'POST',
      url: '/v1/recordings',
      headers: broken.auth(),
      payload: { transcript: 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhi\n' },
    });
    expectError(res, 500, 'internal_error', /^internal error$/);
  });

  it('GET /health → 503 degraded, naming the database as down', async () => {
    const res = await broken.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode, res.body).toBe(503);
    expect(res.json()).toEqual({
      status: 'degraded',
      db: { ok: false, kind: expectedDbKind },
      queue: { ok: true, kind: expectedQueueKind },
    });
  });
});
