/**
 * Rolling close rates per rep and per segment, smoothed toward the team.
 *
 * Window: outcomes closed in (now − windowDays, now] count; older ones and ones dated after
 * `now` do not. An outcome exactly windowDays old is out.
 *
 * Smoothing (Bayesian, a Beta prior worth `priorWeight` outcomes at the team rate):
 *
 *     rate = (won + priorWeight · teamRate) / (n + priorWeight)
 *
 * - overall: won / n are the rep's outcomes in the window; teamRate is the pooled team rate
 *   (all reps' won / all reps' n in the window — every outcome weighs the same, so a rep with
 *   many deals moves the team rate more than one with few).
 * - bySegment: the rep's outcomes in that segment, smoothed toward the pooled team rate *of that
 *   segment* (segments differ in difficulty; a rep with two solution deals should look like the
 *   team's solution rate, not like its overall rate). A segment appears in a rep's map only when
 *   the rep has outcomes in it; scoring falls back to `overall` otherwise.
 * - A rep with no outcomes in the window (listed in `opts.repIds`) gets the team rate and n = 0.
 * - No outcomes at all in the window: the team rate is 0, so everyone is equal (0) and no
 *   close-rate threshold is met.
 * - priorWeight 0 gives raw rates (a rep with n = 0 still gets the team rate).
 *
 * Example (prior 5): team 6 won of 10 (0.6); a rep with 3 won of 3 → (3 + 5·0.6)/(3 + 5) = 0.75,
 * not 1.0; a rep with 0 of 1 → (0 + 3)/6 = 0.5.
 */

export interface Outcome {
  repId: string;
  /** Whatever segment key the CRM records (e.g. the industry's top level, or a deal type such as "solution"). */
  segment: string;
  result: 'won' | 'lost';
  closedAt: Date;
}

export interface RepCloseRate {
  overall: number;
  bySegment: Map<string, number>;
  /** Outcomes of this rep in the window. */
  n: number;
  /** Won outcomes of this rep in the window. */
  won: number;
}

export interface CloseRateOptions {
  windowDays: number;
  priorWeight: number;
  /** Reps that must appear in the result even without outcomes in the window (they get the team rate). */
  repIds?: Iterable<string>;
}

const DAY_MS = 86_400_000;

interface Tally {
  won: number;
  n: number;
}

export function closeRates(outcomes: readonly Outcome[], now: Date, opts: CloseRateOptions): Map<string, RepCloseRate> {
  const { windowDays, priorWeight } = opts;
  if (!(windowDays > 0)) throw new RangeError('windowDays must be > 0');
  if (!(priorWeight >= 0) || !Number.isFinite(priorWeight)) throw new RangeError('priorWeight must be a finite number ≥ 0');
  const end = now.getTime();
  if (Number.isNaN(end)) throw new RangeError('now is an invalid date');
  const start = end - windowDays * DAY_MS;

  // Count per (rep, segment) inside the window, then smooth: the same path the database-counted tallies take.
  const tallies = new Map<string, RepSegmentTally>();
  for (const o of outcomes) {
    const t = o.closedAt.getTime();
    if (!(t > start && t <= end)) continue; // also drops invalid dates (NaN)
    const key = `${o.repId}\u0000${o.segment}`;
    const tally = tallies.get(key) ?? tallies.set(key, { repId: o.repId, segment: o.segment, won: 0, n: 0 }).get(key)!;
    tally.won += o.result === 'won' ? 1 : 0;
    tally.n += 1;
  }
  return closeRatesFromTallies([...tallies.values()], { priorWeight, repIds: opts.repIds });
}

function smooth(t: Tally, prior: number, toward: number): number {
  const denom = t.n + prior;
  return denom > 0 ? (t.won + prior * toward) / denom : toward;
}

/** One row per (rep, segment): the outcomes of the window, already counted (e.g. by SQL GROUP BY). */
export interface RepSegmentTally {
  repId: string;
  segment: string;
  won: number;
  n: number;
}

/** Close rates over pre-counted outcomes (the window is applied by whoever counted them, e.g. SQL GROUP BY). */
export function closeRatesFromTallies(tallies: readonly RepSegmentTally[], opts: Omit<CloseRateOptions, 'windowDays'>): Map<string, RepCloseRate> {
  const { priorWeight } = opts;
  const team: Tally = { won: 0, n: 0 };
  const teamBySegment = new Map<string, Tally>();
  const reps = new Map<string, { total: Tally; bySegment: Map<string, Tally> }>();
  for (const t of tallies) {
    team.won += t.won;
    team.n += t.n;
    const seg = teamBySegment.get(t.segment) ?? teamBySegment.set(t.segment, { won: 0, n: 0 }).get(t.segment)!;
    seg.won += t.won;
    seg.n += t.n;
    let rep = reps.get(t.repId);
    if (!rep) reps.set(t.repId, (rep = { total: { won: 0, n: 0 }, bySegment: new Map() }));
    rep.total.won += t.won;
    rep.total.n += t.n;
    rep.bySegment.set(t.segment, { won: t.won, n: t.n });
  }
  const teamRate = team.n > 0 ? team.won / team.n : 0;
  const out = new Map<string, RepCloseRate>();
  for (const [repId, rep] of reps) {
    const bySegment = new Map<string, number>();
    for (const [segment, tally] of rep.bySegment) {
      const seg = teamBySegment.get(segment);
      bySegment.set(segment, smooth(tally, priorWeight, seg && seg.n > 0 ? seg.won / seg.n : teamRate));
    }
    out.set(repId, { overall: smooth(rep.total, priorWeight, teamRate), bySegment, n: rep.total.n, won: rep.total.won });
  }
  for (const repId of opts.repIds ?? []) if (!out.has(repId)) out.set(repId, { overall: teamRate, bySegment: new Map(), n: 0, won: 0 });
  return out;
}
