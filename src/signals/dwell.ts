import type { EventRow } from './repo.js';
import type { RuleDefinition } from './schemas.js';

/** What one page (URL) accumulated for a lead: reading time, views, downloads, and when a threshold was crossed. */
export interface PageActivity {
  url: string;
  title: string | null;
  tags: string[];
  dwellMs: number;
  count: number;
}

/**
 * Reading time an event adds to its page: the visible time the tracker measured (`dwellMs`), or
 * else the gap since the same browser's previous event on that page. A gap over the idle limit
 * (laptop closed, tab forgotten) is not reading and counts nothing.
 */
function contributions(events: EventRow[], idleLimitMs: number): number[] {
  const lastSeen = new Map<string, number>();
  return events.map((e) => {
    const key = `${e.visitorId}\n${e.url}`;
    const prev = lastSeen.get(key);
    lastSeen.set(key, e.ts);
    if (e.type !== 'heartbeat' && e.type !== 'leave') return 0;
    const ms = e.dwellMs ?? (prev === undefined ? 0 : e.ts - prev);
    return ms > idleLimitMs ? 0 : Math.max(0, ms);
  });
}

/** Title and tags of each URL, from any of its events (heartbeats may come without them). */
export function pageFacts(events: EventRow[]): Map<string, { title: string | null; tags: Set<string> }> {
  const facts = new Map<string, { title: string | null; tags: Set<string> }>();
  for (const e of events) {
    let f = facts.get(e.url);
    if (!f) facts.set(e.url, (f = { title: null, tags: new Set() }));
    if (e.title) f.title = e.title;
    for (const t of e.tags) f.tags.add(t);
  }
  return facts;
}

/** `*` matches anything; a pattern without a scheme is matched against the path and query. */
export function compileUrlPattern(pattern: string): (url: string) => boolean {
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  const full = /^https?:\/\//i.test(pattern);
  return (url) => {
    if (full) return re.test(url);
    try {
      const u = new URL(url);
      return re.test(u.pathname + u.search) || re.test(u.pathname);
    } catch {
      return false;
    }
  };
}

export interface Firing {
  /** Time of the event that crossed the threshold: the push's place in time, the same on every retry. */
  triggerTs: number;
  page: PageActivity;
}

/**
 * Walks the lead's events (sorted by time) from `sinceMs` and returns the first moment one
 * matching page met the rule: `minDwellSec` of reading, or `minCount` views / downloads.
 * Out-of-order arrivals do not matter: the events are taken in event time.
 */
export function firstFiring(rule: RuleDefinition, events: EventRow[], sinceMs: number, idleLimitMs: number): Firing | undefined {
  const facts = pageFacts(events);
  const byUrl = rule.pages.urlPattern ? compileUrlPattern(rule.pages.urlPattern) : undefined;
  const matches = new Map<string, boolean>();
  const pageMatches = (url: string) => {
    let m = matches.get(url);
    if (m === undefined) {
      const f = facts.get(url);
      const tagOk = rule.pages.tags.length === 0 || rule.pages.tags.some((t) => f?.tags.has(t));
      m = tagOk && (!byUrl || byUrl(url));
      matches.set(url, m);
    }
    return m;
  };
  const adds = contributions(events, idleLimitMs);
  const acc = new Map<string, PageActivity>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.ts < sinceMs || !pageMatches(e.url)) continue;
    let a = acc.get(e.url);
    if (!a) {
      const f = facts.get(e.url);
      acc.set(e.url, (a = { url: e.url, title: f?.title ?? null, tags: [...(f?.tags ?? [])], dwellMs: 0, count: 0 }));
    }
    a.dwellMs += adds[i]!;
    if (e.type === rule.event) a.count += 1;
    const met = rule.event === 'dwell' ? a.dwellMs >= rule.minDwellSec! * 1000 : e.type === rule.event && a.count >= rule.minCount;
    if (met) return { triggerTs: e.ts, page: completePage(rule, events, adds, i, a) };
  }
  return undefined;
}

/** The page's whole reading (or count) known so far, for the reason text: the threshold was only where it fired. */
function completePage(rule: RuleDefinition, events: EventRow[], adds: number[], from: number, a: PageActivity): PageActivity {
  const page = { ...a };
  for (let j = from + 1; j < events.length; j++) {
    const e = events[j]!;
    if (e.url !== page.url) continue;
    page.dwellMs += adds[j]!;
    if (e.type === rule.event) page.count += 1;
  }
  return page;
}

/** "3 min 40 s", "45 s", "1 h 2 min". */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return m ? `${h} h ${m} min` : `${h} h`;
  return sec ? `${m} min ${sec} s` : `${m} min`;
}

export function reasonText(rule: RuleDefinition, f: Firing): string {
  const what = f.page.title?.trim() || f.page.url;
  if (rule.event === 'dwell') return `read ${what} for ${formatDuration(f.page.dwellMs)}`;
  if (rule.event === 'download') return f.page.count > 1 ? `downloaded ${what} ${f.page.count} times` : `downloaded ${what}`;
  return f.page.count > 1 ? `viewed ${what} ${f.page.count} times` : `viewed ${what}`;
}

/** Reading time and views per page over the given events, most-read first (for the lead view). */
export function pageSummary(events: EventRow[], idleLimitMs: number): PageActivity[] {
  const facts = pageFacts(events);
  const adds = contributions(events, idleLimitMs);
  const acc = new Map<string, PageActivity>();
  events.forEach((e, i) => {
    let a = acc.get(e.url);
    if (!a) {
      const f = facts.get(e.url);
      acc.set(e.url, (a = { url: e.url, title: f?.title ?? null, tags: [...(f?.tags ?? [])], dwellMs: 0, count: 0 }));
    }
    a.dwellMs += adds[i]!;
    if (e.type === 'pageview') a.count += 1;
  });
  return [...acc.values()].sort((x, y) => y.dwellMs - x.dwellMs || y.count - x.count);
}
