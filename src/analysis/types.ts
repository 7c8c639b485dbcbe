/** Shared shapes of the analysis feature (DESIGN.md, section "Analysis"). */

export type Role = 'rep' | 'customer' | 'unknown';

/** One transcript segment as the analysis reads it; times in seconds. */
export interface Segment {
  speaker: string;
  role: Role;
  start: number;
  end: number;
  text: string;
}

export interface Evidence {
  start: number;
  end: number;
  speaker: 'customer';
  /** A verbatim substring of the segment's text. */
  quote: string;
}

export interface Concern {
  code: string;
  label: string;
  confidence: number;
  mentions: number;
  evidence: Evidence[];
  suggestion: string;
}

export interface TalkMetrics {
  durationSec: number;
  talkRatio: { rep: number; customer: number };
  longestMonologueSec: { rep: number; customer: number };
  repQuestions: number;
  customerQuestions: number;
  interactivityPerMin: number;
  patienceSec: number;
}

export interface Analysis {
  engine: 'lexicon' | 'llm' | 'ensemble';
  concerns: Concern[];
  metrics: TalkMetrics;
  summary: string;
  nextSteps: string[];
}
