// The --http dashboards: polls /api/state once a second and redraws. Every value from the state
// goes into the page as text (textContent), never as markup: order ids, product names and
// dead-letter reasons are untrusted.
"use strict";

const POLL_MS = 1000;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k === "style") e.style.cssText = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function setText(id, text) {
  const e = document.getElementById(id);
  if (e) e.textContent = text;
}

function num(n) {
  return n === null || n === undefined ? "-" : Number(n).toLocaleString("en-US");
}

function ms(n) {
  return n === null || n === undefined ? "-" : Number(n).toFixed(2);
}

function dollars(n) {
  return n === null || n === undefined ? "-" :
    "$" + Number(n).toLocaleString("en-US", {minimumFractionDigits: 2, maximumFractionDigits: 2});
}

function duration(s) {
  s = Math.floor(s || 0);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return (h ? h + "h " : "") + (h || m ? m + "m " : "") + sec + "s";
}

function when(msSinceEpoch) {
  return msSinceEpoch ? new Date(msSinceEpoch).toISOString().replace("T", " ").slice(0, 23) : "-";
}

function table(id, head, rows, emptyText) {
  const t = document.getElementById(id);
  if (!t) return;
  const tr = el("tr", {});
  for (const h of head) tr.appendChild(el("th", {class: h.num ? "num" : ""}, h.label || h));
  const body = [tr];
  if (rows.length === 0) {
    body.push(el("tr", {}, el("td", {class: "empty", colspan: String(head.length)},
                              emptyText || "none yet")));
  }
  for (const r of rows) {
    body.push(el("tr", {}, ...r.map((c, i) => c instanceof Node ? el("td", {}, c) :
      el("td", {class: head[i].num ? "num" : "text"}, c))));
  }
  t.replaceChildren(...body);
}

function cards(id, items) {
  const box = document.getElementById(id);
  if (!box) return;
  box.replaceChildren(...items.map(([label, value, key]) =>
    el("div", {class: "card"}, el("div", {class: "label"}, label),
       el("div", {class: "figure", id: "figure-" + key}, value))));
}

function bar(value, max, cls) {
  const width = max > 0 ? Math.max(1, Math.round(160 * value / max)) : 1;
  return el("div", {class: "bar " + (cls || ""), style: "width:" + width + "px"});
}

// history: [[at_ms, a, b], ...] cumulative counters; draws their per-second rates.
function drawChart(history) {
  const canvas = document.getElementById("throughput-chart");
  if (!canvas || !canvas.getContext) return;
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height, pad = 36;
  ctx.clearRect(0, 0, w, h);
  const rates = [];
  for (let i = 1; i < history.length; i++) {
    const dt = (history[i][0] - history[i - 1][0]) / 1000;
    if (dt <= 0) continue;
    rates.push([history[i][0], (history[i][1] - history[i - 1][1]) / dt,
                (history[i][2] - history[i - 1][2]) / dt]);
  }
  const max = Math.max(1, ...rates.map(r => Math.max(r[1], r[2])));
  ctx.strokeStyle = "#2a3642"; ctx.fillStyle = "#8a99a8"; ctx.font = "12px sans-serif";
  for (let g = 0; g <= 4; g++) {
    const y = pad / 2 + (h - pad) * g / 4;
    ctx.beginPath(); ctx.moveTo(pad + 20, y); ctx.lineTo(w, y); ctx.stroke();
    ctx.fillText(Math.round(max * (4 - g) / 4).toLocaleString("en-US"), 0, y + 4);
  }
  const t0 = rates.length ? rates[0][0] : 0, t1 = rates.length ? rates[rates.length - 1][0] : 1;
  const x = t => pad + 20 + (w - pad - 24) * (t1 > t0 ? (t - t0) / (t1 - t0) : 1);
  const y = v => pad / 2 + (h - pad) * (1 - v / max);
  for (const [col, color] of [[1, "#59c2ff"], [2, "#4cc38a"]]) {
    ctx.strokeStyle = color; ctx.lineWidth = 2; ctx.beginPath();
    rates.forEach((r, i) => (i ? ctx.lineTo(x(r[0]), y(r[col])) : ctx.moveTo(x(r[0]), y(r[col]))));
    ctx.stroke();
  }
  canvas.dataset.points = String(rates.length);
  canvas.dataset.lastRate = rates.length ? rates[rates.length - 1][2].toFixed(1) : "0";
}

function latencyRows(entries) {
  return entries.map(([name, l]) => [name, num(l.count), ms(l.p50), ms(l.p95), ms(l.p99),
                                     ms(l.max)]);
}

const LATENCY_HEAD = ["", {label: "count", num: 1}, {label: "p50", num: 1},
                      {label: "p95", num: 1}, {label: "p99", num: 1}, {label: "max", num: 1}];

function header(s, identity, ready) {
  const status = document.getElementById("status");
  status.textContent = ready[0];
  status.className = "badge " + ready[1];
  setText("identity", identity);
  setText("uptime", "up " + duration(s.uptime_seconds) + " · orders " + s.version);
}

function renderConsumer(s) {
  const c = s.counters;
  header(s, s.topic + " · group " + s.group + " · " + s.semantics + " · ordering " + s.ordering,
         s.stopping ? ["stopping", "bad"] : s.ready ? ["ready", "ok"] : ["not ready", "wait"]);
  const finished = c.decided_processed + c.decided_dead_lettered;
  const points = s.history.length;
  const rate = points > 1 ? (s.history[points - 1][2] - s.history[points - 2][2]) /
    Math.max(0.001, (s.history[points - 1][0] - s.history[points - 2][0]) / 1000) : 0;
  cards("cards", [["consumed", num(c.consumed), "consumed"],
                  ["processed", num(c.decided_processed), "processed"],
                  ["dead-lettered", num(c.decided_dead_lettered), "dead-lettered"],
                  ["retries", num(c.retries), "retries"],
                  ["in flight", num(s.in_flight), "in-flight"],
                  ["waiting retry", num(s.retries_waiting), "waiting"],
                  ["finished/s", num(Math.round(rate)), "rate"],
                  ["committed", num(c.processed + c.dead_lettered), "committed"]]);
  drawChart(s.history);
  const classes = Object.entries(c.dead_lettered_by_class);
  const max = Math.max(c.processed, ...classes.map(e => e[1]));
  table("outcomes", ["outcome", {label: "committed", num: 1}, ""],
        [["processed", num(c.processed), bar(c.processed, max, "ok")],
         ...classes.map(([k, v]) => ["dead letter: " + k, num(v), bar(v, max, "bad")])]);
  const l = s.latency_ms;
  table("latency", LATENCY_HEAD, latencyRows([["processing", l.processing],
    ["end-to-end", l.end_to_end], ["commit", l.commit], ["retry lateness", l.retry_lateness]]));
  table("partitions", ["partition", "state", "paused", {label: "committed", num: 1},
                       {label: "log end", num: 1}, {label: "lag", num: 1},
                       {label: "in flight", num: 1}, {label: "retrying", num: 1},
                       {label: "aggregated", num: 1}],
        s.partitions.map(p => [s.topic + "[" + p.partition + "]", p.state, p.paused ? "yes" : "no",
                               num(p.committed), num(p.log_end), num(p.lag), num(p.in_flight),
                               num(p.retries_waiting), num(p.aggregate_count)]),
        "no partitions assigned");
  const a = s.aggregate;
  cards("aggregate-cards", [["orders", num(a.count), "orders"], ["avg", dollars(a.avg), "avg"],
                            ["min", dollars(a.min), "min"], ["max", dollars(a.max), "max"],
                            ["revenue", dollars(a.revenue_cents / 100), "revenue"]]);
  table("products", ["product", {label: "count", num: 1}, {label: "revenue", num: 1},
                     {label: "avg", num: 1}],
        Object.entries(a.by_product).map(([name, t]) =>
          [name, num(t.count), dollars(t.revenue_cents / 100), dollars(t.avg)]));
  table("dead-letters", ["when", "where", "order", "class", "reason"],
        s.dead_letters.slice().reverse().map(d =>
          [when(d.at_ms), d.partition + "@" + d.offset, d.order_id || d.key, d.class,
           d.reason + (d.attempts > 1 ? " (" + d.attempts + " attempts)" : "")]));
}

function renderProducer(s) {
  const c = s.counters;
  header(s, s.topic + (s.rate ? " · " + s.rate + " orders/s" : " · unpaced"),
         s.finished ? ["finished", "wait"] : ["producing", "ok"]);
  cards("cards", [["requested", num(c.requested), "requested"], ["sent", num(c.sent), "sent"],
                  ["acknowledged", num(c.acknowledged), "acknowledged"],
                  ["failed", num(c.failed), "failed"], ["in flight", num(s.in_flight), "in-flight"],
                  ["bytes", num(c.bytes), "bytes"]]);
  drawChart(s.history);
  table("latency", LATENCY_HEAD, latencyRows([["delivery", s.latency_ms.delivery]]));
}

function renderDlq(s) {
  const m = s.summary;
  header(s, s.topic, ["following", "ok"]);
  cards("cards", [["dead letters", num(m.total), "total"], ["value lost", m.value, "value"],
                  ["valued orders", num(m.valued_orders), "valued"],
                  ["undecodable", num(m.undecodable), "undecodable"],
                  ["oldest", m.oldest_failure || "-", "oldest"],
                  ["newest", m.newest_failure || "-", "newest"]]);
  const classes = Object.entries(m.by_class);
  const max = Math.max(0, ...classes.map(e => e[1]));
  table("by-class", ["class", {label: "count", num: 1}, ""],
        classes.map(([k, v]) => [k, num(v), bar(v, max, "bad")]));
  table("by-message", ["message", {label: "count", num: 1}],
        Object.entries(m.by_message).sort((x, y) => y[1] - x[1]).map(([k, v]) => [k, num(v)]));
  table("dead-letters", ["#", "failed at", "source", "order", "class", "message", "attempts",
                         "group", "host", "replays"],
        s.recent.slice().reverse().map(r => [num(r.n), r.failed_at,
          r.source ? r.source.topic + "[" + r.source.partition + "]@" + r.source.offset : "-",
          r.order ? r.order.orderId + " " + r.order.product : (r.key || "(undecodable)"),
          r.error_class, r.error_message || r.header_error || "-", num(r.attempts),
          r.consumer_group || "-", r.host || "-", num(r.replay_count)]));
}

const RENDER = {consumer: renderConsumer, producer: renderProducer, dlq: renderDlq};

async function poll() {
  const page = document.body.dataset.page;
  try {
    const res = await fetch("/api/state", {cache: "no-store"});
    if (!res.ok) throw new Error("HTTP " + res.status);
    RENDER[page](await res.json());
    document.body.dataset.updated = String(Date.now());
  } catch (e) {
    const status = document.getElementById("status");
    status.textContent = "disconnected";
    status.className = "badge bad";
  }
  setTimeout(poll, POLL_MS);
}

document.addEventListener("DOMContentLoaded", poll);
