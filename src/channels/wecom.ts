/**
 * WeCom (企业微信) group robots: `POST <webhook url>` with
 * `{"msgtype":"markdown","markdown":{"content":"…"}}`. The robot answers HTTP 200 either way and
 * says in the body whether it worked: `{"errcode":0,"errmsg":"ok"}`, or a non-zero errcode
 * (93000 bad key, 45009 rate limit: 20 messages a minute per robot, …).
 */

/** WeCom refuses markdown content over 4096 bytes (UTF-8). */
export const WECOM_MARKDOWN_MAX_BYTES = 4096;
const TRUNCATION_NOTE = '\n\n<font color="comment">…（内容过长，已截断 / message truncated）</font>';

export type WecomOutcome =
  | { ok: true; status: number }
  | { ok: false; status: number | undefined; error: string };

/** Cuts markdown to WeCom's byte limit at a character boundary and says that it did. */
export function fitMarkdown(content: string, maxBytes = WECOM_MARKDOWN_MAX_BYTES): string {
  if (Buffer.byteLength(content, 'utf8') <= maxBytes) return content;
  const budget = maxBytes - Buffer.byteLength(TRUNCATION_NOTE, 'utf8');
  let used = 0;
  let cut = '';
  for (const ch of content) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (used + size > budget) break;
    used += size;
    cut += ch;
  }
  return cut + TRUNCATION_NOTE;
}

export async function sendWecomMarkdown(webhookUrl: string, markdown: string, timeoutMs: number): Promise<WecomOutcome> {
  let res: Response;
  try {
    res = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'dealsense-wecom/1' },
      body: JSON.stringify({ msgtype: 'markdown', markdown: { content: fitMarkdown(markdown) } }),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const e = err as Error;
    return { ok: false, status: undefined, error: e.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : e.message };
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) return { ok: false, status: res.status, error: `HTTP ${res.status}` };
  let reply: { errcode?: unknown; errmsg?: unknown };
  try {
    reply = JSON.parse(text) as typeof reply;
  } catch {
    return { ok: false, status: res.status, error: `not a WeCom reply: ${text.slice(0, 100)}` };
  }
  if (reply?.errcode === 0) return { ok: true, status: res.status };
  return { ok: false, status: res.status, error: `errcode ${String(reply?.errcode)}: ${String(reply?.errmsg ?? '').slice(0, 200)}` };
}

/**
 * WeCom group-robot markdown. Text the customer controls (page titles, URLs the tracker saw) is
 * flattened to one line and its markup characters neutralised, so a crafted page title cannot
 * inject links, mentions, headings or <font> tags into the rep's group.
 */
export function escapeWecom(text: string, max = 200): string {
  const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return cut
    .replace(/</g, '＜')
    .replace(/>/g, '＞')
    .replace(/@/g, '＠')
    .replace(/[\\`*_{}[\]()#+!|~]/g, (c) => `\\${c}`);
}
