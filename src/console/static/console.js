// The console's only script (CSP allows no inline script). Each page opts in through markup:
// [data-seek] seeks the call player, form.review posts a review, #funnel-data draws the funnel,
// form#map-form builds a decision map, #push-list follows the pushes stream. No framework, no build step.
'use strict';

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
const readJson = (id) => {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent || 'null') : null;
};

/** A JSON request to the API with the session cookie and the CSRF header; rejects with the API's message. */
async function api(method, url, body) {
  const res = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error(data?.error?.message ?? `HTTP ${res.status}`);
  return data;
}

function markSegment(at) {
  document.querySelectorAll('.seg.current').forEach((el) => el.classList.remove('current'));
  const seg = [...document.querySelectorAll('.seg')].find((el) => Number(el.dataset.start) <= at + 0.01 && at <= Number(el.dataset.end) + 0.01);
  if (seg) {
    seg.classList.add('current');
    seg.scrollIntoView({ block: 'nearest' });
  }
}

function initPlayer() {
  const player = document.getElementById('player');
  if (!player) return;
  const initial = player.dataset.initialSeek;
  if (initial !== undefined) {
    player.currentTime = Number(initial);
    markSegment(Number(initial));
  }
  document.addEventListener('click', (ev) => {
    const target = ev.target instanceof Element ? ev.target.closest('[data-seek]') : null;
    if (!target) return;
    const at = Number(target.getAttribute('data-seek'));
    if (!Number.isFinite(at) || target.getAttribute('data-seek') === '') return;
    ev.preventDefault();
    // Seek only: a playing call keeps playing from there, a paused one waits for the play button.
    player.currentTime = at;
    markSegment(at);
  });
}

function initReview() {
  const messages = readJson('review-messages');
  for (const form of document.querySelectorAll('form.review')) {
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const action = ev.submitter?.value;
      if (!action) return;
      const status = form.querySelector('.status');
      const note = form.querySelector('[name="note"]')?.value.trim();
      const text = form.querySelector('[name="text"]')?.value.trim();
      const body = { action };
      if (note) body.note = note;
      if (action === 'edit') body.text = text;
      form.querySelectorAll('button').forEach((b) => (b.disabled = true));
      try {
        await api('POST', `/v1/coaching/suggestions/${encodeURIComponent(form.dataset.id)}/review`, body);
        const row = form.closest('.suggestion-row');
        const done = document.getElementById('review-done');
        if (done) done.textContent = messages?.[action] ?? '';
        row?.remove();
        if (!document.querySelector('.suggestion-row')) document.getElementById('review-empty')?.removeAttribute('hidden');
      } catch (err) {
        if (status) status.textContent = (messages?.failed ?? '{message}').replace('{message}', err.message);
        form.querySelectorAll('button').forEach((b) => (b.disabled = false));
      }
    });
  }
}

function initFunnel() {
  const data = readJson('funnel-data');
  const el = document.getElementById('funnel-chart');
  if (!data || !el || typeof echarts === 'undefined') return;
  const chart = echarts.init(el);
  chart.setOption({
    animation: false,
    tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? '—' : `${Math.round(v * 1000) / 10} %`) },
    legend: { top: 0, data: [data.labels.rep, data.labels.team] },
    grid: { left: 48, right: 16, top: 40, bottom: 32 },
    xAxis: { type: 'category', data: data.stages },
    yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v) => `${Math.round(v * 100)} %` } },
    series: [
      { name: data.labels.rep, type: 'bar', data: data.rep, itemStyle: { color: '#2f6fde' } },
      { name: data.labels.team, type: 'line', data: data.team, itemStyle: { color: '#e2762c' }, symbolSize: 8 },
    ],
  });
  el.dataset.rendered = 'true';
  window.addEventListener('resize', () => chart.resize());
}

function initMapForm() {
  const form = document.getElementById('map-form');
  if (!form) return;
  const messages = readJson('map-messages');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const status = document.getElementById('map-status');
    const industry = form.querySelector('[name="industry"]').value.trim();
    const days = Number(form.querySelector('[name="days"]').value);
    status.textContent = messages.building;
    try {
      const { id } = await api('POST', '/v1/decision-maps', { industry, days });
      for (;;) {
        const map = await api('GET', `/v1/decision-maps/${id}`);
        if (map.status === 'done') {
          window.location.assign(`/v1/decision-maps/${id}.html`);
          return;
        }
        if (map.status === 'failed') throw new Error(map.error ?? 'failed');
        await new Promise((r) => setTimeout(r, 500));
      }
    } catch (err) {
      status.textContent = messages.failed.replace('{message}', err.message);
    }
  });
}

/**
 * The pushes page: an EventSource on /v1/pushes/stream (same origin, so the session cookie signs
 * it). It starts after the newest push the server rendered (`lastEventId`), and on a drop the
 * browser reconnects by itself sending Last-Event-ID, which the stream resumes after: no gap.
 * Each event names a push; its row comes from the server, rendered by the page's own escaping
 * template, and replaces an older copy (a push held by quiet hours becomes delivered).
 */
function initPushes() {
  const list = document.getElementById('push-list');
  const cfg = readJson('push-stream');
  if (!list || !cfg || typeof EventSource === 'undefined') return;
  const live = document.getElementById('push-live');
  const setLive = (state) => {
    if (!live) return;
    live.dataset.state = state;
    live.textContent = cfg.messages[state === 'open' ? 'live' : state] ?? '';
  };
  const url = new URL(cfg.url, window.location.origin);
  if (cfg.cursor) url.searchParams.set('lastEventId', String(cfg.cursor));
  const source = new EventSource(url.pathname + url.search);
  // Rows are fetched one after another, so they land in the order the stream sent them.
  let chain = Promise.resolve();
  source.addEventListener('open', () => setLive('open'));
  // CLOSED: the stream refused us (the session ended, say); the browser will not retry by itself.
  source.addEventListener('error', () => setLive(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting'));
  source.addEventListener('push', (ev) => {
    let push;
    try {
      push = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (!push || typeof push.id !== 'string') return;
    chain = chain.then(async () => {
      const res = await fetch(`/console/pushes/${encodeURIComponent(push.id)}/row`, { credentials: 'same-origin' });
      if (!res.ok) return;
      const template = document.createElement('template');
      template.innerHTML = (await res.text()).trim();
      const row = template.content.firstElementChild;
      if (!row) return;
      document.getElementById(`p-${push.id}`)?.remove();
      row.classList.add('fresh');
      list.prepend(row);
      document.getElementById('push-empty')?.setAttribute('hidden', '');
      const count = document.getElementById('push-count');
      if (count) count.textContent = cfg.messages.count.replace('{n}', String(list.querySelectorAll('.push-row').length));
    }).catch(() => undefined);
  });
  window.addEventListener('pagehide', () => source.close());
}

document.addEventListener('DOMContentLoaded', () => {
  initPlayer();
  initReview();
  initFunnel();
  initMapForm();
  initPushes();
});
