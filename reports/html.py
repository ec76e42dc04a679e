"""The batch report of `pianchai score --report FILE.html`: one self-contained page.

No network and no JavaScript: inline CSS and SVG charts drawn here. Every text from a form is
escaped. `BatchSummary` is fed the output rows one by one (it keeps counters, not rows, so its
size does not grow with the number of forms, and the first few error rows to list) and
`write_report` renders it. Words come from the catalogue (reports.messages): Chinese unless
--lang en. Chart labels are sized by their display width (a Chinese character is twice a Latin
one), so a rule summary or a department name is shown whole, or cut with its full text on hover.
"""
from __future__ import annotations

import html
import os
import tempfile
import time
from collections import Counter
import unicodedata
from pathlib import Path

from reports.messages import lang, reader_error, stage_name, t

BIN = 5            # score histogram bin width (points)
TOP = 15           # rows in each ranking
FAILED_LISTED = 50  # error rows listed in the report; the rest are in the output's errors table


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
        self.failed: list[dict] = []            # the first FAILED_LISTED error rows
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
                dept = row.get("department") or t("html.no_department")
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
            if len(self.failed) < FAILED_LISTED:
                self.failed.append({k: row.get(k) for k in ("file", "stage", "message")})
            if row.get("file") != self._last_error_file:
                self.error_files += 1
                self._last_error_file = row.get("file")


def _bin(x: float) -> int:
    x = max(0.0, float(x))
    return min(int(x // BIN) * BIN, 100)


# ---- SVG ----------------------------------------------------------------------------------

PALETTE = {"stated": "#4f6d9a", "recomputed": "#d08c3f", "bar": "#5b8a72", "warn": "#b5523b",
           "grid": "#e3e3e3", "text": "#333"}


def text_width(text: str, size: int = 12) -> float:
    """Display width in px: wide (CJK) characters take a full em, others a bit over half."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.6 for ch in text)


def fit(text: str, room: float, size: int = 12) -> str:
    """`text`, cut with … to fit `room` px."""
    if text_width(text, size) <= room:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…", size) > room:
            break
        out += ch
    return out + "…"


def hbar_svg(items: list[tuple[str, float, str]], *, width: int = 900, color: str = PALETTE["bar"],
             label_width: int | None = None, fmt=lambda v: f"{v:g}") -> str:
    """Horizontal bars: (label, value, tooltip) from the top. The label column is as wide as the
    longest label needs, up to half the chart; a longer label is cut, whole in its tooltip."""
    if not items:
        return f'<p class="none">{esc(t("html.none"))}</p>'
    if label_width is None:
        label_width = int(min(width * 0.5, max(120, max(text_width(lb) for lb, _, _ in items) + 16)))
    row_h, pad = 22, 4
    h = row_h * len(items) + pad * 2
    top = max(v for _, v, _ in items) or 1
    span = width - label_width - 70
    out = [f'<svg role="img" width="{width}" height="{h}" viewBox="0 0 {width} {h}" '
           f'xmlns="http://www.w3.org/2000/svg" font-size="12">']
    for i, (label, value, tip) in enumerate(items):
        y = pad + i * row_h
        w = max(1.0, span * value / top)
        short = fit(label, label_width - 10)
        out.append(f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" '
                   f'fill="{PALETTE["text"]}">{esc(short)}<title>{esc(label)}</title></text>')
        out.append(f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
                   f'fill="{color}"><title>{esc(tip or label)}</title></rect>')
        out.append(f'<text x="{label_width + w + 4:.1f}" y="{y + 15}" fill="{PALETTE["text"]}">'
                   f'{esc(fmt(value))}</text>')
    out.append("</svg>")
    return "".join(out)


def hist_svg(series: dict[str, Counter], *, width: int = 900, height: int = 260) -> str:
    """Grouped vertical bars over score bins 0–5 … 95–100 (and 100 exactly)."""
    bins = sorted(set().union(*[set(c) for c in series.values()])) if series else []
    if not bins:
        return f'<p class="none">{esc(t("html.no_scores"))}</p>'
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
                       f'<title>{esc(t("html." + name))} {label}: {n}</title></rect>')
        label = "100" if b == 100 else str(b)
        out.append(f'<text x="{x0 + group_w / 2 - 2:.1f}" y="{height - bottom + 14}" '
                   f'text-anchor="middle">{label}</text>')
    x = left
    for name in series:
        out.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{PALETTE[name]}"/>'
                   f'<text x="{x + 16}" y="14">{esc(t("html." + name))}</text>')
        x += 24 + int(text_width(t("html." + name), 11))
    out.append("</svg>")
    return "".join(out)


CSS = """
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:2em auto;
max-width:1000px;color:#222;line-height:1.5;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;border-bottom:1px solid #ddd;
padding-bottom:.2em;margin-top:2em}.sub{color:#666;margin-top:0}
.cards{display:flex;flex-wrap:wrap;gap:.8em}.card{border:1px solid #ddd;border-radius:6px;
padding:.5em .9em;min-width:120px}.card b{display:block;font-size:1.4em}
table{border-collapse:collapse;width:100%;font-size:.9em}td,th{border:1px solid #ddd;
padding:.3em .5em;vertical-align:top;text-align:left}th{background:#f5f5f5}
td.n{text-align:right;white-space:nowrap}.none{color:#888}.note{color:#666;font-size:.9em}
"""


def render(summary: BatchSummary, duplicates: list[dict], *, title: str | None = None,
           rule_names: dict[str, str] | None = None, errors_at: str | None = None) -> str:
    """The page. `errors_at` says where the output keeps all its error rows."""
    s = summary
    title = title or t("html.title")
    if rule_names is None:
        try:
            from reports.messages import rule_text
            from rules.engine import registry

            rule_names = {c: rule_text(c) or r.summary() for c, r in registry().items()}
        except Exception:  # the report must render even if the rules cannot load
            rule_names = {}
    cards = [("card_files", s.files + s.error_files), ("card_forms", s.forms),
             ("card_indicators", s.indicators), ("card_errors", sum(s.errors.values())),
             ("card_mismatch", s.mismatch), ("card_judged", s.judged),
             ("card_duplicates", len(duplicates))]
    page_lang = "zh-CN" if lang() == "zh" else "en"
    parts = [f"<!DOCTYPE html><html lang=\"{page_lang}\"><head><meta charset=\"utf-8\">"
             f"<title>{esc(title)}</title><style>{CSS}</style></head><body>",
             f"<h1>{esc(title)}</h1><p class=\"sub\">"
             f"{esc(t('html.generated', when=time.strftime('%Y-%m-%d %H:%M')))}</p><div class=\"cards\">"]
    parts += [f'<div class="card"><b>{v}</b>{esc(t("html." + k))}</div>' for k, v in cards]
    parts.append("</div>")

    if s.errors:
        parts.append(f"<h2>{esc(t('html.errors_head'))}</h2>")
        cols = t("html.errors_cols").split("|")
        parts.append("<table class=\"failed\"><tr>" + "".join(f"<th>{esc(c)}</th>" for c in cols) + "</tr>")
        for row in s.failed:
            parts.append(f"<tr><td>{esc(row.get('file'))}</td><td class=\"n\">"
                         f"{esc(stage_name(row.get('stage') or '?'))}</td>"
                         f"<td>{esc(reader_error(row.get('message') or ''))}</td></tr>")
        parts.append("</table>")
        more = sum(s.errors.values()) - len(s.failed)
        if more > 0:
            parts.append(f'<p class="note">{esc(t("html.errors_more", n=more, where=errors_at or "errors"))}</p>')
        if len(s.errors) > 1:
            parts.append(f"<h3>{esc(t('html.errors_by_stage'))}</h3>")
            parts.append(hbar_svg([(stage_name(k), v, f"{stage_name(k)}: {v}")
                                   for k, v in s.errors.most_common()], color=PALETTE["warn"]))

    parts.append(f"<h2>{esc(t('html.totals_head'))}</h2>")
    parts.append(f'<p class="note">{esc(t("html.totals_note", both=s.with_both, mismatch=s.mismatch))}</p>')
    parts.append(hist_svg({"stated": s.stated, "recomputed": s.recomputed}))

    parts.append(f"<h2>{esc(t('html.codes_head'))}</h2>")
    items = [(f"{c} {rule_names.get(c, '')}", n, f"{c}: {rule_names.get(c, '')} — {n}")
             for c, n in s.codes.most_common(TOP)]
    parts.append(hbar_svg(items, color=PALETTE["warn"]))

    parts.append(f"<h2>{esc(t('html.vague_head'))}</h2>")
    items = [(p, n, t("html.vague_tip", phrase=p, n=n)) for p, n in s.vague.most_common(TOP)]
    parts.append(hbar_svg(items) if s.judged or items else
                 f'<p class="none">{esc(t("html.no_nlp"))}</p>')

    parts.append(f"<h2>{esc(t('html.dept_head'))}</h2>")
    ranked = sorted(((d, s.dept_flagged[d] / n, n) for d, n in s.dept_judged.items() if n),
                    key=lambda x: (-x[1], -x[2], x[0]))[:TOP]
    items = [(d, round(100 * share, 1), t("html.dept_tip", dept=d, flagged=s.dept_flagged[d], n=n))
             for d, share, n in ranked]
    parts.append(hbar_svg(items, fmt=lambda v: f"{v:g}%") if items else
                 f'<p class="none">{esc(t("html.no_judged"))}</p>')

    parts.append(f"<h2>{esc(t('html.dups_head'))}</h2>")
    if duplicates:
        cols = t("html.dups_cols").split("|")
        parts.append("<table><tr>" + "".join(f"<th>{esc(c)}</th>" for c in cols) + "</tr>")
        for d in duplicates[:50]:
            files = "<br>".join(esc(f) for f in str(d.get("sample_files") or "").split("|") if f)
            parts.append(f'<tr><td class="n">{esc(d.get("group"))}</td>'
                         f'<td class="n">{esc(d.get("occurrences"))}</td>'
                         f'<td class="n">{esc(d.get("forms"))}</td><td class="n">{esc(d.get("files"))}'
                         f'</td><td>{esc(d.get("example"))}</td><td>{files}</td></tr>')
        parts.append("</table>")
        if len(duplicates) > 50:
            parts.append(f'<p class="note">{esc(t("html.dups_more", n=len(duplicates) - 50))}</p>')
    else:
        parts.append(f'<p class="none">{esc(t("html.not_found"))}</p>')
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
