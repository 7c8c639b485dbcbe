import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthContext } from '../platform/auth.js';
import { clock } from './highlight.js';
import { LANG_COOKIE, pickLang, translator, type Lang, type Translate } from './i18n/index.js';

const VIEWS = fileURLToPath(new URL('./views', import.meta.url));

// autoEscape is Eta's default; stated here because every customer string depends on it:
// `<%= %>` escapes &, <, >, " and ', and only `<%~ %>` (used for the layout body and safeJson) does not.
const eta = new Eta({ views: VIEWS, autoEscape: true, cache: true, autoTrim: false });

/** JSON for a `<script type="application/json">` data block: nothing in it can close the element. */
export const safeJson = (v: unknown) =>
  JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

/**
 * Scripts only from this origin (no inline script, no eval), no plugins, no framing, forms and
 * fetches only to this origin. Data for the scripts travels in JSON data blocks, which CSP does not run.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export interface PageContext {
  lang: Lang;
  t: Translate;
  /** The path shown, for the language switch to come back to. */
  path: string;
  auth?: AuthContext;
  csrfToken?: string;
}

export function pageContext(request: FastifyRequest, extra: Pick<PageContext, 'auth' | 'csrfToken'> = {}): PageContext {
  const lang = pickLang(request.cookies?.[LANG_COOKIE], request.headers['accept-language']);
  return { lang, t: translator(lang), path: request.url, ...extra };
}

/** Renders `view` inside the layout, with the page context and the helpers every template uses. */
export function sendPage(reply: FastifyReply, ctx: PageContext, view: string, data: Record<string, unknown>, status = 200) {
  const html = eta.render(view, { ...ctx, ...data, clock, safeJson, pct, fixed });
  return reply.status(status).type('text/html; charset=utf-8').send(html);
}

const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? null : `${Math.round(v * 1000) / 10} %`);
const fixed = (v: number | null | undefined, digits = 1) => (v === null || v === undefined || !Number.isFinite(v) ? null : v.toFixed(digits));
