/**
 * Talk metrics of one call (DESIGN.md, "Analysis" → metrics). Pure; O(n) after one sort
 * (skipped when the segments already come in start order, as transcripts do).
 *
 * Rules:
 * - durationSec: latest end − earliest start over all segments, 'unknown' included; 0 when empty.
 * - talkRatio: each role's speaking time (union of its own segments, so a role's overlapping
 *   segments count once) over rep + customer speaking time. Both roles talking at once counts
 *   for both. rep + customer = 1 after rounding, or both 0 when neither spoke.
 * - Turns: rep/customer segments in start order are folded into turns. A segment continues the
 *   current turn when it has the same role and starts less than 2 s after the turn's end
 *   (MERGE_GAP_SEC); a pause of 2 s or more starts a new turn of the same role. A segment of
 *   the other role lying entirely inside the current turn (a backchannel such as "嗯", "right"
 *   spoken over the speaker) neither ends the turn nor counts as a switch; it still counts as
 *   speaking time and for questions. 'unknown' segments are ignored here (they don't split a
 *   turn either).
 * - longestMonologueSec: the longest turn of each role, from its first start to its last end
 *   (pauses under 2 s inside it included).
 * - interactivityPerMin: role changes between consecutive turns per minute of durationSec.
 * - patienceSec: mean of max(0, rep turn start − end of the customer turn just before it) over
 *   customer→rep turn changes only; overlap counts 0; 0 when there is no such change.
 * - repQuestions / customerQuestions: countQuestions over each of that role's segments (the
 *   same as over the role's text joined with line breaks).
 * - Segments with a non-finite start or end are left out of every time-based figure (their
 *   text still counts for questions); an end before its start is taken as the start, and a
 *   zero-length segment counts toward duration only (no speaking time, no turn).
 * - Rounding: seconds to 0.01 s, ratios to 0.001, interactivity to 0.01 per minute.
 */
import { countQuestions } from './questions.js';
import type { Segment, TalkMetrics } from './types.js';

/** Same-role segments closer than this are one turn (a breath, an ASR split). */
export const MERGE_GAP_SEC = 2;

const round = (x: number, places: number): number => {
  const f = 10 ** places;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r; // no -0
};

export function talkMetrics(segments: readonly Segment[]): TalkMetrics {
  let repQuestions = 0;
  let customerQuestions = 0;

  // Valid-timed segments, in input order; check whether they are already sorted.
  const timed: Segment[] = [];
  let sorted = true;
  let prevStart = -Infinity;
  let prevEnd = -Infinity;
  for (const s of segments) {
    if (s.role === 'rep') repQuestions += countQuestions(s.text);
    else if (s.role === 'customer') customerQuestions += countQuestions(s.text);
    if (!Number.isFinite(s.start) || !Number.isFinite(s.end)) continue;
    const end = s.end < s.start ? s.start : s.end;
    if (s.start < prevStart || (s.start === prevStart && end < prevEnd)) sorted = false;
    prevStart = s.start;
    prevEnd = end;
    timed.push(s);
  }
  if (!sorted) {
    timed.sort((a, b) => a.start - b.start || Math.max(a.start, a.end) - Math.max(b.start, b.end));
  }

  let minStart = Infinity;
  let maxEnd = -Infinity;

  // Per-role union of speaking intervals: [open start, open end, accumulated].
  let repOpenS = 0, repOpenE = -Infinity, repTalk = 0;
  let cusOpenS = 0, cusOpenE = -Infinity, cusTalk = 0;

  // Current turn.
  let turnRole: 'rep' | 'customer' | null = null;
  let turnS = 0;
  let turnE = 0;
  let longestRep = 0;
  let longestCus = 0;
  let switches = 0;
  let patienceSum = 0;
  let patienceN = 0;

  for (const s of timed) {
    const start = s.start;
    const end = s.end < start ? start : s.end;
    if (start < minStart) minStart = start;
    if (end > maxEnd) maxEnd = end;
    const role = s.role;
    if ((role !== 'rep' && role !== 'customer') || end <= start) continue;

    // Speaking time (segments arrive in start order, so one open interval per role suffices).
    if (role === 'rep') {
      if (start > repOpenE) {
        if (repOpenE > repOpenS) repTalk += repOpenE - repOpenS;
        repOpenS = start;
        repOpenE = end;
      } else if (end > repOpenE) repOpenE = end;
    } else {
      if (start > cusOpenE) {
        if (cusOpenE > cusOpenS) cusTalk += cusOpenE - cusOpenS;
        cusOpenS = start;
        cusOpenE = end;
      } else if (end > cusOpenE) cusOpenE = end;
    }

    // Turns.
    if (turnRole === null) {
      turnRole = role;
      turnS = start;
      turnE = end;
      continue;
    }
    if (role === turnRole) {
      if (start - turnE < MERGE_GAP_SEC) {
        if (end > turnE) turnE = end;
        continue;
      }
    } else if (end <= turnE) {
      continue; // backchannel inside the current turn
    }
    // Close the current turn, open a new one.
    const len = turnE - turnS;
    if (turnRole === 'rep') {
      if (len > longestRep) longestRep = len;
    } else if (len > longestCus) longestCus = len;
    if (role !== turnRole) {
      switches++;
      if (turnRole === 'customer') {
        patienceSum += start > turnE ? start - turnE : 0;
        patienceN++;
      }
    }
    turnRole = role;
    turnS = start;
    turnE = end;
  }
  if (turnRole !== null) {
    const len = turnE - turnS;
    if (turnRole === 'rep') {
      if (len > longestRep) longestRep = len;
    } else if (len > longestCus) longestCus = len;
  }
  if (repOpenE > repOpenS) repTalk += repOpenE - repOpenS;
  if (cusOpenE > cusOpenS) cusTalk += cusOpenE - cusOpenS;

  const duration = maxEnd > minStart ? maxEnd - minStart : 0;
  const talk = repTalk + cusTalk;
  const repRatio = talk > 0 ? round(repTalk / talk, 3) : 0;
  const cusRatio = talk > 0 ? round(1 - repRatio, 3) : 0;

  return {
    durationSec: round(duration, 2),
    talkRatio: { rep: repRatio, customer: cusRatio },
    longestMonologueSec: { rep: round(longestRep, 2), customer: round(longestCus, 2) },
    repQuestions,
    customerQuestions,
    interactivityPerMin: duration > 0 ? round(switches / (duration / 60), 2) : 0,
    patienceSec: patienceN > 0 ? round(patienceSum / patienceN, 2) : 0,
  };
}
