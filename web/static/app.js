// pianchai drafting page: live verdicts on one explanation; upload a form → report + workbook.
// Plain DOM, no framework, no CDN. Every text from the server or a file goes in via textContent.
"use strict";

const $ = (id) => document.getElementById(id);
const AXIS_ZH = { specific: "具体", generic: "笼统", absent: "缺失" };
const LEVEL_ZH = { error: "错误", warning: "警告", info: "提示" };
const DEBOUNCE_MS = 250;

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function number(value) {
  const s = value.trim().replace(/,/g, "");
  if (s === "") return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    return body.message || body.error || `HTTP ${response.status}`;
  } catch (e) {
    return `HTTP ${response.status} ${response.statusText}`;
  }
}

// ---- live explanation verdicts ------------------------------------------------------------------

let timer = null;
let inflight = null;
let seq = 0;

function scheduleExplain() {
  clearTimeout(timer);
  $("explain-status").textContent = "…";
  timer = setTimeout(runExplain, DEBOUNCE_MS);
}

async function runExplain() {
  const mine = ++seq;
  if (inflight) inflight.abort();
  inflight = new AbortController();
  const payload = {
    text: $("text").value,
    indicator: $("indicator").value.trim(),
    target: $("target").value.trim(),
    actual: $("actual").value.trim(),
    weight: number($("weight").value),
    score: number($("score").value),
  };
  try {
    const r = await fetch("/api/explain", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
      signal: inflight.signal,
    });
    if (mine !== seq) return;                    // a newer keystroke has its own request
    if (!r.ok) throw new Error(await errorMessage(r));
    const verdict = await r.json();
    if (mine !== seq) return;
    $("explain-error").hidden = true;
    renderVerdict(verdict);
    $("explain-status").textContent = "";
  } catch (e) {
    if (e.name === "AbortError" || mine !== seq) return;
    $("explain-status").textContent = "";
    $("explain-error").textContent = `无法评判：${e.message}`;
    $("explain-error").hidden = false;
  }
}

function setBadge(id, cls, text) {
  const b = $(id);
  b.className = `badge ${cls}`;
  b.textContent = text;
}

function renderVerdict(v) {
  const empty = !v.text.trim();
  setBadge("cause", empty ? "none" : v.cause, empty ? "—" : AXIS_ZH[v.cause] || v.cause);
  setBadge("measure", empty ? "none" : v.measure, empty ? "—" : AXIS_ZH[v.measure] || v.measure);
  if (empty) setBadge("flagged", "none", "—");
  else setBadge("flagged", v.flagged ? "flagged" : "pass", v.flagged ? "需修改" : "合格");
  $("cause").title = probaTitle(v.cause_proba);
  $("measure").title = probaTitle(v.measure_proba);
  renderHighlights(v.text, (v.evidence && v.evidence.vague) || []);
  const list = $("suggestions");
  list.replaceChildren();
  if (!empty) {
    for (const s of (v.evidence && v.evidence.suggestions) || []) list.append(el("li", {}, s));
  }
}

function probaTitle(p) {
  if (!p) return "";
  return Object.entries(p).map(([k, x]) => `${AXIS_ZH[k] || k} ${(x * 100).toFixed(0)}%`).join("  ");
}

// Offsets from the server count Unicode code points (Python str); index by code point here too.
function renderHighlights(text, vague) {
  const box = $("highlighted");
  box.replaceChildren();
  if (!text.trim()) return;
  const chars = Array.from(text);
  const spans = vague
    .filter((v) => Number.isInteger(v.start) && Number.isInteger(v.end) && v.end > v.start)
    .sort((a, b) => a.start - b.start);
  let pos = 0;
  for (const v of spans) {
    if (v.start < pos) continue;                 // overlapping hit: keep the first
    if (v.start > pos) box.append(document.createTextNode(chars.slice(pos, v.start).join("")));
    const axis = v.axis === "cause" ? "原因" : "措施";
    const tip = `${axis}笼统：${v.reason}\n建议：${v.suggestion}`;
    const mark = el("mark", {
      class: `vague axis-${v.axis}`, title: tip, "data-tip": tip, tabindex: "0",
      "data-axis": v.axis,
    }, chars.slice(v.start, v.end).join(""));
    box.append(mark);
    pos = v.end;
  }
  if (pos < chars.length) box.append(document.createTextNode(chars.slice(pos).join("")));
}

for (const id of ["text", "indicator", "target", "actual", "weight", "score"]) {
  $(id).addEventListener("input", scheduleExplain);
}

// ---- upload a form ------------------------------------------------------------------------------

function uploadBody() {
  const file = $("file").files[0];
  const body = new FormData();
  body.append("file", file, file.name);
  body.append("no_nlp", $("no-nlp").checked ? "true" : "false");
  return body;
}

function showUploadError(message) {
  $("upload-error").textContent = message;
  $("upload-error").hidden = false;
}

$("file").addEventListener("change", () => {
  $("download-btn").disabled = !$("file").files.length;
  $("upload-error").hidden = true;
  $("report").replaceChildren();
});

$("upload-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!$("file").files.length) return showUploadError("请先选择一个自评表文件。");
  $("upload-error").hidden = true;
  $("report").replaceChildren();
  $("check-status").textContent = "检查中…";
  $("check-btn").disabled = true;
  $("download-btn").disabled = true;           // until this file has been read
  let readable = false;
  try {
    const r = await fetch("/api/check", { method: "POST", body: uploadBody() });
    if (!r.ok) {
      const why = await errorMessage(r);
      const head = { 413: "文件过大", 422: "无法读取该文件", 504: "检查超时" }[r.status] || "检查失败";
      return showUploadError(`${head}：${why}`);
    }
    renderReport(await r.json());
    readable = true;
    $("report").scrollIntoView({ block: "start" });
  } catch (e) {
    showUploadError(`检查失败：${e.message}`);
  } finally {
    $("check-status").textContent = "";
    $("check-btn").disabled = false;
    // a file that could not be checked cannot be annotated either: choose another file first
    $("download-btn").disabled = !readable;
  }
});

function renderReport(report) {
  const root = $("report");
  root.replaceChildren();
  const s = report.summary || {};
  root.append(el("p", { class: "summary", id: "report-summary" },
    `${s.forms ?? report.forms.length} 张表，${s.lost_point_indicators ?? 0} 个指标扣分：` +
    `${s.errors ?? 0} 个错误，${s.warnings ?? 0} 个警告，${s.info ?? 0} 个提示`));
  for (const err of report.errors || []) root.append(el("div", { class: "error" }, `${err.file}: ${err.message}`));
  for (const form of report.forms) {
    const title = `${form.project || "（未命名项目）"}${form.year ? `（${form.year} 年度）` : ""}`;
    root.append(el("h3", {}, title));
    if (!form.findings.length) {
      root.append(el("p", {}, "未发现问题。"));
      continue;
    }
    const table = el("table", { class: "findings" });
    const head = el("tr");
    for (const h of ["级别", "代码", "位置", "指标", "问题", "建议"]) head.append(el("th", {}, h));
    const thead = el("thead");
    thead.append(head);
    table.append(thead);
    const tbody = el("tbody");
    const byLine = new Map();
    for (const ind of form.indicators || []) {
      if (ind.source && ind.source.line != null) byLine.set(`${ind.source.sheet}:${ind.source.line}`, ind);
    }
    for (const f of form.findings) {
      const row = el("tr", { class: `level-${f.level}`, "data-code": f.code });
      const ind = f.field === "explanation" ? byLine.get(`${f.sheet}:${f.line}`) : undefined;
      const where = [f.sheet, f.cell || (f.line != null ? `第 ${f.line} 行` : "")].filter(Boolean).join(" ");
      row.append(el("td", { class: "level" }, LEVEL_ZH[f.level] || f.level), el("td", { class: "nowrap" }, f.code),
        el("td", { class: "nowrap" }, where), el("td", {}, f.indicator || ""), el("td", {}, f.message),
        el("td", { class: "suggestion" }, f.suggestion || ""));
      if (ind) {
        const edit = el("button", { type: "button", class: "edit", title: "把这条说明放到上方，边改边看结论" }, "修改");
        edit.addEventListener("click", () => editIndicator(ind));
        row.lastChild.append(edit);
      }
      tbody.append(row);
    }
    table.append(tbody);
    root.append(table);
  }
}

// Load an indicator from the report into the explanation box, to rewrite it with live verdicts.
function editIndicator(ind) {
  $("indicator").value = ind.indicator || "";
  $("target").value = ind.target || "";
  $("actual").value = ind.actual || "";
  $("weight").value = ind.weight ?? "";
  $("score").value = ind.score ?? "";
  $("text").value = ind.explanation || "";
  $("explain-section").scrollIntoView({ block: "start" });
  $("text").focus();
  scheduleExplain();
}

$("download-btn").addEventListener("click", async () => {
  if (!$("file").files.length) return;
  $("upload-error").hidden = true;
  $("check-status").textContent = "生成批注工作簿…";
  $("download-btn").disabled = true;
  let done = false;
  try {
    const r = await fetch("/api/annotate", { method: "POST", body: uploadBody() });
    if (!r.ok) return showUploadError(`无法生成工作簿：${await errorMessage(r)}`);
    const blob = await r.blob();
    const stem = $("file").files[0].name.replace(/\.[^.]*$/, "") || "form";
    const a = el("a", { href: URL.createObjectURL(blob), download: `${stem}.checked.xlsx` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
    done = true;
  } catch (e) {
    showUploadError(`无法生成工作簿：${e.message}`);
  } finally {
    // the spinner stops either way; after a failure the button stays off until another file
    $("check-status").textContent = done ? "已下载。" : "";
    $("download-btn").disabled = !done;
  }
});
