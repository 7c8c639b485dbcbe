import { escapeWecom } from '../channels/wecom.js';

export interface PushMessage {
  leadLabel: string;
  reason: string;
  ruleName: string;
  content: { title: string; url: string } | null;
  intentScore: number | null;
}

export function renderWecomMarkdown(m: PushMessage): string {
  const lines = [
    `**Lead signal** · ${escapeWecom(m.leadLabel, 100)}`,
    `> ${escapeWecom(m.reason, 300)}`,
  ];
  if (m.intentScore !== null) lines.push(`> Intent: <font color="warning">${m.intentScore.toFixed(0)}</font>/100`);
  // Library items are entered by the tenant's admins; the URL is still kept to plain http(s).
  if (m.content && /^https?:\/\/[^\s()<>]+$/i.test(m.content.url)) lines.push(`> Send next: [${escapeWecom(m.content.title, 120)}](${m.content.url})`);
  else if (m.content) lines.push(`> Send next: ${escapeWecom(m.content.title, 120)}`);
  lines.push(`<font color="comment">rule: ${escapeWecom(m.ruleName, 100)}</font>`);
  return lines.join('\n');
}
