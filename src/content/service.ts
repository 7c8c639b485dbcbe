import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { embeddings } from '../analysis/service.js';
import type { Config } from '../config.js';
import type { Db, Queryable } from '../platform/db.js';
import { AppError, notFound } from '../platform/errors.js';
import * as repo from './repo.js';

export interface ContentDeps {
  db: Db;
  config: Config;
  log: FastifyBaseLogger;
}

/** What a client gives for an item (the stored fields, without the vector). */
export type ContentInput = repo.ContentFields;

export interface ContentView {
  id: string;
  title: string;
  url: string;
  language: string;
  industries: string[];
  tags: string[];
  description: string;
  embedded: boolean;
  createdAt: string;
  updatedAt: string;
}

export const contentView = (r: repo.ContentRow): ContentView => ({
  id: r.id, title: r.title, url: r.url, language: r.language, industries: r.industries, tags: r.tags, description: r.description,
  embedded: r.model !== null, createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString(),
});

/** What an item is about, as one text for the embeddings model. */
const embeddingText = (f: { title: string; description: string; tags: string[] }) => [f.title, f.description, f.tags.join(' ')].filter(Boolean).join('\n');

/**
 * Embeds a text with the configured provider. A provider outage must not lose the item being
 * saved, so a failure stores it unembedded (best match then falls back to tags) and is logged.
 */
async function embedOne(deps: ContentDeps, text: string): Promise<repo.StoredVector> {
  try {
    const provider = await embeddings(deps.config);
    const [v] = await provider.embed([text]);
    // An all-zero vector has no direction (cosine distance NaN): stored as "not embedded".
    return v && v.some((x) => x !== 0) ? { model: provider.model, vector: v } : { model: null, vector: null };
  } catch (err) {
    deps.log.warn({ err: (err as Error).message }, 'content embedding failed; item stored without a vector');
    return { model: null, vector: null };
  }
}

export async function createItem(deps: ContentDeps, tenantId: string, input: ContentInput): Promise<ContentView> {
  const v = await embedOne(deps, embeddingText(input));
  const row = await repo.insertItem(deps.db, tenantId, randomUUID(), input, v);
  if (!row) {
    const existing = await repo.findByUrl(deps.db, tenantId, input.url);
    throw new AppError(409, 'duplicate_url', `a content item with this url already exists (id ${existing?.id ?? 'unknown'})`, { id: existing?.id });
  }
  return contentView(row);
}

export async function updateItem(deps: ContentDeps, tenantId: string, id: string, input: ContentInput): Promise<ContentView> {
  if (!(await repo.findItem(deps.db, tenantId, id))) throw notFound('content item');
  const v = await embedOne(deps, embeddingText(input));
  try {
    const row = await repo.updateItem(deps.db, tenantId, id, input, v);
    if (!row) throw notFound('content item');
    return contentView(row);
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw new AppError(409, 'duplicate_url', 'another content item already has this url');
    throw err;
  }
}

export async function getItem(db: Queryable, tenantId: string, id: string): Promise<ContentView> {
  const row = await repo.findItem(db, tenantId, id);
  if (!row) throw notFound('content item');
  return contentView(row);
}

export interface BestContent {
  item: ContentView;
  /** 0–1: 0.7 × cosine similarity of the embeddings + 0.3 × share of the page's tags the item carries. */
  score: number;
  similarity: number;
  tagOverlap: number;
}

const MIN_SCORE = 0.05;

/**
 * The library item that best suits a topic (a page's title and tags, a theme of inquiries): nearest
 * by embedding in pgvector, re-ranked with tag overlap, restricted to the language and industry
 * asked for. `excludeUrls` keeps the page being read from being recommended as its own follow-up.
 * Undefined when nothing in the library is related.
 */
export async function bestContentFor(
  deps: ContentDeps,
  tenantId: string,
  topic: { text: string; tags?: string[] },
  opts: { industry?: string; language?: string; excludeUrls?: string[] } = {},
): Promise<BestContent | undefined> {
  const tags = (topic.tags ?? []).map((t) => t.toLowerCase());
  const v = topic.text.trim() ? await embedOne(deps, topic.text) : { model: null, vector: null };
  const rows = await repo.candidates(deps.db, tenantId, { model: v.model, vector: v.vector, language: opts.language, industry: opts.industry, limit: 50 });
  const exclude = new Set(opts.excludeUrls ?? []);
  let best: BestContent | undefined;
  for (const r of rows) {
    if (exclude.has(r.url)) continue;
    const itemTags = new Set(r.tags.map((t) => t.toLowerCase()));
    const tagOverlap = tags.length ? tags.filter((t) => itemTags.has(t)).length / tags.length : 0;
    const similarity = Math.max(0, Number(r.similarity) || 0);
    const score = 0.7 * similarity + 0.3 * tagOverlap;
    if (score >= MIN_SCORE && (!best || score > best.score)) best = { item: contentView(r), score, similarity, tagOverlap };
  }
  return best;
}
