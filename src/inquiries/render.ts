import type { DecisionMap } from './service.js';

const pct = (n: number | null) => (n === null ? 'new' : `${n >= 0 ? '+' : ''}${Math.round(n * 100)} %`);

/** Markdown for people (and for pasting into WeCom docs); customer text is quoted, never interpreted. */
export function toMarkdown(m: DecisionMap): string {
  const md = (s: string) => s.replace(/([\\`*_[\]<>#|])/g, '\\$1').replace(/\s+/g, ' ');
  const lines = [`# ${md(m.industry)} — decision map`, '', `${m.inquiries} inquiries in the last ${m.days} days · generated ${m.generatedAt}`, ''];
  for (const t of m.themes) {
    lines.push(`## ${md(t.label)} (${t.size} inquiries, ${pct(t.growth)})`, '', `Key terms: ${t.terms.map(md).join(', ')}`, '');
    if (t.concerns.length) lines.push('Concerns behind it:', ...t.concerns.map((c) => `- ${md(c.label)} \`${c.code}\` — ${c.inquiries} inquiries`), '');
    if (t.questions.length) lines.push('What customers ask:', ...t.questions.map((q) => `> ${md(q)}`), '');
    if (t.talkingPoints.length) lines.push('Prepare:', ...t.talkingPoints.map((p) => `- ${md(p)}`), '');
    if (t.content.length) lines.push('Content to send:', ...t.content.map((c) => `- [${md(c.title)}](${encodeURI(c.url)})`), '');
  }
  return lines.join('\n');
}

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON safe inside a <script> element: `<` can never close it. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

/** The graph: industry → themes → concerns, questions and content to send, as ECharts nodes and links. */
export function graphData(m: DecisionMap) {
  const nodes: { id: string; name: string; category: number; symbolSize: number }[] = [{ id: 'root', name: m.industry, category: 0, symbolSize: 48 }];
  const links: { source: string; target: string }[] = [];
  m.themes.forEach((t, i) => {
    const tid = `t${i}`;
    nodes.push({ id: tid, name: t.label, category: 1, symbolSize: 18 + Math.min(30, t.size) });
    links.push({ source: 'root', target: tid });
    for (const c of t.concerns) {
      const cid = `c-${c.code}`;
      if (!nodes.some((n) => n.id === cid)) nodes.push({ id: cid, name: c.label, category: 2, symbolSize: 16 });
      links.push({ source: tid, target: cid });
    }
    t.questions.slice(0, 3).forEach((q, j) => {
      const qid = `${tid}-q${j}`;
      nodes.push({ id: qid, name: q.length > 40 ? `${q.slice(0, 40)}…` : q, category: 3, symbolSize: 8 });
      links.push({ source: tid, target: qid });
    });
    t.content.forEach((c, j) => {
      const kid = `${tid}-k${j}`;
      nodes.push({ id: kid, name: c.title.length > 40 ? `${c.title.slice(0, 40)}…` : c.title, category: 4, symbolSize: 12 });
      links.push({ source: tid, target: kid });
    });
  });
  return { nodes, links, categories: [{ name: 'industry' }, { name: 'theme' }, { name: 'concern' }, { name: 'question' }, { name: 'content' }] };
}

/** A standalone page: the ECharts graph plus the map as escaped HTML. ECharts is served by this service (offline). */
export function toHtml(m: DecisionMap): string {
  const sections = m.themes
    .map(
      (t) => `<section><h2>${escapeHtml(t.label)} <small>${t.size} inquiries, ${escapeHtml(pct(t.growth))}</small></h2>
<p>Key terms: ${t.terms.map(escapeHtml).join(', ')}</p>
${t.concerns.length ? `<h3>Concerns</h3><ul>${t.concerns.map((c) => `<li>${escapeHtml(c.label)} <code>${escapeHtml(c.code)}</code> — ${c.inquiries}</li>`).join('')}</ul>` : ''}
${t.questions.length ? `<h3>What customers ask</h3><ul>${t.questions.map((q) => `<li>${escapeHtml(q)}</li>`).join('')}</ul>` : ''}
${t.talkingPoints.length ? `<h3>Prepare</h3><ul>${t.talkingPoints.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>` : ''}
${t.content.length ? `<h3>Content to send</h3><ul>${t.content.map((c) => `<li>${/^https?:\/\//i.test(c.url) ? `<a href="${escapeHtml(c.url)}" rel="noopener">${escapeHtml(c.title)}</a>` : escapeHtml(c.title)}</li>`).join('')}</ul>` : ''}
</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(m.industry)} — decision map</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:2rem;max-width:1100px}#graph{height:560px;border:1px solid #ddd}small{color:#666;font-weight:normal}</style>
</head><body>
<h1>${escapeHtml(m.industry)} — decision map</h1>
<p>${m.inquiries} inquiries in the last ${m.days} days · generated ${escapeHtml(m.generatedAt)}</p>
<div id="graph"></div>
${sections}
<script src="/assets/echarts.min.js"></script>
<script>
const data = ${scriptJson(graphData(m))};
const chart = echarts.init(document.getElementById('graph'));
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
chart.setOption({ tooltip: { formatter: (p) => esc(p.name ?? '') }, legend: { data: data.categories.map((c) => c.name) },
  series: [{ type: 'graph', layout: 'force', roam: true, draggable: true, label: { show: true, position: 'right' },
    force: { repulsion: 220, edgeLength: 90 }, data: data.nodes, links: data.links, categories: data.categories }] });
</script>
</body></html>`;
}
