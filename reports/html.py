"""The batch report of `pianchai score --report FILE.html`: one self-contained page.

No network and no JavaScript: inline CSS and SVG charts drawn here. Every text from a form is
escaped. `BatchSummary` is fed the output rows one by one (it keeps counters, not rows, so its
size does not grow with the number of forms) and `write_report` renders it.
"""
from __future__ import annotations

import html
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

BIN = 5            # score histogram bin width (points)
TOP = 15           # rows in each ranking


def esc(x) -> str:
    return html.escape("" if x is None else str(x), quote=True)


class BatchSummary:
    """Counters over the form, indicator and error tables."""

    def __init__(self):
        self.files = 0                          # rows come file by file: count changes
        self._last_file = None
        self.forms = 0
        self.indicators = 0
        self.stated: Counter = Counter()       # bin → forms
        self.recomputed: Counter = Counter()
        self.mismatch = 0
        self.with_both = 0
        self.codes: Counter = Counter()
        self.vague: Counter = Counter()
        self.dept_judged: Counter = Counter()
        self.dept_flagged: Counter = Counter()
        self.labels: Counter = Counter()
        self.errors: Counter = Counter()        # stage → rows
        self.error_files = 0
        self._last_error_file = None
        self.judged = 0

    def observe(self, table: str, row: dict) -> None:
        if table == "forms":
            self.forms += 1
            if row.get("file") != self._last_file:
                self.files += 1
                self._last_file = row.get("file")
            s, r = row.get("stated_total"), row.get("recomputed_total")
            if s is not None:
                self.stated[_bin(s)] += 1
            if r is not None:
                self.recomputed[_bin(r)] += 1
            if s is not None and r is not None:
                self.with_both += 1
                self.mismatch += abs(s - r) > 0.01
            for k, v in row.items():
                if k.startswith("PC") and k[2:].isdigit() and v:
                    self.codes[k] += int(v)
        elif table == "indicators":
            self.indicators += 1
            if row.get("cause"):
                self.judged += 1
                dept = row.get("department") or "（未填主管部门）"
                self.dept_judged[dept] += 1
                self.dept_flagged[dept] += bool(row.get("flagged"))
                self.labels[("cause", row["cause"])] += 1
                self.labels[("measure", row.get("measure"))] += 1
            phrases = row.get("vague_phrases")
            if phrases:
                for p in phrases.split("|"):
                    if p:
                        self.vague[p] += 1
        elif table == "errors":
            self.errors[row.get("stage") or "?"] += 1
            if row.get("file") != self._last_error_file:
                self.error_files += 1
                self._last_error_file = row.get("file")


def _bin(x: float) -> int:
    x = max(0.0, float(x))
    return min(int(x // BIN) * BIN, 100)


# ---- SVG ----------------------------------------------------------------------------------

PALETTE = {"stated": "#4f6d9a", "recomputed": "#d08c3f", "bar": "#5b8a72", "warn": "#b5523b",
           "grid": "#e3e3e3", "text": "#333"}


def hbar_svg(items: list[tuple[str, float, str]], *, width: int = 760, color: str = PALETTE["bar"],
             label_width: int = 300, fmt=lambda v: f"{v:g}") -> str:
    """Horizontal bars: (label, value, tooltip) from the top."""
    if not items:
        return '<p class="none">（无）</p>'
    row_h, pad = 22, 4
    h = row_h * len(items) + pad * 2
    top = max(v for _, v, _ in items) or 1
    span = width - label_width - 70
    out = [f'<svg role="img" width="{width}" height="{h}" viewBox="0 0 {width} {h}" '
           f'xmlns="http://www.w3.org/2000/svg" font-size="12">']
    for i, (label, value, tip) in enumerate(items):
        y = pad + i * row_h
        w = max(1.0, span * value / top)
        room = label_width // 7                 # ~7 px per Latin character at 12 px
        short = label if len(label) <= room else label[:room - 1] + "…"
        out.append(f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" '
                   f'fill="{PALETTE["text"]}">{esc(short)}<title>{esc(label)}</title></text>')
        out.append(f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
                   f'fill="{color}"><title>{esc(tip or label)}</title></rect>')
        out.append(f'<text x="{label_width + w + 4:.1f}" y="{y + 15}" fill="{PALETTE["text"]}">'
                   f'{esc(fmt(value))}</text>')
    out.append("</svg>")
    return "".join(out)


def hist_svg(series: dict[str, Counter], *, width: int = 760, height: int = 260) -> str:
    """Grouped vertical bars over score bins 0–5 … 95–100 (and 100 exactly)."""
    bins = sorted(set().union(*[set(c) for c in series.values()])) if series else []
    if not bins:
        return '<p class="none">（无得分数据）</p>'
    lo = min(bins)
    bins = list(range(lo, 101, BIN))
    left, bottom, top_pad = 44, 34, 24
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    peak = max((c.get(b, 0) for c in series.values() for b in bins), default=1) or 1
    group_w = plot_w / len(bins)
    bar_w = max(2.0, (group_w - 4) / max(1, len(series)))
    out = [f'<svg role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'xmlns="http://www.w3.org/2000/svg" font-size="11">']
    for k in range(5):
        v = peak * k / 4
        y = top_pad + plot_h - plot_h * k / 4
        out.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="{PALETTE["grid"]}"/><text x="{left - 4}" y="{y + 4:.1f}" '
                   f'text-anchor="end">{v:.0f}</text>')
    for i, b in enumerate(bins):
        x0 = left + i * group_w + 2
        for j, (name, counts) in enumerate(series.items()):
            n = counts.get(b, 0)
            bh = plot_h * n / peak
            label = "100" if b == 100 else f"{b}–{b + BIN}"
            out.append(f'<rect x="{x0 + j * bar_w:.1f}" y="{top_pad + plot_h - bh:.1f}" '
                       f'width="{bar_w - 1:.1f}" height="{bh:.1f}" fill="{PALETTE[name]}">'
                       f'<title>{esc(name)} {label}: {n}</title></rect>')
        label = "100" if b == 100 else str(b)
        out.append(f'<text x="{x0 + group_w / 2 - 2:.1f}" y="{height - bottom + 14}" '
                   f'text-anchor="middle">{label}</text>')
    x = left
    for name in series:
        out.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{PALETTE[name]}"/>'
                   f'<text x="{x + 16}" y="14">{esc(_SERIES_NAMES.get(name, name))}</text>')
        x += 150
    out.append("</svg>")
    return "".join(out)


_SERIES_NAMES = {"stated": "自评总分 (stated)", "recomputed": "复算总分 (recomputed)"}

CSS = """
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:2em auto;
max-width:980px;color:#222;line-height:1.5;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;border-bottom:1px solid #ddd;
padding-bottom:.2em;margin-top:2em}.sub{color:#666;margin-top:0}
.cards{display:flex;flex-wrap:wrap;gap:.8em}.card{border:1px solid #ddd;border-radius:6px;
padding:.5em .9em;min-width:120px}.card b{display:block;font-size:1.4em}
table{border-collapse:collapse;width:100%;font-size:.9em}td,th{border:1px solid #ddd;
padding:.3em .5em;vertical-align:top;text-align:left}th{background:#f5f5f5}
td.n{text-align:right;white-space:nowrap}.none{color:#888}.note{color:#666;font-size:.9em}
"""


def render(summary: BatchSummary, duplicates: list[dict], *, title: str = "pianchai 批量评分报告",
           rule_names: dict[str, str] | None = None) -> str:
    s = summary
    if rule_names is None:
        try:
            from rules.engine import registry

            rule_names = {c: r.summary() for c, r in registry().items()}
        except Exception:  # the report must render even if the rules cannot load
            rule_names = {}
    cards = [("文件 files", s.files + s.error_files), ("表 forms", s.forms),
             ("指标行 indicators", s.indicators), ("无法读取/出错 error rows", sum(s.errors.values())),
             ("自评≠复算 totals differ", s.mismatch), ("已判断说明 judged", s.judged),
             ("近似重复组 duplicate groups", len(duplicates))]
    parts = [f"<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
             f"<title>{esc(title)}</title><style>{CSS}</style></head><body>",
             f"<h1>{esc(title)}</h1><p class=\"sub\">generated {esc(time.strftime('%Y-%m-%d %H:%M'))}"
             f" by pianchai score</p><div class=\"cards\">"]
    parts += [f'<div class="card"><b>{v}</b>{esc(k)}</div>' for k, v in cards]
    parts.append("</div>")

    parts.append("<h2>自评总分与复算总分分布 · Self-scores vs recomputed totals</h2>")
    parts.append(f'<p class="note">复算 = 各指标得分 + 预算执行得分。{s.mismatch} of {s.with_both} '
                 f'forms with both totals differ by more than 0.01.</p>')
    parts.append(hist_svg({"stated": s.stated, "recomputed": s.recomputed}))

    parts.append("<h2>最常见的问题 · Most frequent rule findings</h2>")
    items = [(f"{c} {rule_names.get(c, '')}", n, f"{c}: {rule_names.get(c, '')} — {n}")
             for c, n in s.codes.most_common(TOP)]
    parts.append(hbar_svg(items, color=PALETTE["warn"], label_width=420))

    parts.append("<h2>反复出现的空泛表述 · Vague phrases that recur most</h2>")
    items = [(p, n, f"“{p}” in {n} explanations") for p, n in s.vague.most_common(TOP)]
    parts.append(hbar_svg(items) if s.judged or items else
                 '<p class="none">（未运行说明分类器：--no-nlp）</p>')

    parts.append("<h2>各主管部门说明被标记比例 · Departments by share of flagged explanations</h2>")
    ranked = sorted(((d, s.dept_flagged[d] / n, n) for d, n in s.dept_judged.items() if n),
                    key=lambda t: (-t[1], -t[2], t[0]))[:TOP]
    items = [(d, round(100 * share, 1), f"{d}: {s.dept_flagged[d]} of {n} flagged")
             for d, share, n in ranked]
    parts.append(hbar_svg(items, fmt=lambda v: f"{v:g}%") if items else
                 '<p class="none">（无已判断的说明）</p>')

    parts.append("<h2>跨表近似重复的说明 · Near-duplicate explanations</h2>")
    if duplicates:
        parts.append('<table><tr><th>#</th><th>次数<br>pasted</th><th>表<br>forms</th>'
                     '<th>文件<br>files</th><th>示例 example</th><th>文件示例 sample files</th></tr>')
        for d in duplicates[:50]:
            files = "<br>".join(esc(f) for f in str(d.get("sample_files") or "").split("|") if f)
            parts.append(f'<tr><td class="n">{esc(d.get("group"))}</td>'
                         f'<td class="n">{esc(d.get("occurrences"))}</td>'
                         f'<td class="n">{esc(d.get("forms"))}</td><td class="n">{esc(d.get("files"))}'
                         f'</td><td>{esc(d.get("example"))}</td><td>{files}</td></tr>')
        parts.append("</table>")
        if len(duplicates) > 50:
            parts.append(f'<p class="note">{len(duplicates) - 50} more groups in the duplicates table.</p>')
    else:
        parts.append('<p class="none">（未发现）</p>')

    if s.errors:
        parts.append("<h2>无法处理的文件 · Error rows by stage</h2>")
        parts.append(hbar_svg([(k, v, f"{k}: {v}") for k, v in s.errors.most_common()],
                              color=PALETTE["warn"]))
    parts.append("</body></html>\n")
    return "".join(parts)


def write_report(path: str, summary: BatchSummary, duplicates: list[dict], **kw) -> None:
    """Render and write atomically (temp file in the same folder, then os.replace)."""
    text = render(summary, duplicates, **kw)
    target = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                dir=target.resolve().parent)
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(name, target)
    finally:
        if os.path.exists(name):
            os.unlink(name)
