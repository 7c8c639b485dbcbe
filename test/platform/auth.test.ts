import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAdminKey } from '../../src/platform/auth.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const VTT = 'WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Customer>How soon can you deliver?\n';
const NO_SUCH_RECORDING = '00000000-0000-4000-8000-000000000000';


const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

function createTenant(body: unknown, key = t.adminKey) {
  return t.app.inject({ method: 'POST', url: '/v1/admin/tenants', headers: bearer(key), payload: body as object });
}

function createKey(body: unknown, key = t.adminKey) {
  return t.app.inject({ method: 'POST', url: '/v1/admin/keys', headers: bearer(key), payload: body as object });
}

async function newKey(tenantId: string, scopes: string[]): Promise<string> {
  const res = await createKey({ tenantId, scopes, name: `${scopes.join('+')} key` });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().key as string;
}

function importAs(key: string) {
  return t.app.inject({ method: 'POST', url: '/v1/recordings', headers: bearer(key), payload: { transcript: VTT } });
}

function getAs(key: string, id: string) {
  return t.app.inject({ method: 'GET', url: `/v1/recordings/${id}`, headers: bearer(key) });
}

describe('the seeded ADMIN_API_KEY', () => {
  it('authenticates as an admin of tenant "default"', async () => {
    const rows = await t.runtime.db.query<{ tenant_id: string; scopes: string[] }>(
      'SELECT tenant_id, scopes FROM api_keys WHERE key_hash = $1',
      [createHash('sha256').update(t.adminKey).digest('hex')],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tenant_id).toBe('default');
    expect([...rows[0]!.scopes].sort()).toEqual(['admin', 'ingest', 'read']);
    // Reads, ingests and administers.
    expectError(await getAs(t.adminKey, NO_SUCH_RECORDING), 404, 'not_found');
    const imported = await importAs(t.adminKey);
    expect(imported.statusCode, imported.body).toBe(202);
    expect((await getAs(t.adminKey, imported.json().id)).statusCode).toBe(200);
  });
});

describe('POST /v1/admin/tenants', () => {
  it('creates a tenant → 201', async () => {
    const res = await createTenant({ id: 'acme', name: 'Acme Trading 有限公司' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({ id: 'acme', name: 'Acme Trading 有限公司' });
    const rows = await t.runtime.db.query<{ name: string }>(`SELECT name FROM tenants WHERE id = 'acme'`);
    expect(rows).toEqual([{ name: 'Acme Trading 有限公司' }]);
  });

  it('a duplicate id → 409 conflict', async () => {
    await createTenant({ id: 'dup-co', name: 'Dup' });
    expectError(await createTenant({ id: 'dup-co', name: 'Dup again' }), 409, 'conflict', 'dup-co');
    expectError(await createTenant({ id: 'default', name: 'Hijack' }), 409, 'conflict');
  });

  it.each([['Bad Id!'], ['a'], ['UPPER'], ['../x'], ['-leading'], ['x'.repeat(64)]])('bad id %s → 400 naming body.id', async (id) => {
    expectError(await createTenant({ id, name: 'X' }), 400, 'validation_error', 'body.id');
  });

  it('a missing name → 400 naming body.name; an unknown field → 400 naming it', async () => {
    expectError(await createTenant({ id: 'no-name' }), 400, 'validation_error', 'body.name');
    expectError(await createTenant({ id: 'extra-co', name: 'X', plan: 'gold' }), 400, 'validation_error', 'plan');
  });

  it('no key → 401 before the body is even validated', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/admin/tenants', payload: { id: 'Not Valid!' } });
    expectError(res, 401, 'unauthorized');
    const junk = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/keys',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expectError(junk, 401, 'unauthorized');
  });
});

describe('POST /v1/admin/keys', () => {
  let ingestKey: string;
  let readKey: string;
  let recordingId: string;

  beforeAll(async () => {
    await createTenant({ id: 'keys-co', name: 'Keys Co' });
    ingestKey = await newKey('keys-co', ['ingest']);
    readKey = await newKey('keys-co', ['read']);
  });

  it('returns the key once, with its id, tenant and scopes', async () => {
    const res = await createKey({ tenantId: 'keys-co', scopes: ['read', 'ingest'], name: 'crm' });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['id', 'key', 'scopes', 'tenantId']);
    expect(body.tenantId).toBe('keys-co');
    expect(body.scopes).toEqual(['read', 'ingest']);
    expect(body.key).toMatch(/^dsk_[A-Za-z0-9_-]{32}$/);
    const rows = await t.runtime.db.query<{ tenant_id: string; name: string; prefix: string; scopes: string[] }>(
      'SELECT tenant_id, name, prefix, scopes FROM api_keys WHERE id = $1',
      [body.id],
    );
    expect(rows).toEqual([{ tenant_id: 'keys-co', name: 'crm', prefix: body.key.slice(0, 8), scopes: ['read', 'ingest'] }]);
  });

  it('keys are stored hashed: no raw key appears anywhere in api_keys', async () => {
    const fresh = await newKey('keys-co', ['read']);
    const dump = JSON.stringify(await t.runtime.db.query('SELECT * FROM api_keys'));
    for (const key of [fresh, ingestKey, readKey, t.adminKey]) {
      expect(dump).not.toContain(key);
      expect(dump).toContain(createHash('sha256').update(key).digest('hex'));
    }
  });

  it('an ingest-only key ingests but cannot read: GET → 403', async () => {
    const created = await importAs(ingestKey);
    expect(created.statusCode, created.body).toBe(202);
    recordingId = created.json().id;
    expectError(await getAs(ingestKey, recordingId), 403, 'forbidden', '"read"');
  });

  it('a read key reads its tenant but cannot post: POST → 403', async () => {
    const res = await getAs(readKey, recordingId);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().transcript.segments[0].text).toBe('How soon can you deliver?');
    expectError(await importAs(readKey), 403, 'forbidden', '"ingest"');
    expectError(
      await t.app.inject({ method: 'POST', url: `/v1/recordings/${recordingId}/retry`, headers: bearer(readKey) }),
      403,
      'forbidden',
    );
  });

  it("a key never reaches another tenant's recordings", async () => {
    // The platform admin (tenant "default") cannot read keys-co's recording through the tenant API either.
    expectError(await getAs(t.adminKey, recordingId), 404, 'not_found');
    const acmeRead = await newKey('acme', ['read']);
    expectError(await getAs(acmeRead, recordingId), 404, 'not_found');
  });

  it('non-admin keys → 403 on every admin route', async () => {
    const both = await newKey('keys-co', ['ingest', 'read']);
    for (const key of [ingestKey, readKey, both]) {
      expectError(await createTenant({ id: 'sneaky-co', name: 'Sneaky' }, key), 403, 'forbidden', '"admin"');
      expectError(await createKey({ scopes: ['admin'] }, key), 403, 'forbidden', '"admin"');
    }
    expect(await t.runtime.db.query(`SELECT id FROM tenants WHERE id = 'sneaky-co'`)).toEqual([]);
  });

  it('unknown scope → 400 naming body.scopes; no scopes → 400; unknown field → 400', async () => {
    expectError(await createKey({ tenantId: 'keys-co', scopes: ['read', 'superuser'] }), 400, 'validation_error', 'body.scopes');
    expectError(await createKey({ tenantId: 'keys-co', scopes: [] }), 400, 'validation_error', 'body.scopes');
    expectError(await createKey({ tenantId: 'keys-co' }), 400, 'validation_error', 'body.scopes');
    expectError(await createKey({ tenantId: 'keys-co', scopes: ['read'], expires: 'never' }), 400, 'validation_error', 'expires');
    expectError(await createKey({ tenantId: 'Not A Tenant', scopes: ['read'] }), 400, 'validation_error', 'body.tenantId');
  });

  it('repeated scopes are stored once', async () => {
    const res = await createKey({ tenantId: 'keys-co', scopes: ['read', 'read', 'ingest'] });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().scopes).toEqual(['read', 'ingest']);
    const rows = await t.runtime.db.query<{ scopes: string[] }>('SELECT scopes FROM api_keys WHERE id = $1', [res.json().id]);
    expect(rows[0]!.scopes).toEqual(['read', 'ingest']);
  });

  it('a key for a tenant that does not exist → 404', async () => {
    expectError(await createKey({ tenantId: 'ghost-co', scopes: ['read'] }), 404, 'not_found');
  });

  it('a revoked admin key → 401', async () => {
    const key = await newKey('keys-co', ['admin']);
    expect((await createKey({ scopes: ['read'] }, key)).statusCode).toBe(201);
    await t.runtime.db.query(`UPDATE api_keys SET revoked_at = now() WHERE key_hash = $1`, [createHash('sha256').update(key).digest('hex')]);
    expectError(await createKey({ scopes: ['read'] }, key), 401, 'unauthorized');
  });
});

describe('an admin key of a non-default tenant', () => {
  let acmeAdmin: string;

  beforeAll(async () => {
    acmeAdmin = await newKey('acme', ['admin']);
  });

  it('cannot create tenants → 403', async () => {
    expectError(await createTenant({ id: 'acme-sub', name: 'Sub' }, acmeAdmin), 403, 'forbidden');
    expect(await t.runtime.db.query(`SELECT id FROM tenants WHERE id = 'acme-sub'`)).toEqual([]);
  });

  it('cannot create keys for another tenant → 404 (existing or not, the same answer)', async () => {
    const existing = await createKey({ tenantId: 'default', scopes: ['admin'] }, acmeAdmin);
    const missing = await createKey({ tenantId: 'ghost-co', scopes: ['admin'] }, acmeAdmin);
    expectError(existing, 404, 'not_found');
    expectError(missing, 404, 'not_found');
    expect(existing.json()).toEqual(missing.json());
    const n = await t.runtime.db.query<{ n: string | number }>(`SELECT count(*) AS n FROM api_keys WHERE tenant_id = 'default'`);
    expect(Number(n[0]!.n)).toBe(1); // still only the seeded ADMIN_API_KEY
  });

  it('can create keys for its own tenant, which then work there', async () => {
    const res = await createKey({ scopes: ['ingest', 'read'] }, acmeAdmin);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().tenantId).toBe('acme');
    const key = res.json().key as string;
    const created = await importAs(key);
    expect(created.statusCode, created.body).toBe(202);
    const rows = await t.runtime.db.query<{ tenant_id: string }>('SELECT tenant_id FROM recordings WHERE id = $1', [created.json().id]);
    expect(rows).toEqual([{ tenant_id: 'acme' }]);
  });
});

// Last: it retires the app's admin key.
describe('rotating ADMIN_API_KEY', () => {
  it('seeding a new value revokes the previously seeded key; seeding is idempotent', async () => {
    const old = t.adminKey;
    expect((await createKey({ scopes: ['read'] }, old)).statusCode).toBe(201);
    const rotated = `${old}-rotated`;
    await seedAdminKey(t.runtime.db, rotated);
    await seedAdminKey(t.runtime.db, rotated); // a restart with the same value changes nothing
    expectError(await createKey({ scopes: ['read'] }, old), 401, 'unauthorized');
    expect((await createKey({ scopes: ['read'] }, rotated)).statusCode).toBe(201);
    expect((await createTenant({ id: 'after-rotation', name: 'R' }, rotated)).statusCode).toBe(201);
    const active = await t.runtime.db.query(
      `SELECT id FROM api_keys WHERE tenant_id = 'default' AND name = 'ADMIN_API_KEY' AND revoked_at IS NULL`,
    );
    expect(active).toHaveLength(1);
  });
});
