/**
 * The dashboard: one self-contained page (no CDN, no build step), live over the SSE stream.
 * Every key, tag and store name reaches the DOM through textContent or SVG attributes, never
 * innerHTML; the Content-Security-Policy allows only this page's own script and style (by hash).
 * One concept (the page's markup, style and script), hence its length.
 */
import { createHash } from 'node:crypto';

const STYLE = `
:root{--bg:#0f1419;--card:#1a2029;--fg:#e6e6e6;--dim:#8b949e;--up:#3fb950;--down:#f85149;--deg:#d29922;--accent:#58a6ff}
*{box-sizing:border-box}body{margin:0;font:14px/1.4 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
header{display:flex;align-items:center;gap:12px;padding:12px 20px;border-bottom:1px solid #30363d}
h1{font-size:18px;margin:0}#conn{color:var(--dim);font-size:12px}
main{padding:16px 20px;display:grid;gap:16px}
#stores{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:16px}
.store{background:var(--card);border:1px solid #30363d;border-radius:8px;padding:12px 14px}
.store h2{font-size:15px;margin:0 0 8px;display:flex;align-items:center;gap:8px}
.driver{color:var(--dim);font-weight:normal;font-size:12px}
.health{font-size:12px;padding:1px 8px;border-radius:10px;background:#30363d}
.health.up{color:var(--up)}.health.down{color:var(--down)}.health.degraded{color:var(--deg)}
.grid{display:grid;grid-template-columns:repeat(3,1fr);gap:8px}
.metric{background:#11161d;border-radius:6px;padding:6px 8px}
.metric .label{color:var(--dim);font-size:11px;text-transform:uppercase}
.metric .value{font-size:18px;font-variant-numeric:tabular-nums}
.metric svg{display:block;width:100%;height:28px}
.metric polyline{fill:none;stroke:var(--accent);stroke-width:1.5;vector-effect:non-scaling-stroke}
.actions{margin-top:8px;display:flex;gap:8px}
section.panel{background:var(--card);border:1px solid #30363d;border-radius:8px;padding:12px 14px}
section.panel h2{font-size:15px;margin:0 0 8px}
form{display:flex;gap:8px;flex-wrap:wrap;align-items:center}
input,select,button{font:inherit;background:#11161d;color:var(--fg);border:1px solid #30363d;border-radius:6px;padding:5px 9px}
button{cursor:pointer}button.danger{border-color:var(--down);color:var(--down)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:10px 0 0}dt{color:var(--dim)}dd{margin:0;word-break:break-all}
pre{margin:0;white-space:pre-wrap;word-break:break-all}
.confirm{display:flex;gap:8px;align-items:center;margin-top:8px;color:var(--deg)}
.hidden{display:none!important}#message{color:var(--dim);min-height:1.4em}
`;

const SCRIPT = `
(function () {
  'use strict';
  var base = location.pathname.replace(/\\/+$/, '');
  var qs = location.search;
  var api = function (p) { return base + '/api/' + p + qs; };
  var POINTS = 30;
  // Cards by store name: a null-prototype record, so a store named toString or __proto__ is a name.
  var state = { readOnly: true, stores: Object.create(null), order: [] };
  var $ = function (id) { return document.getElementById(id); };
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svg(tag) { return document.createElementNS('http://www.w3.org/2000/svg', tag); }
  function say(text) { $('message').textContent = text; }
  function fmt(n, digits) { return n === null || n === undefined ? '\\u2013' : Number(n).toFixed(digits); }
  function request(method, path) {
    return fetch(api(path), { method: method, headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (!r.ok) throw new Error(body.message || ('HTTP ' + r.status));
          return body;
        });
      });
  }
  var METRICS = [
    ['hitRatio', 'hit ratio', function (s) { return fmt(s.stats.hitRatio * 100, 1) + ' %'; }],
    ['ops', 'ops/s', function (s) { return String(s.opsPerSec); }],
    ['p50', 'p50 ms', function (s) { return fmt(s.p50Ms, 3); }],
    ['p99', 'p99 ms', function (s) { return fmt(s.p99Ms, 3); }],
    ['errors', 'errors', function (s) { return String(s.stats.errors); }],
    ['evictions', 'evictions', function (s) { return String(s.stats.evictions); }]
  ];
  function seriesValue(key, s, prev) {
    if (key === 'hitRatio') return s.stats.hitRatio;
    if (key === 'ops') return s.opsPerSec;
    if (key === 'p50') return s.p50Ms || 0;
    if (key === 'p99') return s.p99Ms || 0;
    var now = s.stats[key];
    return prev ? Math.max(0, now - prev.stats[key]) : 0;
  }
  function confirmStep(host, question, action) {
    var box = host.querySelector('.confirm');
    if (box) box.remove();
    box = el('div', 'confirm');
    box.appendChild(el('span', '', question));
    var yes = el('button', 'danger', 'Confirm');
    yes.dataset.role = 'confirm';
    var no = el('button', '', 'Cancel');
    yes.addEventListener('click', function () { box.remove(); action(); });
    no.addEventListener('click', function () { box.remove(); });
    box.appendChild(yes);
    box.appendChild(no);
    host.appendChild(box);
  }
  function card(name) {
    var c = el('div', 'store');
    c.dataset.store = name;
    var h = el('h2');
    h.appendChild(el('span', 'name', name));
    var driver = el('span', 'driver');
    var health = el('span', 'health');
    h.appendChild(driver);
    h.appendChild(health);
    c.appendChild(h);
    var grid = el('div', 'grid');
    var cells = {};
    METRICS.forEach(function (m) {
      var box = el('div', 'metric');
      box.dataset.metric = m[0];
      box.appendChild(el('div', 'label', m[1]));
      var value = el('div', 'value', '\\u2013');
      box.appendChild(value);
      var s = svg('svg');
      s.setAttribute('viewBox', '0 0 ' + (POINTS - 1) + ' 28');
      s.setAttribute('preserveAspectRatio', 'none');
      var line = svg('polyline');
      s.appendChild(line);
      box.appendChild(s);
      grid.appendChild(box);
      cells[m[0]] = { value: value, line: line, points: [] };
    });
    c.appendChild(grid);
    var actions = el('div', 'actions write');
    var clear = el('button', 'danger', 'Clear store');
    clear.dataset.role = 'clear';
    clear.addEventListener('click', function () {
      confirmStep(c, 'Remove every key of store "' + name + '"?', function () {
        request('POST', 'stores/' + encodeURIComponent(name) + '/clear')
          .then(function () { say('Cleared store "' + name + '"'); }, function (e) { say(e.message); });
      });
    });
    actions.appendChild(clear);
    c.appendChild(actions);
    $('stores').appendChild(c);
    return { root: c, driver: driver, health: health, cells: cells, prev: null };
  }
  function update(list) {
    list.forEach(function (s) {
      var view = state.stores[s.name];
      if (!view) {
        view = state.stores[s.name] = card(s.name);
        var opt = el('option', '', s.name);
        opt.value = s.name;
        if (s.default) opt.selected = true;
        $('store').appendChild(opt);
      }
      view.driver.textContent = s.driver + (s.default ? ' \\u00b7 default' : '');
      view.health.textContent = s.health.status + ' \\u00b7 ' + fmt(s.health.latencyMs, 2) + ' ms';
      view.health.className = 'health ' + s.health.status;
      view.health.title = s.health.error || '';
      METRICS.forEach(function (m) {
        var cell = view.cells[m[0]];
        cell.value.textContent = m[2](s);
        cell.points.push(seriesValue(m[0], s, view.prev));
        if (cell.points.length > POINTS) cell.points.shift();
        var max = Math.max.apply(null, cell.points.concat([1e-9]));
        var offset = POINTS - cell.points.length;
        cell.line.setAttribute('points', cell.points.map(function (v, i) {
          return (offset + i) + ',' + (27 - (v / max) * 26).toFixed(2);
        }).join(' '));
      });
      view.prev = s;
    });
    applyReadOnly();
  }
  function applyReadOnly() {
    var hide = state.readOnly;
    Array.prototype.forEach.call(document.querySelectorAll('.write'), function (e) { e.classList.toggle('hidden', hide); });
  }
  function row(dl, term, value) {
    dl.appendChild(el('dt', '', term));
    var dd = el('dd');
    if (typeof value === 'string') dd.textContent = value; else dd.appendChild(value);
    dl.appendChild(dd);
  }
  function lookup(ev) {
    ev.preventDefault();
    var store = $('store').value;
    var key = $('key').value;
    if (!key) return;
    var out = $('result');
    out.textContent = '';
    request('GET', 'stores/' + encodeURIComponent(store) + '/keys/' + encodeURIComponent(key)).then(function (r) {
      var dl = el('dl');
      dl.id = 'lookup';
      row(dl, 'key', key);
      row(dl, 'exists', String(r.exists));
      if (r.exists) {
        row(dl, 'ttl', r.ttl === null ? 'never expires' : fmt(r.ttl, 1) + ' s');
        row(dl, 'tags', r.tags.length ? r.tags.join(', ') : '(none)');
        row(dl, 'bytes', String(r.bytes));
        if ('value' in r) row(dl, 'value', el('pre', '', JSON.stringify(r.value, null, 2)));
      }
      out.appendChild(dl);
      if (r.exists) {
        var evict = el('button', 'danger write', 'Evict key');
        evict.dataset.role = 'evict';
        evict.addEventListener('click', function () {
          confirmStep(out, 'Evict "' + key + '" from store "' + store + '"?', function () {
            request('DELETE', 'stores/' + encodeURIComponent(store) + '/keys/' + encodeURIComponent(key)).then(function (d) {
              say(d.deleted ? 'Evicted "' + key + '"' : '"' + key + '" was already gone');
            }, function (e) { say(e.message); });
          });
        });
        out.appendChild(evict);
      }
      applyReadOnly();
    }, function (e) { say(e.message); });
  }
  function flush(ev) {
    ev.preventDefault();
    var store = $('store').value;
    var tag = $('tag').value;
    if (!tag) return;
    confirmStep($('tags'), 'Flush every entry tagged "' + tag + '" in store "' + store + '"?', function () {
      request('POST', 'stores/' + encodeURIComponent(store) + '/tags/' + encodeURIComponent(tag) + '/flush')
        .then(function () { say('Flushed tag "' + tag + '"'); }, function (e) { say(e.message); });
    });
  }
  function connect() {
    var source = new EventSource(api('stream'));
    source.onopen = function () { $('conn').textContent = 'live'; };
    source.onmessage = function (m) { update(JSON.parse(m.data).stores); $('conn').textContent = 'live \\u00b7 ' + new Date().toLocaleTimeString(); };
    source.onerror = function () { $('conn').textContent = 'reconnecting\\u2026'; };
  }
  $('lookup-form').addEventListener('submit', lookup);
  $('flush-form').addEventListener('submit', flush);
  request('GET', 'stores').then(function (r) {
    state.readOnly = r.readOnly;
    document.body.dataset.readOnly = String(r.readOnly);
    if (r.readOnly) $('mode').textContent = 'read-only';
    update(r.stores);
    connect();
  }, function (e) { say(e.message); });
})();
`;

const BODY = `<header><h1>Cache</h1><span id="mode" class="driver"></span><span id="conn">connecting\u2026</span></header>
<main>
<div id="stores"></div>
<section class="panel" id="keys"><h2>Key lookup</h2>
<form id="lookup-form"><select id="store" aria-label="store"></select><input id="key" placeholder="key" aria-label="key" autocomplete="off"><button type="submit">Look up</button></form>
<div id="result"></div></section>
<section class="panel write" id="tags"><h2>Flush a tag</h2>
<form id="flush-form"><input id="tag" placeholder="tag" aria-label="tag" autocomplete="off"><button type="submit" class="danger">Flush tag</button></form></section>
<div id="message" role="status"></div>
</main>`;

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** The page's HTML. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,"><title>Cache dashboard</title><style>${STYLE}</style></head>
<body>${BODY}<script>${SCRIPT}</script></body></html>`;

/** Only this page's own script and style run; it talks to its own origin only. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  `script-src ${hash(SCRIPT)}`,
  `style-src ${hash(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
