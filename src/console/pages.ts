import type { FastifyInstance, FastifyRequest } from 'fastify';
import { analysedCalls, getAnalysis } from '../analysis/service.js';
import { coachingReps } from '../assignment/service.js';
import type { StageRate } from '../coaching/funnel.js';
import type { RepHealth } from '../coaching/health.js';
import { listSuggestions } from '../coaching/suggestions.js';
import type { Db } from '../platform/db.js';
import type { MessageKey, Translate } from './i18n/index.js';
import type { AuthContext } from '../platform/auth.js';
import { AppError, notFound } from '../platform/errors.js';
import { getRecording, type RecordingDeps } from '../recordings/service.js';
import { highlightTranscript } from './highlight.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the call page shows: the recording, whether it has audio, the analysis, the marked-up transcript. */
export async function callPage(deps: RecordingDeps, auth: AuthContext, id: string, seekTo?: unknown) {
  if (!UUID.test(id)) throw notFound('recording');
  const recording = await getRecording(deps, auth.tenantId, id);
  // A rep-bound key sees its own calls only; anything else is "not there", as for another tenant.
  if (auth.repId && recording.repId !== auth.repId) throw notFound('recording');
  let analysis = null;
  try {
    analysis = (await getAnalysis(deps.db, auth.tenantId, id)).analysis;
  } catch (err) {
    if (!(err instanceof AppError && err.statusCode === 409)) throw err;
  }
  const audio =
    recording.source === 'import'
      ? 'none'
      : recording.status === 'transcribed' || recording.status === 'analyzed' || (recording.status === 'processing' && recording.stage === 'transcribe')
        ? 'ready'
        : 'pending';
  const segments = highlightTranscript(recording.transcript?.segments ?? [], analysis?.concerns ?? []);
  // `?t=61.2` (links from the review queue) opens the player at that moment.
  const t = typeof seekTo === 'string' && /^\d{1,6}(\.\d{1,6})?$/.test(seekTo) ? Number(seekTo) : null;
  const initialSeek = t !== null && t <= (recording.durationSec ?? 0) ? t : null;
  return { recording, analysis, audio, segments, initialSeek };
}

export const REVIEW_PAGE_SIZE = 50;

/** The review queue: a manager sees pending suggestions; a rep-bound key sees what its manager accepted (read-only). */
export async function reviewPage(db: Db, auth: AuthContext, pageQuery: unknown) {
  const readOnly = !!auth.repId;
  const requested = typeof pageQuery === 'string' && /^\d{1,5}$/.test(pageQuery) ? Number(pageQuery) : 1;
  const page = Math.max(1, requested);
  const list = await listSuggestions(db, auth.tenantId, auth, {
    ...(readOnly ? {} : { status: 'pending' as const }), limit: REVIEW_PAGE_SIZE, offset: (page - 1) * REVIEW_PAGE_SIZE,
  });
  const reps = await coachingReps(db, auth.tenantId, { repIds: [...new Set(list.items.map((s) => s.repId))] });
  const repNames = Object.fromEntries(reps.map((r) => [r.id, r.name]));
  const pages = Math.max(1, Math.ceil(list.total / REVIEW_PAGE_SIZE));
  return { readOnly, total: list.total, items: list.items, repNames, page, pages };
}

const RULE_KEYS: Record<string, MessageKey> = {
  long_monologue: 'rule.long_monologue',
  few_questions: 'rule.few_questions',
  talk_ratio: 'rule.talk_ratio',
  unanswered_concern: 'rule.unanswered_concern',
};

/** A suggestion's kind in the UI language (a rule this console does not know yet shows its code). */
export const ruleLabel = (t: Translate) => (s: { kind: string; rule: string }) =>
  s.kind === 'intervention' ? t('rule.intervention') : RULE_KEYS[s.rule] ? t(RULE_KEYS[s.rule]!) : s.rule;

/**
 * Coaching figures come from the coaching API itself, called in-process with the visitor's own
 * session cookie: the page shows exactly what the API answers, under the same rules (a rep-bound
 * session gets only its own rep, other reps answer 403/404 as they would over HTTP).
 */
export async function apiGet<T>(app: FastifyInstance, request: FastifyRequest, url: string): Promise<T> {
  const res = await app.inject({ method: 'GET', url, headers: { cookie: request.headers.cookie ?? '' } });
  const body = res.json() as T & { error?: { code: string; message: string } };
  if (res.statusCode !== 200) throw new AppError(res.statusCode, body.error?.code ?? 'error', body.error?.message ?? `HTTP ${res.statusCode}`);
  return body;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const shiftMonth = (m: string, n: number) => {
  const d = new Date(`${m}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + n);
  return d.toISOString().slice(0, 7);
};
export const pickMonth = (q: unknown) => (typeof q === 'string' && MONTH.test(q) ? q : new Date().toISOString().slice(0, 7));

interface HealthAnswer {
  month: string;
  threshold: number;
  teamScore: number | null;
  reps: RepHealth[];
}
interface FunnelRep {
  repId: string;
  name: string;
  team: string | null;
  stages: StageRate[];
  weakestStage: { stage: string; gap: number } | null;
}
interface FunnelAnswer {
  from: string;
  to: string;
  stages: string[];
  reps: FunnelRep[];
}
interface Drilldown {
  total: number;
  leads: { leadId: string; converted: boolean; assignedAt: string | null; calls: { recordingId: string }[] }[];
}

/** A rep's month: the five health metrics, the funnel of the quarter ending that month against the team mean, the weakest stage's customers. */
export async function repPage(app: FastifyInstance, request: FastifyRequest, db: Db, auth: AuthContext, repId: string, month: string) {
  const rep = encodeURIComponent(repId);
  const from = shiftMonth(month, -2);
  const [health, funnel] = await Promise.all([
    apiGet<HealthAnswer>(app, request, `/v1/coaching/health?repId=${rep}&month=${month}&rows=0`),
    apiGet<FunnelAnswer>(app, request, `/v1/coaching/funnel?repId=${rep}&from=${from}&to=${month}`),
  ]);
  const h = health.reps[0];
  if (!h) throw notFound('rep');
  const f = funnel.reps.find((r) => r.repId === repId) ?? null;
  const drilldown = f?.weakestStage
    ? await apiGet<Drilldown>(app, request, `/v1/coaching/funnel/drilldown?repId=${rep}&stage=${f.weakestStage.stage}&from=${from}&to=${month}&limit=20`)
    : null;
  // The API calls above have already checked this session may see the rep.
  const calls = await analysedCalls(db, auth.tenantId, { repIds: [repId], limit: 20 });
  return { rep: h, threshold: health.threshold, month, from, funnel: f, stages: funnel.stages, drilldown, calls };
}

/** The team overview: every rep of one team with health and weakest funnel stage. */
export async function teamPage(app: FastifyInstance, request: FastifyRequest, db: Db, auth: AuthContext, teamQuery: unknown, month: string) {
  const teams = [...new Set((await coachingReps(db, auth.tenantId)).map((r) => r.team).filter((t): t is string => !!t))].sort();
  const team = typeof teamQuery === 'string' && teams.includes(teamQuery) ? teamQuery : teams[0];
  if (!team) return { teams, team: null, month, rows: [], teamScore: null, threshold: null };
  const t = encodeURIComponent(team);
  const [health, funnel] = await Promise.all([
    apiGet<HealthAnswer>(app, request, `/v1/coaching/health?team=${t}&month=${month}&rows=0`),
    apiGet<FunnelAnswer>(app, request, `/v1/coaching/funnel?team=${t}&from=${shiftMonth(month, -2)}&to=${month}`),
  ]);
  const rows = health.reps.map((h) => ({ health: h, funnel: funnel.reps.find((r) => r.repId === h.repId) ?? null }));
  return { teams, team, month, rows, teamScore: health.teamScore, threshold: health.threshold };
}
