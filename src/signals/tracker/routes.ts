import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import type { FastifyPluginAsync } from 'fastify';

const SOURCE_URL = new URL('./tracker.js', import.meta.url);

export interface TrackerScript {
  code: string;
  etag: string;
}

let cached: TrackerScript | undefined;

/**
 * The tracker as served: the readable ES5 source in this folder, minified once per process.
 * Targeting ES5 also checks it: esbuild refuses any later syntax, so a slip fails at start-up,
 * not in an old browser.
 */
export function trackerScript(): TrackerScript {
  if (!cached) {
    const source = readFileSync(SOURCE_URL, 'utf8');
    const { code } = transformSync(source, { loader: 'js', target: 'es5', minify: true, legalComments: 'none' });
    cached = { code, etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 22)}"` };
  }
  return cached;
}

/** `GET /t.js`: public, no key (the site key travels in the script tag and each beacon URL). */
export const trackerRoutes = (): FastifyPluginAsync => async (fastify) => {
  const script = trackerScript();
  fastify.get('/t.js', {
    schema: { tags: ['signals'], summary: 'The website tracker script (see README "Website tracker")' },
    handler: async (request, reply) => {
      reply
        .header('content-type', 'text/javascript; charset=utf-8')
        // Short freshness so a new release reaches sites within minutes; the ETag makes rechecks cheap.
        .header('cache-control', 'public, max-age=300, stale-while-revalidate=86400')
        .header('etag', script.etag)
        .header('x-content-type-options', 'nosniff')
        // Loadable from any site, also from pages that set Cross-Origin-Embedder-Policy.
        .header('cross-origin-resource-policy', 'cross-origin')
        .header('access-control-allow-origin', '*');
      if (matchesEtag(request.headers['if-none-match'], script.etag)) return reply.status(304).send();
      return reply.send(script.code);
    },
  });
};

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}
