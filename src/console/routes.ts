import { readFile } from 'node:fs/promises';
import formbody from '@fastify/formbody';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { authenticateSession, contextOfKey, type AuthContext } from '../platform/auth.js';
import type { Db } from '../platform/db.js';
import { AppError, notFound } from '../platform/errors.js';
import { createSession, csrfMatches, deleteSession, findSession, SESSION_COOKIE } from '../platform/sessions.js';
import type { RecordingDeps } from '../recordings/service.js';
import { isLang, LANG_COOKIE } from './i18n/index.js';
import { callPage, pickMonth, repPage, reviewPage, ruleLabel, teamPage } from './pages.js';
import { formatters } from './format.js';
import { dwellLabel, pushesPage, pushRow, shortTime } from './pushes.js';
import { CONSOLE_CSP, pageContext, sendPage, type PageContext } from './render.js';

export type ConsoleDeps = RecordingDeps;

const STATIC_FILES: Record<string, { file: URL; type: string }> = {
  'console.js': { file: new URL('./static/console.js', import.meta.url), type: 'application/javascript; charset=utf-8' },
  'console.css': { file: new URL('./static/console.css', import.meta.url), type: 'text/css; charset=utf-8' },
};

const loginBody = z.object({
  key: z.string().max(200).optional(),
  next: z.string().max(500).optional(),
});

/** Only paths inside the console are followed after sign-in or a language switch (no open redirect). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/console(?:[/?][^\s\\]*)?$/.test(next) && !next.startsWith('//') ? next : '/console/review';
}

const loginUrl = (next: string) => `/console/login?next=${encodeURIComponent(next)}`;

declare module 'fastify' {
  interface FastifyRequest {
    consolePage?: PageContext;
  }
}

/** The managers' web console: server-rendered pages under /console over the same services as the API. */
export const consoleRoutes = (deps: ConsoleDeps): FastifyPluginAsync => async (app) => {
  const { db, config } = deps;
  await app.register(formbody, { bodyLimit: 8 * 1024 });
  // The sign-in and sign-out forms are the only bodies pages take; anything else gets a clear 415.
  app.removeContentTypeParser('text/plain');
  // Pages are not API: keep them out of the OpenAPI document.
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });

  const statics = new Map<string, Buffer>();
  for (const [name, { file }] of Object.entries(STATIC_FILES)) statics.set(name, await readFile(file));

  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', CONSOLE_CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) reply.header('cache-control', 'no-store');
  });

  const secureCookie = (request: FastifyRequest) =>
    config.CONSOLE_SECURE_COOKIE === 'true' || (config.CONSOLE_SECURE_COOKIE === 'auto' && request.protocol === 'https');

  /** Pages need a live session (else: to the sign-in page) whose key holds read or admin. */
  const requirePage = async (request: FastifyRequest, reply: FastifyReply) => {
    const sessionId = request.cookies[SESSION_COOKIE];
    const session = sessionId ? await findSession(db, sessionId) : undefined;
    if (!sessionId || !session) return reply.redirect(loginUrl(request.url), 302);
    let auth: AuthContext;
    try {
      // The session, not an Authorization header a page request might carry: the page's CSRF token
      // and the API calls made for it (with this cookie) must act as the same key.
      auth = await authenticateSession(db, request, sessionId);
    } catch (err) {
      if (err instanceof AppError && err.statusCode === 401) return reply.redirect(loginUrl(request.url), 302);
      throw err;
    }
    if (!auth.scopes.includes('read') && !auth.scopes.includes('admin')) throw new AppError(403, 'forbidden', 'this key lacks the read scope');
    request.auth = auth;
    request.consolePage = pageContext(request, { auth, csrfToken: session.csrfToken });
  };
  const page = (request: FastifyRequest) => request.consolePage!;

  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    const ctx = request.consolePage ?? pageContext(request);
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) request.log.error({ err }, 'console page failed');
    const key = status === 404 ? 'notFound' : status === 403 ? 'forbidden' : 'generic';
    // A 4xx message is ours (AppError, validation) and safe to show; a 5xx never shows internals.
    const detail = status < 500 ? err.message : '';
    return sendPage(reply, ctx, 'error', { status, key, detail }, status);
  });
  app.setNotFoundHandler((request, reply) => sendPage(reply, request.consolePage ?? pageContext(request), 'error', { status: 404, key: 'notFound', detail: '' }, 404));

  app.get('/', async (_request, reply) => reply.redirect('/console/review', 302));

  app.get('/static/:name', async (request, reply) => {
    const name = (request.params as { name: string }).name;
    const body = statics.get(name);
    if (!body) throw notFound('file');
    return reply.type(STATIC_FILES[name]!.type).header('cache-control', 'no-cache').send(body);
  });

  app.get('/lang', async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    if (isLang(q.to)) reply.setCookie(LANG_COOKIE, q.to, { path: '/', sameSite: 'strict', httpOnly: true, maxAge: 365 * 86400, secure: secureCookie(request) });
    return reply.redirect(safeNext(q.next), 302);
  });

  app.get('/login', async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    // Already signed in: straight on.
    const sessionId = request.cookies[SESSION_COOKIE];
    if (sessionId && (await findSession(db, sessionId))) return reply.redirect(safeNext(q.next), 302);
    return sendPage(reply, pageContext(request), 'login', { next: safeNext(q.next), error: null, signedOut: q.signedOut === '1' });
  });

  app.post('/login', async (request, reply) => {
    const ctx = pageContext(request);
    const parsed = loginBody.safeParse(request.body ?? {});
    const next = safeNext(parsed.success ? parsed.data.next : undefined);
    const fail = (status: number, error: 'login.error.missing' | 'login.error.invalid' | 'login.error.scope') =>
      sendPage(reply, ctx, 'login', { next, error, signedOut: false }, status);
    if (!parsed.success) return fail(400, 'login.error.invalid');
    const key = parsed.data.key?.trim();
    if (!key) return fail(400, 'login.error.missing');
    const auth = await contextOfKey(db, key);
    if (!auth) return fail(401, 'login.error.invalid');
    if (!auth.scopes.includes('read') && !auth.scopes.includes('admin')) return fail(403, 'login.error.scope');
    const session = await createSession(db, { tenantId: auth.tenantId, keyId: auth.keyId, ttlHours: config.CONSOLE_SESSION_HOURS });
    reply.setCookie(SESSION_COOKIE, session.id, {
      path: '/', httpOnly: true, sameSite: 'strict', secure: secureCookie(request), expires: session.expiresAt,
    });
    return reply.redirect(next, 303);
  });

  app.post('/logout', async (request, reply) => {
    const sessionId = request.cookies[SESSION_COOKIE];
    const session = sessionId ? await findSession(db, sessionId) : undefined;
    if (sessionId && session) {
      // A form cannot send headers, so the logout form carries the token as a field.
      const sent = (request.body as Record<string, unknown> | undefined)?._csrf;
      if (!csrfMatches(sent, session.csrfToken)) throw new AppError(403, 'csrf_token_invalid', 'missing or wrong CSRF token');
      await deleteSession(db, sessionId);
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/console/login?signedOut=1', 303);
  });

  app.get('/review', { onRequest: requirePage }, async (request, reply) => {
    const ctx = page(request);
    return sendPage(reply, ctx, 'review', { ...(await reviewPage(db, request.auth!, (request.query as Record<string, unknown>).page)), ruleLabel: ruleLabel(ctx.t), ...formatters(ctx.t) });
  });

  app.get('/reps/:id', { onRequest: requirePage }, async (request, reply) => {
    const ctx = page(request);
    const { id } = request.params as { id: string };
    if (id.length > 200) throw notFound('rep');
    const month = pickMonth((request.query as Record<string, unknown>).month);
    return sendPage(reply, ctx, 'rep', { ...(await repPage(app, request, db, request.auth!, id, month)), ...formatters(ctx.t) });
  });

  app.get('/team', { onRequest: requirePage }, async (request, reply) => {
    const ctx = page(request);
    if (request.auth!.repId) throw new AppError(403, 'forbidden', "a rep's key sees only that rep's own page");
    const q = request.query as Record<string, unknown>;
    const data = await teamPage(app, request, db, request.auth!, q.team, pickMonth(q.month));
    return sendPage(reply, ctx, 'team', { ...data, ...formatters(ctx.t) });
  });

  // Pushes: the list, and one row of it as an HTML fragment for the page's live list (the SSE
  // event says which push; the row is rendered here, by the same escaping template).
  app.get('/pushes', { onRequest: requirePage }, async (request, reply) => {
    const ctx = page(request);
    const data = await pushesPage(app, request, db, request.auth!, (request.query as Record<string, unknown>).repId);
    return sendPage(reply, ctx, 'pushes', { ...data, dwell: dwellLabel(ctx.t), shortTime });
  });

  app.get('/pushes/:id/row', { onRequest: requirePage }, async (request, reply) => {
    const ctx = page(request);
    const row = await pushRow(app, request, db, request.auth!, (request.params as { id: string }).id);
    return sendPage(reply, ctx, '_push', { row, dwell: dwellLabel(ctx.t), shortTime });
  });

  app.get('/maps', { onRequest: requirePage }, async (request, reply) => {
    const industry = (request.query as Record<string, unknown>).industry;
    return sendPage(reply, page(request), 'maps', { industry: typeof industry === 'string' ? industry.slice(0, 200) : '' });
  });

  app.get('/calls/:id', { onRequest: requirePage }, async (request, reply) => {
    const { id } = request.params as { id: string };
    return sendPage(reply, page(request), 'call', await callPage(deps, request.auth!, id, (request.query as Record<string, unknown>).t));
  });
};
