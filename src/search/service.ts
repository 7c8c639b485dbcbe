import type { Db } from '../platform/db.js';
import type { EmbeddingsProvider } from '../providers/embeddings/index.js';
import * as analysisRepo from '../analysis/repo.js';
import { searchTerms } from './terms.js';
import * as recordings from '../recordings/service.js';

export interface CallHit {
  recordingId: string;
  score: number;
  segments: { idx: number; speaker: string; role: string; start: number; end: number; text: string; score: number }[];
}

// Reciprocal-rank fusion: ranks from the vector and the keyword lists are combined without
// having to calibrate cosine similarities against term-match counts.
const RRF_K = 60;
const CANDIDATES = 200;
const MIN_SIMILARITY = 0.05;

/**
 * Hybrid search over a tenant's transcripts: nearest segments by embedding, plus segments that
 * contain the query's terms (jieba words for Chinese, words for English), fused by rank and
 * grouped into calls.
 */
export async function searchCalls(db: Db, provider: EmbeddingsProvider, tenantId: string, query: string, limit: number): Promise<CallHit[]> {
  const terms = searchTerms(query);
  const [vector] = await provider.embed([query]);
  const [nearest, matching] = await Promise.all([
    vector && vector.some((x) => x !== 0) ? analysisRepo.nearestSegments(db, tenantId, provider.model, vector, CANDIDATES) : Promise.resolve([]),
    recordings.segmentsMatching(db, tenantId, terms, CANDIDATES * 5),
  ]);
  const scores = new Map<string, number>();
  const add = (key: string, rank: number) => scores.set(key, (scores.get(key) ?? 0) + 1 / (RRF_K + rank));
  nearest.filter((n) => n.similarity >= MIN_SIMILARITY).forEach((n, rank) => add(`${n.recording_id}/${n.idx}`, rank));
  // Keyword hits ranked by how many distinct terms they contain.
  const termHits = matching
    .map((s) => ({ key: `${s.recording_id}/${s.idx}`, n: terms.filter((t) => s.text.toLowerCase().includes(t.toLowerCase())).length }))
    .sort((a, b) => b.n - a.n);
  termHits.forEach((h, rank) => add(h.key, rank));

  const byCall = new Map<string, { key: string; score: number }[]>();
  for (const [key, score] of scores) {
    const recordingId = key.split('/')[0]!;
    byCall.set(recordingId, [...(byCall.get(recordingId) ?? []), { key, score }]);
  }
  const calls = [...byCall.entries()]
    .map(([recordingId, hits]) => {
      hits.sort((a, b) => b.score - a.score);
      // A call's score: its best segment, plus a little for each further match.
      const score = hits[0]!.score + 0.1 * hits.slice(1, 5).reduce((s, h) => s + h.score, 0);
      return { recordingId, score, hits: hits.slice(0, 3) };
    })
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
  const keys = calls.flatMap((c) => c.hits.map((h) => ({ recordingId: c.recordingId, idx: Number(h.key.split('/')[1]) })));
  const rows = new Map((await recordings.segmentsByKeys(db, tenantId, keys)).map((r) => [`${r.recording_id}/${r.idx}`, r]));
  return calls.map((c) => ({
    recordingId: c.recordingId,
    score: round(c.score),
    segments: c.hits.flatMap((h) => {
      const r = rows.get(h.key);
      return r ? [{ idx: r.idx, speaker: r.speaker, role: r.role, start: r.start_sec, end: r.end_sec, text: r.text, score: round(h.score) }] : [];
    }),
  }));
}

const round = (n: number) => Math.round(n * 10000) / 10000;
