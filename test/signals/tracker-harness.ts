import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { trackerRoutes } from '../../src/signals/tracker/routes.js';

export interface TrackedEvent {
  id: string;
  visitorId: string;
  leadId?: string;
  token?: string;
  type: 'pageview' | 'heartbeat' | 'leave' | 'download' | 'identify';
  url: string;
  title?: string;
  tags?: string[];
  ts: number;
  dwellMs?: number;
}

export interface Beacon {
  siteKey: string | undefined;
  origin: string | undefined;
  contentType: string | undefined;
  events: TrackedEvent[];
}

/**
 * A real HTTP server standing in for the service: it serves the real `GET /t.js` and records
 * every beacon the browser sends, so the tracker can be tested without the ingest pipeline.
 */
export async function startCollector() {
  const beacons: Beacon[] = [];
  const app = Fastify({ logger: false });
  await app.register(trackerRoutes());
  app.post('/v1/signals/beacon', async (request, reply) => {
    beacons.push({
      siteKey: (request.query as { k?: string }).k,
      origin: request.headers.origin,
      contentType: request.headers['content-type'],
      events: (JSON.parse(request.body as string) as { events: TrackedEvent[] }).events,
    });
    if (request.headers.origin) reply.header('access-control-allow-origin', request.headers.origin);
    return reply.status(202).send();
  });
  const origin = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    origin,
    beacons,
    /** Every event received, in arrival order. */
    events: () => beacons.flatMap((b) => b.events),
    close: () => app.close(),
  };
}

export interface PageOptions {
  /** Origin serving t.js (and so receiving the beacons). */
  scriptOrigin: string;
  siteKey?: string;
  /** Extra attributes for the script tag, e.g. `{ 'data-consent': 'required' }`. */
  attrs?: Record<string, string>;
  title?: string;
  head?: string;
  body?: string;
  bodyAttrs?: string;
  /** Script run before t.js (e.g. a queued `dealsense.push`). */
  before?: string;
}

export function pageHtml(o: PageOptions): string {
  const attrs = Object.entries({ 'data-site-key': o.siteKey ?? 'sk_test', ...o.attrs })
    .map(([k, v]) => ` ${k}="${v}"`)
    .join('');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${o.title ?? 'Test page'}</title>${o.head ?? ''}
${o.before ? `<script>${o.before}</script>` : ''}
<script src="${o.scriptOrigin}/t.js"${attrs} async></script>
</head><body${o.bodyAttrs ? ` ${o.bodyAttrs}` : ''}>${o.body ?? '<p>hello</p>'}</body></html>`;
}

/**
 * The customer's website: a plain HTTP server on another origin (localhost, not 127.0.0.1, and
 * another port), so beacons are real cross-origin requests. Each test starts its own, so every
 * test sees a fresh localStorage.
 */
export async function startSite() {
  const pages = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const html = pages.get(path);
    if (!html) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (path: string) => `${origin}${path}`,
    page(path: string, html: string) {
      pages.set(path, html);
      return `${origin}${path}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The browser keeps connections alive; they would hold close() open.
        server.closeAllConnections();
      }),
  };
}
