#include "runtime/console_page.hpp"

namespace kis {

// One self-contained page: no CDN, no library. Every second it reads /metrics.json and redraws:
// the REST budget and calls per second by class, the WebSocket slots and who holds them,
// positions and P&L, the order blotter, each actor's mailbox and handler latency, warnings.
std::string_view console_page() {
  return R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kis-engine console</title>
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2430}
header{background:#1d2430;color:#fff;padding:8px 16px;display:flex;gap:24px;align-items:baseline}
header h1{font-size:16px;margin:0}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:12px;padding:12px}
section{background:#fff;border-radius:6px;padding:10px 12px;box-shadow:0 1px 2px #0002}
h2{font-size:13px;margin:0 0 6px;text-transform:uppercase;letter-spacing:.04em;color:#556}
table{border-collapse:collapse;width:100%}td,th{padding:2px 5px;text-align:right;white-space:nowrap}
#warnings td{white-space:normal;text-align:left;vertical-align:top}
th{color:#667;font-weight:600;border-bottom:1px solid #dde}td:first-child,th:first-child{text-align:left}
.gauge{height:14px;background:#e6e8ee;border-radius:7px;overflow:hidden;margin:4px 0}
.gauge div{height:100%;background:#3d7be0}.big{font-size:20px;font-weight:600}
.pos{color:#1a7f37}.neg{color:#c62828}.raised{color:#c62828}.cleared{color:#667}
.scroll{max-height:260px;overflow:auto}.muted{color:#889}
</style></head><body>
<header><h1>kis-engine</h1><span id="status">waiting for /metrics.json</span>
<span id="process"></span><span id="clock"></span></header>
<main>
<section><h2>REST budget</h2><div class="big" id="budget-text">-</div>
<div class="gauge"><div id="budget-bar" style="width:0"></div></div>
<table id="classes"><thead><tr><th>class</th><th>calls/s</th><th>waiting</th></tr></thead><tbody></tbody></table></section>
<section><h2>WebSocket slots</h2><div class="big" id="slots-text">-</div>
<div class="gauge"><div id="slots-bar" style="width:0"></div></div>
<div class="muted" id="slots-waiting"></div>
<div class="scroll"><table id="holders"><thead><tr><th>symbol</th><th>tier</th><th>score</th></tr></thead><tbody></tbody></table></div></section>
<section><h2>Positions and P&amp;L</h2><div class="big" id="pnl-text">-</div>
<table id="positions"><thead><tr><th>symbol</th><th>qty</th><th>avg</th><th>last</th><th>unrealised</th><th>realised</th></tr></thead><tbody></tbody></table></section>
<section><h2>Order blotter</h2><div class="scroll">
<table id="blotter"><thead><tr><th>order</th><th>symbol</th><th>side</th><th>status</th><th>qty</th><th>filled</th><th>avg</th><th>life s</th></tr></thead><tbody></tbody></table></div></section>
<section><h2>Actors</h2><div class="scroll">
<table id="actors"><thead><tr><th>actor</th><th>mailbox</th><th>max</th><th>msgs/s</th><th>p50 ms</th><th>p99 ms</th><th>errors</th></tr></thead><tbody></tbody></table></div></section>
<section><h2>Warnings</h2><div class="scroll"><table id="warnings"><tbody></tbody></table></div></section>
</main>
<script>
"use strict";
let prev = null;
const $ = id => document.getElementById(id);
const fmt = (v, d = 0) => Number(v).toLocaleString("en-US", {maximumFractionDigits: d, minimumFractionDigits: d});
const esc = s => String(s).replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));
const lab = (p, n) => { const l = p.labels.find(x => x.name === n); return l ? l.value : ""; };
function points(snap, name) { const out = []; for (const a of snap.actors) for (const p of a.values) if (p.name === name) out.push(Object.assign({actor: a.actor}, p)); return out; }
function total(snap, name, filter) { return points(snap, name).filter(p => !filter || filter(p)).reduce((s, p) => s + p.value, 0); }
function rows(id, list) { $(id).querySelector("tbody").innerHTML = list.map(r => "<tr>" + r.map(c => "<td>" + c + "</td>").join("") + "</tr>").join(""); }
function quantile(h, q) {
  if (!h || !h.count) return 0;
  const want = q * h.count;
  for (let i = 0; i < h.counts.length; ++i) if (h.counts[i] >= want) return i < h.bounds.length ? h.bounds[i] : h.bounds[h.bounds.length - 1];
  return 0;
}
function render(snap) {
  if (prev && snap.at_ns === prev.at_ns) return; // the same snapshot: nothing new
  const dt = prev ? (snap.at_ns - prev.at_ns) / 1e9 : 0;
  const rate = (name, f) => dt > 0 ? fmt((total(snap, name, f) - total(prev, name, f)) / dt, 1) : "-";
  $("process").textContent = "RSS " + fmt(snap.rss_bytes / 1048576, 1) + " MiB, CPU " + fmt(snap.cpu_percent, 1) + " %";
  $("clock").textContent = new Date(snap.at_ns / 1e6).toLocaleTimeString();
  const calls = total(snap, "rest_calls_last_second"), limit = total(snap, "rest_rate_limit");
  $("budget-text").textContent = fmt(calls) + " / " + fmt(limit) + " calls/s";
  $("budget-bar").style.width = (limit ? Math.min(100, 100 * calls / limit) : 0) + "%";
  const classes = points(snap, "permits_granted_total").map(p => lab(p, "class"));
  rows("classes", classes.map(c => [esc(c), rate("permits_granted_total", p => lab(p, "class") === c),
    fmt(total(snap, "permits_waiting", p => lab(p, "class") === c))]));
  const regs = total(snap, "ws_registrations"), cap = total(snap, "ws_registrations_limit");
  $("slots-text").textContent = fmt(regs) + " / " + fmt(cap) + " registrations";
  $("slots-bar").style.width = (cap ? 100 * regs / cap : 0) + "%";
  $("slots-waiting").textContent = fmt(total(snap, "ws_slot_waiting")) + " symbols polled while they wait for a slot, " +
    fmt(total(snap, "ws_slot_moves_total")) + " slot moves so far";
  rows("holders", points(snap, "ws_slot_score").sort((a, b) => b.value - a.value)
    .map(p => [esc(lab(p, "symbol")), esc(lab(p, "tier")), fmt(p.value, 2)]));
  const pos = {};
  for (const n of ["position_qty", "position_avg_price", "position_last_price", "position_realized_pnl_krw"])
    for (const p of points(snap, n)) (pos[lab(p, "symbol")] ??= {})[n] = p.value;
  let unreal = 0;
  rows("positions", Object.entries(pos).map(([s, v]) => {
    const u = v.position_qty ? (v.position_last_price - v.position_avg_price) * v.position_qty : 0;
    unreal += u;
    return [esc(s), fmt(v.position_qty), fmt(v.position_avg_price), fmt(v.position_last_price),
      "<span class=" + (u >= 0 ? "pos" : "neg") + ">" + fmt(u) + "</span>", fmt(v.position_realized_pnl_krw)];
  }));
  $("pnl-text").textContent = fmt(total(snap, "realized_pnl_krw")) + " KRW realised, " + fmt(unreal) + " unrealised";
  const byId = {};
  for (const n of ["blotter_filled_qty", "blotter_avg_price", "blotter_life_seconds"])
    for (const p of points(snap, n)) (byId[lab(p, "id")] ??= {})[n] = p.value;
  rows("blotter", points(snap, "blotter_qty").reverse().map(p => {
    const o = byId[lab(p, "id")] || {};
    return [esc(lab(p, "id")), esc(lab(p, "symbol")), esc(lab(p, "side")), esc(lab(p, "status")), fmt(p.value),
      fmt(o.blotter_filled_qty || 0), fmt(o.blotter_avg_price || 0), fmt(o.blotter_life_seconds || 0, 2)];
  }));
  const before = {};
  if (prev) for (const a of prev.actors) before[a.actor] = a.processed;
  rows("actors", snap.actors.map(a => [esc(a.actor), fmt(a.mailbox_depth), fmt(a.mailbox_depth_max),
    dt > 0 && a.actor in before ? fmt((a.processed - before[a.actor]) / dt, 1) : "-",
    fmt(1000 * quantile(a.processing, 0.5), 2), fmt(1000 * quantile(a.processing, 0.99), 2), fmt(a.errors)]));
  rows("warnings", (snap.warnings || []).slice().reverse().map(w => [new Date(w.at_ns / 1e6).toLocaleTimeString(),
    "<span class=" + (w.raised ? "raised" : "cleared") + ">" + esc(w.message) + "</span>"]));
  if (!(snap.warnings || []).length) rows("warnings", [["<span class=muted>no warning: nothing needs a person</span>"]]);
  $("status").textContent = "updated " + new Date().toLocaleTimeString();
  if (!prev || snap.at_ns !== prev.at_ns) prev = snap;
}
async function refresh() {
  try {
    const r = await fetch("/metrics.json", {cache: "no-store"});
    if (!r.ok) throw new Error("HTTP " + r.status);
    render(await r.json());
  } catch (e) { $("status").textContent = "engine unreachable: " + e.message; }
}
refresh();
setInterval(refresh, 1000);
</script></body></html>
)html";
}

} // namespace kis
