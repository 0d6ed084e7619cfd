// The results browser: one page, routed by the URL's hash so that every view
// is a link (#/runs?verdict=invalid, #/run/ID, #/suite/ID, #/compare?a=&b=).
// Everything shown comes from /api/... as JSON; every text is escaped.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const enc = encodeURIComponent;
const fileUrl = (id, path) => "/files/" + (id ? id.split("/").map(enc).join("/") + "/" : "") + path.split("/").map(enc).join("/");
const badge = (v) => `<span class="verdict v-${esc(v)}">${esc(v)}</span>`;
const when = (utc) => esc((utc || "").replace("T", " ").replace(/\.\d+Z$|Z$/, ""));

async function api(path) {
  const r = await fetch(path);
  const body = await r.json().catch(() => ({ error: "not JSON (" + r.status + ")" }));
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

function parseHash() {
  const h = location.hash.replace(/^#\/?/, "");
  const q = h.indexOf("?");
  const path = q < 0 ? h : h.slice(0, q);
  const params = new URLSearchParams(q < 0 ? "" : h.slice(q + 1));
  return { path, params };
}

// ---- live: one event stream for every page --------------------------------
const live = { generation: null, running: new Map(), listeners: new Set() };
function connectEvents() {
  const es = new EventSource("/api/events");
  es.onmessage = (m) => {
    const e = JSON.parse(m.data);
    const changed = live.generation !== null && e.generation !== live.generation;
    live.generation = e.generation;
    live.running = new Map(e.running.map((r) => [r.id, r]));
    $("#live-status").textContent = e.running.length ? `${e.running.length} running` : "live";
    for (const l of live.listeners) l(e, changed);
  };
  es.onerror = () => { $("#live-status").textContent = "reconnecting…"; };
}
function progressText(p) {
  if (!p || typeof p !== "object" || p.unreadable) return "starting…";
  const faults = (p.active_faults || []).join(", ") || "none";
  return `[${p.phase}] ${Math.round(p.main_s)}/${Math.round(p.planned_s)} s · ok ${p.ok} fail ${p.fail} info ${p.info} · ${Math.round(p.operations_per_s)} ops/s · faults: ${faults}`;
}

// ---- runs list --------------------------------------------------------------
const COLUMNS = [
  ["started", "started"], ["name", "name"], ["system", "system"], ["workload", "workload"], [null, "faults"],
  ["duration", "duration"], ["operations", "ops"], ["verdict", "verdict"], ["lost", "lost / failing"], ["seed", "seed"],
];

async function runsPage(params) {
  const q = new URLSearchParams(params);
  const data = await api("/api/runs?" + q.toString());
  const f = data.facets;
  const opt = (list, sel) => `<option value="">any</option>` + list.map((x) => `<option${x === sel ? " selected" : ""}>${esc(x)}</option>`).join("");
  const sort = params.get("sort") || "started", order = params.get("order") || "desc";
  const verdicts = ["valid", "invalid", "unknown", "running", "incomplete", "damaged"];
  let html = `<h1>Runs</h1>`;
  if (!data.results_exists) html += `<p class="muted" id="empty-note">${esc(data.results)} does not exist (yet): no runs.</p>`;
  else if (!data.total) html += `<p class="muted" id="empty-note">No runs under ${esc(data.results)} yet.</p>`;
  html += `<form class="filters" id="filters">
    <label>verdict<select name="verdict">${opt(verdicts, params.get("verdict") || "")}</select></label>
    <label>system<select name="system">${opt(f.systems, params.get("system") || "")}</select></label>
    <label>workload<select name="workload">${opt(f.workloads, params.get("workload") || "")}</select></label>
    <label>fault<select name="fault">${opt(f.faults, params.get("fault") || "")}</select></label>
    <label>name<input name="name" value="${esc(params.get("name") || "")}" placeholder="substring"></label>
    <label>from<input name="from" type="date" value="${esc(params.get("from") || "")}"></label>
    <label>to<input name="to" type="date" value="${esc(params.get("to") || "")}"></label>
    <button type="submit">filter</button> <a href="#/">clear</a>
  </form>
  <p id="runs-count">${data.matched} of ${data.total} runs · ${Object.entries(f.verdicts).map(([k, n]) => `${esc(k)} ${n}`).join(" · ")}</p>
  <p>compare: select two runs <button id="compare" disabled>compare</button></p>
  <table id="runs"><thead><tr><th></th>${COLUMNS.map(([key, label]) => key
      ? `<th class="sortable${key === sort ? " sorted-" + order : ""}" data-sort="${key}">${label}</th>` : `<th>${label}</th>`).join("")}</tr></thead><tbody>`;
  for (const r of data.runs) {
    const failing = r.failing.length ? esc(r.failing.join(", ")) : "";
    html += `<tr class="run-row" data-id="${esc(r.id)}" data-verdict="${esc(r.verdict)}" data-state="${esc(r.state)}">
      <td><input type="checkbox" class="pick" value="${esc(r.id)}"></td>
      <td>${when(r.started_utc)}</td><td><a href="#/run/${esc(r.id)}">${esc(r.name)}</a><br><span class="muted">${esc(r.id)}</span></td>
      <td>${esc(r.system)}</td><td>${esc(r.workload)}</td><td>${esc(r.faults.join(", "))}</td>
      <td>${r.duration_s ? r.duration_s.toFixed(1) + " s" : ""}</td><td>${r.operations || ""}</td>
      <td>${badge(r.state === "finished" ? r.verdict : r.state)}${r.problem ? `<div class="problem">${esc(r.problem)}</div>` : ""}
          <div class="live-progress muted"></div></td>
      <td>${r.lost ? `<b>${r.lost} lost</b> ` : ""}${failing}</td><td>${r.seed ?? ""}</td></tr>`;
  }
  html += `</tbody></table><div class="pager">page ${data.page} of ${data.pages}
    <button id="prev"${data.page <= 1 ? " disabled" : ""}>previous</button><button id="next"${data.page >= data.pages ? " disabled" : ""}>next</button></div>`;
  $("#main").innerHTML = html;

  const go = (changes) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) v === "" || v == null ? p.delete(k) : p.set(k, v);
    location.hash = "#/runs?" + p.toString();
  };
  $("#filters").onsubmit = (e) => {
    e.preventDefault();
    const changes = { page: "" };
    for (const el of e.target.elements) if (el.name) changes[el.name] = el.value;
    go(changes);
  };
  for (const sel of $("#filters").querySelectorAll("select")) sel.onchange = () => $("#filters").requestSubmit();
  for (const th of document.querySelectorAll("th.sortable"))
    th.onclick = () => go({ sort: th.dataset.sort, order: th.dataset.sort === sort && order === "desc" ? "asc" : "desc" });
  $("#prev").onclick = () => go({ page: data.page - 1 });
  $("#next").onclick = () => go({ page: data.page + 1 });
  const picks = () => [...document.querySelectorAll(".pick:checked")].map((c) => c.value);
  for (const c of document.querySelectorAll(".pick")) c.onchange = () => { $("#compare").disabled = picks().length !== 2; };
  $("#compare").onclick = () => { const [a, b] = picks(); location.hash = `#/compare?a=${enc(a)}&b=${enc(b)}`; };

  const paint = (e, changed) => {
    if (changed) return route();  // a run appeared or ended: the list is redrawn
    for (const row of document.querySelectorAll("tr.run-row[data-state=running]")) {
      const r = live.running.get(row.dataset.id);
      row.querySelector(".live-progress").textContent = r ? progressText(r.progress) : "";
    }
  };
  live.listeners.add(paint);
  return () => live.listeners.delete(paint);
}

// ---- one run ----------------------------------------------------------------
const PICTURE = /\.(svg|png)$/;

async function runPage(id) {
  const d = await api("/api/run?id=" + enc(id));
  const s = d.summary, res = d.results || {};
  const checkers = res.checkers || {};
  const top = d.files.filter((f) => !f.path.includes("/"));
  const pictures = top.filter((f) => PICTURE.test(f.path));
  const has = (p) => d.files.some((f) => f.path === p);
  const reproduce = (res.why && res.why.reproduce) || [`eclat replay ${id}`, `eclat test --scenario ${id}/scenario.json`];
  let html = `<h1>${esc(s.name)} ${badge(s.state === "finished" ? s.verdict : s.state)}</h1>
    <p class="muted">${esc(id)} · started ${when(s.started_utc)} · ${esc(s.system)} / ${esc(s.workload)} · faults: ${esc(s.faults.join(", ") || "none")}
      · seed ${s.seed ?? "?"} · ${s.operations} operations · ${s.duration_s.toFixed(1)} s</p>`;
  if (s.problem) html += `<p class="problem" id="problem">${esc(s.problem)}</p>`;
  if (d.replay) html += `<p>a replay of <a href="#/run/${esc(d.replay.replay_of_id || "")}">${esc(d.replay.replay_of)}</a></p>`;
  if (s.state === "running") html += `<section><h2>Live</h2><p id="live-progress">${esc(progressText(d.progress))}</p></section>`;
  html += `<section><h2>Checkers</h2><table id="checkers"><thead><tr><th>checker</th><th>verdict</th><th>summary</th></tr></thead><tbody>`;
  for (const [name, c] of Object.entries(checkers))
    html += `<tr data-checker="${esc(name)}"><td>${esc(name)}</td><td>${badge(c.valid === true ? "valid" : c.valid === false ? "invalid" : "unknown")}</td><td>${esc(c.summary)}</td></tr>`;
  html += `</tbody></table>${res.error ? `<p class="problem">error: ${esc(res.error)}</p>` : ""}</section>`;
  if (d.why_text) html += `<section><h2>Why it failed</h2><pre id="why">${esc(d.why_text)}</pre></section>`;
  html += `<section><h2>Reproduce</h2><pre id="reproduce">${esc(reproduce.join("\n"))}</pre></section>`;
  if (has("timeline.html"))
    html += `<section><h2>Timeline</h2><p><a id="timeline-link" href="${fileUrl(id, "timeline.html")}" target="_blank">timeline.html</a>
      ${res.why ? ` · <a href="${fileUrl(id, "timeline.html")}#highlight=counterexample|lost" target="_blank">highlighted operations</a>` : ""}</p></section>`;
  if (pictures.length)
    html += `<section class="pictures" id="pictures"><h2>Pictures</h2>${pictures.map((f) =>
      `<figure><figcaption>${esc(f.path)}</figcaption><img src="${fileUrl(id, f.path)}" alt="${esc(f.path)}"></figure>`).join("")}</section>`;
  html += `<section><h2>Faults</h2><table id="faults"><thead><tr><th>run s</th><th>fault</th><th>value</th></tr></thead><tbody>${
    d.faults.map((f) => `<tr><td>${f.run_s != null ? Number(f.run_s).toFixed(3) : ""}</td><td>${esc(f.f ?? f.text)}</td><td>${esc(f.value !== undefined ? JSON.stringify(f.value) : "")}${f.error ? " error: " + esc(f.error) : ""}</td></tr>`).join("")
  }</tbody></table></section>`;
  html += `<section><h2>History</h2><form class="filters" id="history-form">
      <label>key<input name="key"></label><label>process<input name="process" size="7" placeholder="3, nemesis"></label>
      <label>f<input name="f" size="10"></label>
      <label>type<select name="type"><option value="">any</option><option>invoke</option><option>ok</option><option>fail</option><option>info</option></select></label>
      <label>value contains<input name="value"></label><label>from s<input name="from" size="6"></label><label>to s<input name="to" size="6"></label>
      <button type="submit">search</button></form>
      <p id="history-count" class="muted"></p><table id="history-results"></table><div class="pager" id="history-pager"></div></section>`;
  html += `<section><h2>Logs</h2><form class="filters" id="log-form"><label>process<select name="node"><option value="">all</option></select></label>
      <label>around s<input name="around" size="6"></label><label>window s<input name="window" size="4" value="5"></label><button type="submit">show</button></form>
      <pre id="log">…</pre></section>`;
  html += `<section><h2>Scenario</h2><pre id="scenario">${esc(JSON.stringify(d.scenario, null, 2))}</pre></section>`;
  html += `<section><h2>Files</h2><ul id="files">${d.files.map((f) =>
    `<li><a href="${fileUrl(id, f.path)}">${esc(f.path)}</a> <span class="muted">${f.bytes} bytes</span> <a href="${fileUrl(id, f.path)}?download=1">download</a></li>`).join("")}</ul></section>`;
  $("#main").innerHTML = html;

  // History: a page of 100 at a time, searched on the server.
  let offset = 0;
  const search = async () => {
    const p = new URLSearchParams({ id, offset, limit: 100 });
    for (const el of $("#history-form").elements) if (el.name && el.value !== "") p.set(el.name, el.value);
    try {
      const h = await api("/api/run/history?" + p.toString());
      $("#history-count").textContent = `${h.matched} of ${h.operations} operations match` +
        (h.truncated_tail ? " · the last line is partial (a live or killed run)" : "") + (h.unreadable_lines ? ` · ${h.unreadable_lines} unreadable lines` : "");
      $("#history-results").innerHTML = `<thead><tr><th>line</th><th>index</th><th>time s</th><th>process</th><th>type</th><th>f</th><th>key</th><th>value</th><th>error</th></tr></thead><tbody>` +
        h.ops.map((o, i) => `<tr class="history-op"><td>${h.line_numbers[i]}</td><td>${o.index ?? ""}</td><td>${o.time != null ? (o.time / 1e9).toFixed(3) : ""}</td><td>${esc(o.process)}</td>
          <td>${esc(o.type)}</td><td>${esc(o.f)}</td><td>${esc(o.key ?? "")}</td><td>${esc(JSON.stringify(o.value ?? null))}</td><td>${esc(o.error ?? "")}</td></tr>`).join("") + "</tbody>";
      $("#history-pager").innerHTML = `<button id="h-prev"${offset ? "" : " disabled"}>previous</button><button id="h-next"${offset + 100 < h.matched ? "" : " disabled"}>next</button>`;
      $("#h-prev").onclick = () => { offset = Math.max(0, offset - 100); search(); };
      $("#h-next").onclick = () => { offset += 100; search(); };
    } catch (e) {
      $("#history-count").textContent = "search failed: " + e.message;
    }
  };
  $("#history-form").onsubmit = (e) => { e.preventDefault(); offset = 0; search(); };
  if (has("history.jsonl")) search();

  const showLog = async () => {
    const p = new URLSearchParams({ id });
    for (const el of $("#log-form").elements) if (el.name && el.value !== "") p.set(el.name, el.value);
    if (!p.get("around")) p.delete("window");
    try {
      const l = await api("/api/run/log?" + p.toString());
      const sel = $("#log-form").elements.node;
      if (sel.options.length === 1) for (const n of l.processes) sel.add(new Option(n, n));
      $("#log").textContent = l.lines.map((x) => `${x.t.toFixed(3).padStart(9)}${x.approximate ? "~" : " "} ${x.source.padEnd(6)} | ${x.text}`).join("\n") +
        (l.matched > l.lines.length ? `\n… ${l.matched - l.lines.length} more lines (narrow with around/window)` : "");
    } catch (e) {
      $("#log").textContent = "no logs: " + e.message;
    }
  };
  $("#log-form").onsubmit = (e) => { e.preventDefault(); showLog(); };
  showLog();

  if (s.state !== "running") return null;
  const paint = (e, changed) => {
    const r = live.running.get(id);
    if (!r) return route();  // it ended: show its verdict
    $("#live-progress").textContent = progressText(r.progress);
  };
  live.listeners.add(paint);
  return () => live.listeners.delete(paint);
}

// ---- two runs side by side -------------------------------------------------
async function comparePage(params) {
  const [a, b] = await Promise.all([api("/api/run?id=" + enc(params.get("a") || "")), api("/api/run?id=" + enc(params.get("b") || ""))]);
  const rows = [];
  const row = (label, x, y) => rows.push(`<tr class="${JSON.stringify(x) === JSON.stringify(y) ? "" : "differs"}"><th>${esc(label)}</th><td>${x}</td><td>${y}</td></tr>`);
  const v = (d) => badge(d.summary.state === "finished" ? d.summary.verdict : d.summary.state);
  row("run", `<a href="#/run/${esc(a.summary.id)}">${esc(a.summary.id)}</a>`, `<a href="#/run/${esc(b.summary.id)}">${esc(b.summary.id)}</a>`);
  row("verdict", v(a), v(b));
  for (const k of ["system", "workload", "seed", "operations", "lost"]) row(k, esc(a.summary[k]), esc(b.summary[k]));
  row("faults", esc(a.summary.faults.join(", ")), esc(b.summary.faults.join(", ")));
  const names = new Set([...Object.keys((a.results || {}).checkers || {}), ...Object.keys((b.results || {}).checkers || {})]);
  for (const n of names) {
    const c = (d) => { const x = ((d.results || {}).checkers || {})[n]; return x ? badge(x.valid === true ? "valid" : x.valid === false ? "invalid" : "unknown") + " " + esc(x.summary) : "—"; };
    row("checker " + n, c(a), c(b));
  }
  const starts = (d) => d.faults.filter((f) => String(f.f || "").startsWith("start-")).map((f) => `${Number(f.run_s ?? f.t ?? 0).toFixed(2)} s ${esc(f.f)}`).join("<br>");
  row("fault starts", starts(a), starts(b));
  $("#main").innerHTML = `<h1>Two runs</h1><table id="compare-table"><thead><tr><th></th><th>A</th><th>B</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
  return null;
}

// ---- suites -------------------------------------------------------------------
async function suitesPage() {
  const d = await api("/api/suites");
  $("#main").innerHTML = `<h1>Suites</h1>` + (d.suites.length ? `<table id="suites"><thead><tr><th>suite</th><th>started</th><th>scenarios</th><th>as expected</th><th></th></tr></thead><tbody>${
    d.suites.map((s) => `<tr><td><a href="#/suite/${esc(s.id)}">${esc(s.id)}</a></td><td>${when(s.started_utc)}</td><td>${s.cases}</td>
      <td>${s.as_expected} / ${s.cases}</td><td>${s.finished ? "" : badge("running")}</td></tr>`).join("")}</tbody></table>` : `<p class="muted">No suite results yet (eclat suite writes them).</p>`);
  return null;
}

async function suitePage(id) {
  const s = await api("/api/suite?id=" + enc(id));
  let html = `<h1>Suite ${esc(id)}</h1><p class="muted">started ${when(s.started_utc)} · ${s.cases.length} run · ${Number(s.total_s || 0).toFixed(0)} s${s.finished ? "" : " · still running"}</p>`;
  if (s.report) html += `<p><a href="${fileUrl("", s.report)}" target="_blank">the suite's report</a></p>`;
  html += `<h2>Scenarios</h2><table id="suite-scenarios"><thead><tr><th>scenario</th><th>runs</th><th>as expected</th><th>verdicts</th><th></th></tr></thead><tbody>${
    s.scenarios.map((x) => `<tr><td>${esc(x.scenario)}</td><td>${x.runs}</td><td>${x.as_expected} / ${x.runs} (${Math.round(100 * x.as_expected / x.runs)} %)</td>
      <td>${Object.entries(x.verdicts).map(([k, n]) => `${esc(k)} ${n}`).join(", ")}</td><td>${x.flaky ? "<b>flaky</b>" : ""}</td></tr>`).join("")}</tbody></table>`;
  html += `<h2>Runs</h2><table id="suite-cases"><thead><tr><th>scenario</th><th>expected</th><th>got</th><th></th><th>time</th><th>run</th></tr></thead><tbody>${
    s.cases.map((c) => `<tr><td>${esc(c.scenario)}</td><td>${esc(c.expected)}</td><td>${badge(c.got)}</td><td>${c.as_expected ? "as expected" : "<b>MISMATCH</b>"}</td>
      <td>${Number(c.seconds).toFixed(1)} s</td><td>${c.run_id ? `<a href="#/run/${esc(c.run_id)}">${esc(c.run_id)}</a>` : esc(c.run_dir || "")}</td></tr>`).join("")}</tbody></table>`;
  if ((s.pending || []).length) html += `<p class="muted">still to run: ${esc(s.pending.join(", "))}</p>`;
  $("#main").innerHTML = html;
  return null;
}

// ---- routing -------------------------------------------------------------------
let leave = null;
async function route() {
  if (leave) leave();
  leave = null;
  const { path, params } = parseHash();
  try {
    if (path.startsWith("run/")) leave = await runPage(decodeURIComponent(path.slice(4)));
    else if (path === "compare") leave = await comparePage(params);
    else if (path === "suites") leave = await suitesPage();
    else if (path.startsWith("suite/")) leave = await suitePage(decodeURIComponent(path.slice(6)));
    else leave = await runsPage(params);
  } catch (e) {
    $("#main").innerHTML = `<p class="problem" id="error">${esc(e.message)}</p>`;
  }
  document.body.dataset.ready = String(Date.now());  // tests wait on it
}
window.addEventListener("hashchange", route);
connectEvents();
route();
