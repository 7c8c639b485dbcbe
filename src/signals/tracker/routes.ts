import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import { transformSync } from 'esbuild';
import type { FastifyPluginAsync } from 'fastify';

const SOURCE_URL = new URL('./tracker.js', import.meta.url);

interface Representation {
  body: Buffer;
  etag: string;
  encoding?: 'br' | 'gzip';
}

export interface TrackerScript {
  code: string;
  etag: string;
  /** Compressed once, as every page view of every customer site asks for the same bytes. */
  br: Representation;
  gzip: Representation;
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
    const tag = createHash('sha256').update(code).digest('base64url').slice(0, 22);
    cached = {
      code,
      etag: `"${tag}"`,
      // Each encoding is its own representation with its own strong ETag.
      br: { body: brotliCompressSync(code, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }), etag: `"${tag}-br"`, encoding: 'br' },
      gzip: { body: gzipSync(code, { level: 9 }), etag: `"${tag}-gz"`, encoding: 'gzip' },
    };
  }
  return cached;
}

/** `GET /t.js`: public, no key (the site key travels in the script tag and each beacon URL). */
export const trackerRoutes = (): FastifyPluginAsync => async (fastify) => {
  const script = trackerScript();
  const identity: Representation = { body: Buffer.from(script.code), etag: script.etag };
  fastify.get('/t.js', {
    schema: { tags: ['signals'], summary: 'The website tracker script (see README "Website tracker")' },
    handler: async (request, reply) => {
      const accepted = acceptedEncodings(request.headers['accept-encoding']);
      const chosen = accepted.has('br') ? script.br : accepted.has('gzip') ? script.gzip : identity;
      reply
        .header('content-type', 'text/javascript; charset=utf-8')
        // Short freshness so a new release reaches sites within minutes; the ETag makes rechecks cheap.
        .header('cache-control', 'public, max-age=300, stale-while-revalidate=86400')
        .header('etag', chosen.etag)
        .header('vary', 'Accept-Encoding')
        .header('x-content-type-options', 'nosniff')
        // Loadable from any site, also from pages that set Cross-Origin-Embedder-Policy.
        .header('cross-origin-resource-policy', 'cross-origin')
        .header('access-control-allow-origin', '*');
      if (matchesEtag(request.headers['if-none-match'], chosen.etag)) return reply.status(304).send();
      if (chosen.encoding) reply.header('content-encoding', chosen.encoding);
      return reply.send(chosen.body);
    },
  });
};

/** Codings the client takes (a `q=0` entry refuses one). */
function acceptedEncodings(header: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const part of (header ?? '').slice(0, 1000).split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) out.add(name);
  }
  return out;
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}
