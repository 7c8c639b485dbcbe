import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../helpers/errors.js';
import { consoleFixture, HOSTILE, signIn, type ConsoleFixture } from './fixtures.js';

let f: ConsoleFixture;
const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});

beforeAll(async () => {
  f = await consoleFixture();
}, 120_000);
afterAll(async () => {
  await f?.close();
});

describe('sign-in and sessions', () => {
  it('sends a visitor without a session to the sign-in page, remembering where they were going', async () => {
    for (const url of ['/console/review', `/console/calls/${f.callId}`, '/console/team', '/console/maps']) {
      const res = await f.t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(302);
      expect(res.headers.location).toBe(`/console/login?next=${encodeURIComponent(url)}`);
    }
    const login = await f.t.app.inject({ method: 'GET', url: '/console/login?next=%2Fconsole%2Fteam' });
    expect(login.statusCode).toBe(200);
    expect(login.body).toContain('name="next" value="/console/team"');
  });

  it('refuses a bad key, a missing key and an ingest-only key with a clear message, and sets no cookie', async () => {
    const bad = await f.t.app.inject({ method: 'POST', url: '/console/login', ...form({ key: 'dsk_not-a-real-key' }) });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['set-cookie']).toBeUndefined();
    expect(bad.body).toContain('This API key is not valid');
    const missing = await f.t.app.inject({ method: 'POST', url: '/console/login', ...form({ key: '  ' }) });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Enter an API key');
    const ingestKey = await f.t.newTenant('console-ingest-only', ['ingest']);
    const ingest = await f.t.app.inject({ method: 'POST', url: '/console/login', ...form({ key: ingestKey }) });
    expect(ingest.statusCode).toBe(403);
    expect(ingest.body).toContain('lacks the read scope');
    expect(ingest.headers['set-cookie']).toBeUndefined();
    const zh = await f.t.app.inject({ method: 'POST', url: '/console/login', headers: { ...form({}).headers, 'accept-language': 'zh-CN,zh;q=0.9' }, payload: 'key=nope' });
    expect(zh.body).toContain('该 API 密钥无效');
  });

  it('rejects hostile and oversized sign-in bodies without creating a session', async () => {
    const before = await f.t.runtime.db.query<{ n: number }>('SELECT count(*)::int AS n FROM console_sessions');
    const long = await f.t.app.inject({ method: 'POST', url: '/console/login', ...form({ key: 'k'.repeat(201) }) });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('This API key is not valid');
    const huge = await f.t.app.inject({ method: 'POST', url: '/console/login', ...form({ key: 'k'.repeat(20_000) }) });
    expect(huge.statusCode).toBe(413);
    expect(huge.headers['content-type']).toMatch(/text\/html/);
    const json = await f.t.app.inject({ method: 'POST', url: '/console/login', payload: { key: f.t.adminKey } });
    expect(json.statusCode).toBe(415);
    const sqlish = await f.t.app.inject({ method: 'POST', url: '/console/login', ...form({ key: "' OR 1=1 --" }) });
    expect(sqlish.statusCode).toBe(401);
    const after = await f.t.runtime.db.query<{ n: number }>('SELECT count(*)::int AS n FROM console_sessions');
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('signs in with a read key: an httpOnly SameSite=Strict cookie whose value is stored only hashed', async () => {
    const readKey = await f.t.newTenant('console-read', ['read']);
    const res = await f.t.app.inject({ method: 'POST', url: '/console/login', ...form({ key: readKey, next: '/console/maps' }) });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console/maps');
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^ds_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Secure'); // plain http here; CONSOLE_SECURE_COOKIE=auto sets it on https
    const value = /^ds_session=([^;]+)/.exec(setCookie)![1]!;
    const raw = await f.t.runtime.db.query('SELECT 1 FROM console_sessions WHERE id_hash = $1', [value]);
    expect(raw).toHaveLength(0);
    const hashed = await f.t.runtime.db.query<{ tenant_id: string }>('SELECT tenant_id FROM console_sessions WHERE id_hash = $1', [
      createHash('sha256').update(value).digest('hex'),
    ]);
    expect(hashed[0]?.tenant_id).toBe('console-read');
  });

  it('follows only console paths after sign-in and language switches (no open redirect)', async () => {
    for (const next of ['https://evil.example/', '//evil.example/x', '/console\\@evil', 'javascript:alert(1)', '/v1/recordings']) {
      const res = await f.t.app.inject({ method: 'POST', url: '/console/login', ...form({ key: f.t.adminKey, next }) });
      expect(res.headers.location, next).toBe('/console/review');
      const lang = await f.t.app.inject({ method: 'GET', url: `/console/lang?to=zh&next=${encodeURIComponent(next)}` });
      expect(lang.headers.location, next).toBe('/console/review');
    }
  });

  it('lets the API accept the session for reads, but state changes need the CSRF header', async () => {
    const { cookie, csrf } = await signIn(f.t, f.t.adminKey);
    const read = await f.t.app.inject({ method: 'GET', url: `/v1/recordings/${f.callId}`, headers: { cookie } });
    expect(read.statusCode).toBe(200);
    const noToken = await f.t.app.inject({ method: 'PUT', url: '/v1/settings', headers: { cookie }, payload: { redactPii: false } });
    expectError(noToken, 403, 'csrf_token_invalid', 'x-csrf-token');
    const wrong = await f.t.app.inject({ method: 'PUT', url: '/v1/settings', headers: { cookie, 'x-csrf-token': `${csrf.slice(0, -1)}x` }, payload: { redactPii: false } });
    expectError(wrong, 403, 'csrf_token_invalid');
    const ok = await f.t.app.inject({ method: 'PUT', url: '/v1/settings', headers: { cookie, 'x-csrf-token': csrf }, payload: { redactPii: false } });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('gives a session only the scopes of the key that signed in', async () => {
    const readKey = await f.t.newTenant('console-read-2', ['read']);
    const { cookie, csrf } = await signIn(f.t, readKey);
    const res = await f.t.app.inject({ method: 'PUT', url: '/v1/settings', headers: { cookie, 'x-csrf-token': csrf }, payload: { redactPii: true } });
    expectError(res, 403, 'forbidden', 'admin');
  });

  it('signs out (the form carries the token), after which the cookie is worthless', async () => {
    const { cookie, csrf } = await signIn(f.t, f.t.adminKey);
    const forged = await f.t.app.inject({ method: 'POST', url: '/console/logout', headers: { cookie, ...form({}).headers }, payload: '' });
    expect(forged.statusCode).toBe(403);
    const out = await f.t.app.inject({ method: 'POST', url: '/console/logout', headers: { cookie, ...form({}).headers }, payload: new URLSearchParams({ _csrf: csrf }).toString() });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/console/login?signedOut=1');
    expect(String(out.headers['set-cookie'])).toMatch(/ds_session=;/);
    const api = await f.t.app.inject({ method: 'GET', url: `/v1/recordings/${f.callId}`, headers: { cookie } });
    expectError(api, 401, 'session_expired');
    const pageRes = await f.t.app.inject({ method: 'GET', url: '/console/maps', headers: { cookie } });
    expect(pageRes.statusCode).toBe(302);
  });

  it('ends sessions when they expire or their key is revoked', async () => {
    const key = await f.t.newTenant('console-revoke', ['read']);
    const a = await signIn(f.t, key);
    await f.t.runtime.db.query(`UPDATE console_sessions SET expires_at = now() - interval '1 minute' WHERE tenant_id = 'console-revoke'`);
    expect((await f.t.app.inject({ method: 'GET', url: '/console/maps', headers: { cookie: a.cookie } })).statusCode).toBe(302);
    const b = await signIn(f.t, key);
    await f.t.runtime.db.query(`UPDATE api_keys SET revoked_at = now() WHERE tenant_id = 'console-revoke'`);
    expect((await f.t.app.inject({ method: 'GET', url: '/console/maps', headers: { cookie: b.cookie } })).statusCode).toBe(302);
    expectError(await f.t.app.inject({ method: 'GET', url: '/v1/reps', headers: { cookie: b.cookie } }), 401, 'session_expired', 'revoked');
  });

  it('ignores a forged or oversized cookie', async () => {
    for (const cookie of ['ds_session=forged', `ds_session=${'a'.repeat(5000)}`, 'ds_session=']) {
      expect((await f.t.app.inject({ method: 'GET', url: '/console/maps', headers: { cookie } })).statusCode).toBe(302);
    }
    expectError(await f.t.app.inject({ method: 'GET', url: '/v1/reps', headers: { cookie: 'ds_session=forged' } }), 401, 'session_expired');
  });
});

describe('pages', () => {
  it('sends a strict Content-Security-Policy (no inline script) and no-store on every page', async () => {
    const { cookie } = await signIn(f.t, f.t.adminKey);
    for (const url of ['/console/login', `/console/calls/${f.callId}`, '/console/maps', '/console/nope']) {
      const res = await f.t.app.inject({ method: 'GET', url, headers: { cookie } });
      const csp = String(res.headers['content-security-policy']);
      expect(csp, url).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('no-store');
      // No inline executable script: every <script> either has src or is a JSON data block.
      for (const tag of res.body.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\bsrc="|type="application\/json"/);
    }
  });

  it('escapes customer text on the call page (transcript, quotes, summary)', async () => {
    const { cookie } = await signIn(f.t, f.t.adminKey);
    for (const id of [f.callId, f.importedId]) {
      const res = await f.t.app.inject({ method: 'GET', url: `/console/calls/${id}`, headers: { cookie } });
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain(HOSTILE);
      expect(res.body).not.toMatch(/<script>window|<img src=x/);
      expect(res.body).toContain('&lt;script&gt;window.__xss = 1&lt;/script&gt;&lt;img src=x onerror=&quot;window.__xss = 2&quot;&gt;');
      expect(res.body).toContain('<mark class="c-delivery_supply"');
    }
  });

  it('shows an imported transcript without a player, and an uploaded call with one', async () => {
    const { cookie } = await signIn(f.t, f.t.adminKey);
    const imported = await f.t.app.inject({ method: 'GET', url: `/console/calls/${f.importedId}`, headers: { cookie } });
    expect(imported.body).not.toContain('<audio');
    expect(imported.body).toContain('id="no-audio"');
    const call = await f.t.app.inject({ method: 'GET', url: `/console/calls/${f.callId}`, headers: { cookie } });
    expect(call.body).toContain(`<audio id="player" controls preload="metadata" src="/v1/recordings/${f.callId}/audio">`);
  });

  it("answers another tenant's call, an unknown id and a malformed id with the 404 page", async () => {
    const otherKey = await f.t.newTenant('console-other', ['read']);
    const { cookie } = await signIn(f.t, otherKey);
    for (const url of [`/console/calls/${f.callId}`, '/console/calls/00000000-0000-4000-8000-000000000000', '/console/calls/%3Cscript%3E', '/console/calls/1%27%20OR%201=1']) {
      const res = await f.t.app.inject({ method: 'GET', url, headers: { cookie } });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('id="error-page"');
      expect(res.body).not.toContain('<script>');
    }
  });

  it('speaks Chinese or English: Accept-Language by default, the switch (a cookie) overrides it', async () => {
    const { cookie } = await signIn(f.t, f.t.adminKey);
    const url = `/console/calls/${f.callId}`;
    const zh = await f.t.app.inject({ method: 'GET', url, headers: { cookie, 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5' } });
    expect(zh.body).toContain('客户顾虑');
    expect(zh.body).toContain('<html lang="zh-CN">');
    const en = await f.t.app.inject({ method: 'GET', url, headers: { cookie, 'accept-language': 'en-GB' } });
    expect(en.body).toContain('Customer concerns');
    const sw = await f.t.app.inject({ method: 'GET', url: `/console/lang?to=en&next=${encodeURIComponent(url)}`, headers: { cookie } });
    expect(sw.headers.location).toBe(url);
    const langCookie = String(sw.headers['set-cookie']).split(';')[0]!;
    expect(langCookie).toBe('ds_lang=en');
    const forced = await f.t.app.inject({ method: 'GET', url, headers: { cookie: `${cookie}; ${langCookie}`, 'accept-language': 'zh-CN' } });
    expect(forced.body).toContain('Customer concerns');
    const bogus = await f.t.app.inject({ method: 'GET', url, headers: { cookie: `${cookie}; ds_lang=<x>`, 'accept-language': 'fr' } });
    expect(bogus.body).toContain('Customer concerns');
  });

  it('serves its script and stylesheet, and nothing else from the static path', async () => {
    const js = await f.t.app.inject({ method: 'GET', url: '/console/static/console.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect((await f.t.app.inject({ method: 'GET', url: '/console/static/console.css' })).statusCode).toBe(200);
    for (const name of ['..%2F..%2Fconfig.ts', 'routes.ts', '%2Fetc%2Fpasswd']) {
      expect((await f.t.app.inject({ method: 'GET', url: `/console/static/${name}` })).statusCode, name).toBe(404);
    }
  });
});

describe('GET /v1/recordings/:id/audio', () => {
  it('streams the normalised call (the two channels joined back into one stereo WAV)', async () => {
    const res = await f.t.app.inject({ method: 'GET', url: `/v1/recordings/${f.callId}/audio`, headers: f.t.auth() });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^audio\/(x-)?wav/);
    expect(res.headers['accept-ranges']).toBe('bytes');
    const wav = res.rawPayload;
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt16LE(22)).toBe(2); // channels
    expect(wav.readUInt32LE(24)).toBe(16000); // sample rate
    // 10 s of 16 kHz 16-bit stereo after the 44-byte header.
    expect(wav.length).toBeGreaterThan(44 + 10 * 16000 * 4 * 0.95);
    expect(Number(res.headers['content-length'])).toBe(wav.length);
  });

  it('answers Range requests with 206 and the exact bytes (what lets the player seek)', async () => {
    const full = (await f.t.app.inject({ method: 'GET', url: `/v1/recordings/${f.callId}/audio`, headers: f.t.auth() })).rawPayload;
    const part = await f.t.app.inject({ method: 'GET', url: `/v1/recordings/${f.callId}/audio`, headers: { ...f.t.auth(), range: 'bytes=1000-1999' } });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 1000-1999/${full.length}`);
    expect(part.rawPayload.equals(full.subarray(1000, 2000))).toBe(true);
    const tail = await f.t.app.inject({ method: 'GET', url: `/v1/recordings/${f.callId}/audio`, headers: { ...f.t.auth(), range: 'bytes=-100' } });
    expect(tail.statusCode).toBe(206);
    expect(tail.rawPayload.equals(full.subarray(full.length - 100))).toBe(true);
    const beyond = await f.t.app.inject({ method: 'GET', url: `/v1/recordings/${f.callId}/audio`, headers: { ...f.t.auth(), range: `bytes=${full.length + 10}-` } });
    expectError(beyond, 416, 'range_not_satisfiable');
    expect(beyond.headers['content-range']).toBe(`bytes */${full.length}`);
    const junk = await f.t.app.inject({ method: 'GET', url: `/v1/recordings/${f.callId}/audio`, headers: { ...f.t.auth(), range: 'bytes=abc' } });
    expectError(junk, 416, 'range_not_satisfiable');
  });

  it('plays with the console session cookie too', async () => {
    const { cookie } = await signIn(f.t, f.t.adminKey);
    const res = await f.t.app.inject({ method: 'GET', url: `/v1/recordings/${f.callId}/audio`, headers: { cookie, range: 'bytes=0-43' } });
    expect(res.statusCode).toBe(206);
  });

  it('refuses: no key, an ingest-only key, a bad id, another tenant, an imported transcript', async () => {
    const url = `/v1/recordings/${f.callId}/audio`;
    expectError(await f.t.app.inject({ method: 'GET', url }), 401, 'unauthorized');
    const ingestKey = await f.t.newTenant('audio-ingest', ['ingest']);
    expectError(await f.t.app.inject({ method: 'GET', url, headers: f.t.auth(ingestKey) }), 403, 'forbidden', 'read');
    const otherKey = await f.t.newTenant('audio-other', ['read']);
    expectError(await f.t.app.inject({ method: 'GET', url, headers: f.t.auth(otherKey) }), 404, 'not_found');
    expectError(await f.t.app.inject({ method: 'GET', url: '/v1/recordings/not-a-uuid/audio', headers: f.t.auth() }), 400, 'validation_error', 'params.id');
    expectError(await f.t.app.inject({ method: 'GET', url: `/v1/recordings/${f.importedId}/audio`, headers: f.t.auth() }), 404, 'no_audio', 'imported transcript');
  });
});
