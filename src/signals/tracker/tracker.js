/*
 * dealsense website tracker, served by GET /t.js. Plain ES5, no dependencies.
 *
 *   <script src="https://dealsense.example.com/t.js" data-site-key="sk_…" async></script>
 *
 * Attributes on the script tag:
 *   data-site-key      the public, ingest-only site key (required)
 *   data-consent       "required": send nothing and store nothing until dealsense.consent(true)
 *   data-heartbeat-ms  heartbeat interval while the page is visible (default 15000)
 *   data-idle-ms       no heartbeats after this long without scrolling, typing or pointer
 *                      movement, until the reader is active again (default 600000)
 *
 * API: dealsense.identify(leadId), dealsense.consent(true|false), dealsense.visitorId().
 * Calls made before the script has loaded can be queued:
 *   window.dealsense = window.dealsense || []; dealsense.push(['identify', 'lead-42']);
 *
 * Beacons: POST <origin of this script>/v1/signals/beacon?k=<site key>, text/plain JSON
 * { events: [{ id, visitorId, leadId?, token?, type, url, title?, tags?, ts, dwellMs? }], sentAt }.
 * dwellMs (on heartbeat and leave) is the visible time since the page's previous
 * pageview, heartbeat or leave, so hidden and idle time is never counted.
 */
(function (window, document) {
  'use strict';

  var STORAGE_PREFIX = 'dealsense.';
  var VISITOR_KEY = STORAGE_PREFIX + 'visitor';
  var LEAD_KEY = STORAGE_PREFIX + 'lead';
  var CONSENT_KEY = STORAGE_PREFIX + 'consent';
  var TOKEN_PARAM = 'ds_t';
  var MAX_URL = 2000;
  var MAX_TITLE = 300;
  var MAX_TAGS = 20;
  var MAX_TAG = 64;
  var MAX_ID = 200;
  var MAX_DWELL_MS = 86400000;

  var queued = window.dealsense;
  // The tag was included twice: the first copy does the work.
  if (queued && queued.loaded) return;

  var script = document.currentScript || findOwnScript();
  var siteKey = script && script.getAttribute('data-site-key');
  if (!siteKey) {
    warn('data-site-key is missing on the <script> tag; nothing is sent');
    return;
  }
  var endpoint = originOf(script.src) + '/v1/signals/beacon?k=' + encodeURIComponent(siteKey);
  var heartbeatMs = intAttr('data-heartbeat-ms', 250, 3600000, 15000);
  var idleMs = intAttr('data-idle-ms', 1000, 86400000, 600000);
  var consentRequired = script.getAttribute('data-consent') === 'required';

  var consentState = load(CONSENT_KEY); // 'granted' | 'denied' | null
  var visitor = null;
  var lead = null;
  var identifyPending = false; // identify() was called before sending was allowed
  var token = takeTokenFromUrl(); // a tracked link's ?ds_t=, held in memory until it is sent
  var page = null; // the page being read: { url, title, tags, visibleMs, visibleSince, left }
  var timer = null;
  var lastActivity = now();
  var idle = false;
  var ready = false;

  function allowed() {
    return consentState === 'granted' || (!consentRequired && consentState !== 'denied');
  }

  // ---- the page session ----

  function startPage() {
    if (!ready || !allowed()) return;
    if (!visitor) {
      visitor = load(VISITOR_KEY) || uuid();
      save(VISITOR_KEY, visitor);
      lead = lead || load(LEAD_KEY);
      if (lead) save(LEAD_KEY, lead);
    }
    var visible = document.visibilityState !== 'hidden';
    page = { url: currentUrl(), title: clip(document.title, MAX_TITLE), tags: pageTags(), visibleMs: 0, visibleSince: visible ? now() : null, left: !visible };
    idle = false;
    lastActivity = now();
    var events = [];
    if (token || identifyPending) events.push(makeEvent('identify', token ? { token: token } : {}));
    token = null;
    identifyPending = false;
    events.push(makeEvent('pageview', {}));
    send(events);
    if (visible) startHeartbeats();
  }

  function makeEvent(type, extra) {
    var e = { id: uuid(), visitorId: visitor, type: type, url: page.url, ts: new Date().getTime() };
    if (lead) e.leadId = lead;
    if (page.title) e.title = page.title;
    if (page.tags.length) e.tags = page.tags;
    for (var k in extra) if (Object.prototype.hasOwnProperty.call(extra, k)) e[k] = extra[k];
    return e;
  }

  /** Visible milliseconds since the previous pageview, heartbeat or leave of this page. */
  function takeDwell() {
    var ms = page.visibleMs;
    if (page.visibleSince !== null) {
      ms += now() - page.visibleSince;
      page.visibleSince = now();
    }
    page.visibleMs = 0;
    // A day at most (what the service accepts); a longer figure is a machine waking from sleep.
    return Math.min(MAX_DWELL_MS, Math.max(0, Math.round(ms)));
  }

  function pauseClock() {
    if (page.visibleSince !== null) {
      page.visibleMs += now() - page.visibleSince;
      page.visibleSince = null;
    }
  }

  function startHeartbeats() {
    stopHeartbeats();
    timer = window.setInterval(heartbeat, heartbeatMs);
  }

  function stopHeartbeats() {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
  }

  function heartbeat() {
    if (!page || document.visibilityState === 'hidden') return stopHeartbeats();
    send([makeEvent('heartbeat', { dwellMs: takeDwell() })]);
    // Nobody has touched the page for a while: stop counting until someone does.
    if (now() - lastActivity >= idleMs) {
      idle = true;
      pauseClock();
      stopHeartbeats();
    }
  }

  function leave() {
    if (!page) return;
    stopHeartbeats();
    pauseClock();
    if (page.left) return;
    page.left = true;
    send([makeEvent('leave', { dwellMs: takeDwell() })]);
  }

  function onVisibilityChange() {
    if (!page) return;
    if (document.visibilityState === 'hidden') return leave();
    page.left = false;
    markActive();
    page.visibleSince = now();
    startHeartbeats();
  }

  function markActive() {
    lastActivity = now();
    if (idle && page && document.visibilityState !== 'hidden') {
      idle = false;
      page.visibleSince = now();
      startHeartbeats();
    }
  }

  /** Single-page apps: a new URL through the History API is a new page. */
  function onRouteChange() {
    if (!page || currentUrl() === page.url) return;
    leave();
    startPage();
  }

  function onClick(e) {
    if (!page || (e.type === 'auxclick' && e.button !== 1)) return;
    var a = e.target;
    while (a && a.nodeName !== 'A') a = a.parentNode;
    if (!a || !a.href) return;
    var isDownload = a.hasAttribute('data-dealsense-download');
    var linkTags = a.getAttribute('data-dealsense-tags');
    if (!isDownload && linkTags === null) return;
    var title = a.getAttribute('data-dealsense-download') || a.getAttribute('download') || a.textContent || '';
    var tags = linkTags ? parseTags(linkTags) : page.tags;
    var download = makeEvent('download', {});
    download.url = clip(a.href, MAX_URL);
    download.title = clip(title.replace(/\s+/g, ' ').replace(/^ | $/g, ''), MAX_TITLE);
    if (!download.title) delete download.title;
    if (tags.length) download.tags = tags;
    else delete download.tags;
    send([download]);
  }

  // ---- public API ----

  function identify(leadId) {
    if (typeof leadId === 'number') leadId = String(leadId);
    if (typeof leadId !== 'string' || !leadId.replace(/\s/g, '') || leadId.length > MAX_ID) {
      warn('identify(leadId) takes a non-empty string of at most ' + MAX_ID + ' characters');
      return;
    }
    lead = leadId.replace(/^\s+|\s+$/g, '');
    if (!allowed() || !page) {
      identifyPending = true; // sent with the first pageview once sending is allowed
      return;
    }
    save(LEAD_KEY, lead);
    send([makeEvent('identify', {})]);
  }

  function consent(granted) {
    if (granted) {
      consentState = 'granted';
      if (consentRequired) save(CONSENT_KEY, 'granted');
      else remove(CONSENT_KEY);
      if (!page) startPage();
      return;
    }
    consentState = 'denied';
    stopHeartbeats();
    page = null;
    visitor = null;
    identifyPending = !!lead; // told again, should consent be given later on this page
    remove(VISITOR_KEY);
    remove(LEAD_KEY);
    remove(CONSENT_KEY);
    // Where tracking is on by default, the opt-out itself must be remembered.
    if (!consentRequired) save(CONSENT_KEY, 'denied');
  }

  var api = {
    loaded: true,
    identify: identify,
    consent: consent,
    visitorId: function () {
      return allowed() ? visitor || load(VISITOR_KEY) : null;
    },
    push: function (command) {
      if (!command || typeof api[command[0]] !== 'function' || command[0] === 'push') return;
      api[command[0]].apply(api, Array.prototype.slice.call(command, 1));
    },
  };
  window.dealsense = api;
  if (queued && queued.length) for (var i = 0; i < queued.length; i++) api.push(queued[i]);

  // ---- wiring ----

  document.addEventListener('visibilitychange', onVisibilityChange);
  window.addEventListener('pagehide', leave);
  window.addEventListener('pageshow', function (e) {
    // Back from the back/forward cache: a new visit of the page.
    if (e.persisted && allowed()) startPage();
  });
  document.addEventListener('click', onClick, true);
  document.addEventListener('auxclick', onClick, true);
  var activity = ['scroll', 'keydown', 'pointerdown', 'pointermove', 'mousemove', 'touchstart', 'wheel'];
  for (var j = 0; j < activity.length; j++) window.addEventListener(activity[j], markActive, { passive: true, capture: true });
  if (window.history && window.history.pushState) {
    wrapHistory('pushState');
    wrapHistory('replaceState');
    window.addEventListener('popstate', onRouteChange);
  }

  function begin() {
    ready = true;
    startPage();
  }
  function whenParsed() {
    // Tags may sit on <body> or in <meta> after this script: wait for the document.
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', begin);
    else begin();
  }
  // A prerendered page (speculation rules) has not been seen yet: it counts once it is shown.
  if (document.prerendering) document.addEventListener('prerenderingchange', whenParsed);
  else whenParsed();

  // ---- helpers ----

  function wrapHistory(name) {
    var original = window.history[name];
    window.history[name] = function () {
      var result = original.apply(this, arguments);
      onRouteChange();
      return result;
    };
  }

  function send(events) {
    if (!allowed() || !events.length) return;
    // sentAt lets the server put the events on its own clock (this browser's may be off).
    var body = JSON.stringify({ events: events, sentAt: new Date().getTime() });
    try {
      // A string body goes as text/plain: no CORS preflight, and it survives the page unloading.
      if (navigator.sendBeacon && navigator.sendBeacon(endpoint, body)) return;
    } catch (err) {
      /* fall through to fetch */
    }
    if (window.fetch) {
      try {
        window.fetch(endpoint, { method: 'POST', body: body, keepalive: true, credentials: 'omit', headers: { 'content-type': 'text/plain' } })['catch'](function () {});
      } catch (err) {
        /* nothing more to try */
      }
    }
  }

  function pageTags() {
    var tags = [];
    var meta = document.querySelector('meta[name="dealsense:tags"]');
    if (meta) tags = tags.concat(parseTags(meta.getAttribute('content')));
    if (document.documentElement) tags = tags.concat(parseTags(document.documentElement.getAttribute('data-dealsense-tags')));
    if (document.body) tags = tags.concat(parseTags(document.body.getAttribute('data-dealsense-tags')));
    return unique(tags);
  }

  function parseTags(text) {
    if (!text) return [];
    var out = [];
    var parts = String(text).split(/[,，、;；]/);
    for (var i = 0; i < parts.length; i++) {
      // The service takes letters, digits, "_", "-", "." and "/": "Data Security" becomes "data-security".
      var tag = parts[i]
        .toLowerCase()
        .replace(/^\s+|\s+$/g, '')
        .replace(/\s+/g, '-')
        .replace(/[\x00-\x2c\x3a-\x40\x5b-\x5e\x60\x7b-\xbf\u2000-\u206f\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\ud800-\udfff]/g, '');
      if (tag) out.push(clip(tag, MAX_TAG));
    }
    return unique(out);
  }

  function unique(list) {
    var out = [];
    for (var i = 0; i < list.length && out.length < MAX_TAGS; i++) if (out.indexOf(list[i]) < 0) out.push(list[i]);
    return out;
  }

  /** Reads ?ds_t= and removes it from the address bar, so a forwarded link does not identify someone else. */
  function takeTokenFromUrl() {
    var found = null;
    var cleaned = withoutParam(location.href, TOKEN_PARAM, function (value) {
      if (/^[A-Za-z0-9._~-]{1,512}$/.test(value)) found = value;
    });
    if (cleaned !== location.href && window.history && window.history.replaceState) {
      try {
        window.history.replaceState(window.history.state, '', cleaned);
      } catch (err) {
        /* a sandboxed frame: the token still leaves the reported URL */
      }
    }
    return found;
  }

  function currentUrl() {
    return clip(withoutParam(location.href, TOKEN_PARAM, function () {}), MAX_URL);
  }

  function withoutParam(href, name, onValue) {
    var hashAt = href.indexOf('#');
    var hash = hashAt >= 0 ? href.slice(hashAt) : '';
    var rest = hashAt >= 0 ? href.slice(0, hashAt) : href;
    var queryAt = rest.indexOf('?');
    if (queryAt < 0) return href;
    var kept = [];
    var pairs = rest.slice(queryAt + 1).split('&');
    for (var i = 0; i < pairs.length; i++) {
      var eq = pairs[i].indexOf('=');
      var key = eq >= 0 ? pairs[i].slice(0, eq) : pairs[i];
      if (key === name) onValue(safeDecode(eq >= 0 ? pairs[i].slice(eq + 1) : ''));
      else if (pairs[i]) kept.push(pairs[i]);
    }
    return rest.slice(0, queryAt) + (kept.length ? '?' + kept.join('&') : '') + hash;
  }

  function safeDecode(s) {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch (err) {
      return '';
    }
  }

  function findOwnScript() {
    var scripts = document.getElementsByTagName('script');
    for (var i = scripts.length - 1; i >= 0; i--) if (scripts[i].getAttribute('data-site-key') !== null) return scripts[i];
    return null;
  }

  function originOf(src) {
    var a = document.createElement('a');
    a.href = src;
    return a.protocol + '//' + a.host;
  }

  function intAttr(name, min, max, fallback) {
    var n = parseInt(script.getAttribute(name), 10);
    return isNaN(n) ? fallback : Math.min(max, Math.max(min, n));
  }

  function clip(s, max) {
    s = s ? String(s) : '';
    return s.length > max ? s.slice(0, max) : s;
  }

  function now() {
    return window.performance && performance.now ? performance.now() : new Date().getTime();
  }

  function uuid() {
    var b = new Array(16);
    var c = window.crypto || window.msCrypto;
    if (c && c.getRandomValues) b = c.getRandomValues(new Uint8Array(16));
    else for (var i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var hex = '';
    for (var k = 0; k < 16; k++) hex += (b[k] + 0x100).toString(16).slice(1);
    return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-' + hex.slice(16, 20) + '-' + hex.slice(20);
  }

  // Storage can throw (private modes, blocked storage): the tracker then keeps ids for this page only.
  function load(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (err) {
      return null;
    }
  }

  function save(key, value) {
    if (!allowed() && key !== CONSENT_KEY) return;
    try {
      window.localStorage.setItem(key, value);
    } catch (err) {
      /* not stored */
    }
  }

  function remove(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (err) {
      /* nothing stored */
    }
  }

  function warn(message) {
    if (window.console && console.warn) console.warn('[dealsense] ' + message);
  }
})(window, document);
