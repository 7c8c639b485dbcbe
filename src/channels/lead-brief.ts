import { formatDuration } from '../signals/dwell.js';
import { escapeWecom } from './wecom.js';

export interface LeadBrief {
  lead: {
    id: string;
    company?: string;
    contactName?: string;
    source: string;
    industry: string;
    budgetBand?: string;
    region?: string;
    intentScore?: number;
    concerns?: string[];
  };
  repName: string;
  reasons: string[];
  /** Pages the lead read lately (most-read first). */
  reading?: { url: string; title: string | null; readSec: number }[];
  opener: string;
}

/**
 * The lead-assignment brief as a WeCom group-robot message. Everything about the lead came from a
 * CRM or a web form, so every value is escaped: it cannot add links, mentions or markup.
 */
export function leadBriefMarkdown(b: LeadBrief): string {
  const who = [b.lead.company, b.lead.contactName].filter(Boolean).join(' ') || b.lead.id;
  const facts = [
    `行业 ${escapeWecom(b.lead.industry, 100)}`,
    `来源 ${escapeWecom(b.lead.source, 64)}`,
    b.lead.region ? `地区 ${escapeWecom(b.lead.region, 64)}` : undefined,
    b.lead.budgetBand ? `预算 ${escapeWecom(b.lead.budgetBand, 64)}` : undefined,
    b.lead.intentScore !== undefined ? `意向 <font color="warning">${Math.round(b.lead.intentScore)}</font>` : undefined,
  ].filter(Boolean);
  const lines = [`**新线索 / New lead** · ${escapeWecom(who, 100)} → ${escapeWecom(b.repName, 64)}`, `> ${facts.join(' · ')}`];
  if (b.lead.concerns?.length) lines.push(`> 关注点 Concerns: ${b.lead.concerns.map((c) => escapeWecom(c, 40)).join(', ')}`);
  for (const reason of b.reasons.slice(0, 5)) lines.push(`> - ${escapeWecom(reason, 200)}`);
  for (const p of (b.reading ?? []).slice(0, 3)) {
    lines.push(`> 最近阅读 Read: ${escapeWecom(p.title ?? p.url, 120)}${p.readSec > 0 ? ` (${formatDuration(p.readSec * 1000)})` : ''}`);
  }
  lines.push(`> 开场白 Opener: ${escapeWecom(b.opener, 300)}`);
  lines.push(`<font color="comment">lead ${escapeWecom(b.lead.id, 100)}</font>`);
  return lines.join('\n');
}
