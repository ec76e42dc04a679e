"""Turning verdicts into output: terminal feedback, classify-file records, evaluation reports.

Nothing here decides a label; it formats what nlp.judge returned. Colour comes from click.style,
so it is dropped automatically when output is not a terminal.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from nlp.corpus import iter_jsonl, read_labelled

LABEL_ZH = {"specific": "具体", "generic": "笼统", "absent": "缺失", "unjudged": "未判断"}
AXIS_ZH = {"cause": "偏差原因", "measure": "改进措施"}
COLOUR = {"specific": "green", "generic": "yellow", "absent": "red", "unjudged": "blue"}


def highlight(text: str, vague: list[dict]) -> str:
    """The text with each vague phrase underlined in colour (by its start/end offsets)."""
    out, pos = [], 0
    for v in sorted(vague, key=lambda v: v["start"]):
        if v["start"] < pos:
            continue
        out.append(text[pos:v["start"]])
        out.append(click.style(text[v["start"]:v["end"]], fg="red", bold=True, underline=True))
        pos = v["end"]
    out.append(text[pos:])
    return "".join(out)


def render_human(text: str, verdict) -> str:
    ev = verdict.evidence
    if ev.get("not_judged"):
        return f"结论: {click.style('未判断 (not judged)', fg=COLOUR['unjudged'], bold=True)}：{ev['not_judged']}"
    lines = []
    for axis in ("cause", "measure"):
        label = getattr(verdict, axis)
        proba = getattr(verdict, f"{axis}_proba")
        unsure = "  （把握不大）" if axis in verdict.unsure else ""
        lines.append(f"{AXIS_ZH[axis]}: " + click.style(f"{LABEL_ZH[label]} ({label})", fg=COLOUR[label], bold=True)
                     + f"  p={proba.get(label, 0):.2f}{unsure}")
    flag = click.style("需修改 (flagged)", fg="red") if verdict.flagged else click.style("合格", fg="green")
    lines.append(f"结论: {flag}")
    if text:
        lines.append("")
        lines.append(highlight(text, ev.get("vague", [])))
    for key, name in (("cause_clauses", "读作原因"), ("measure_clauses", "读作措施")):
        for clause in ev.get(key, []):
            lines.append(f"  {name}: {clause}")
    for v in ev.get("vague", []):
        lines.append(f"  「{v['phrase']}」({AXIS_ZH[v['axis']]}, {v['start']}–{v['end']}): {v['reason']} → {v['suggestion']}")
    if ev.get("suggestions"):
        lines.append("建议:")
        lines.extend(f"  - {s}" for s in ev["suggestions"])
    return "\n".join(lines)


def record(item_id, verdict) -> dict:
    """One output line of `pianchai classify` — a stable contract, keep the keys."""
    return {"id": item_id, "cause": verdict.cause, "measure": verdict.measure,
            "cause_proba": verdict.cause_proba, "measure_proba": verdict.measure_proba,
            "flagged": verdict.flagged, "unsure": verdict.unsure, "evidence": verdict.evidence}


def read_items(path: Path, errors: list[str], batch: int = 512):
    """Yield batches of valid input items; bad lines are reported in `errors` as file:line: why."""
    chunk = []
    for where, item, error in iter_jsonl(path):
        if error:
            errors.append(f"{where}: {error}")
        elif not isinstance(item, dict) or "id" not in item or not isinstance(item.get("text"), str):
            errors.append(f"{where}: expected an object with \"id\" and a string \"text\"")
        else:
            chunk.append(item)
            if len(chunk) >= batch:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def classify_file(in_path: Path, out_fh, judge) -> tuple[int, list[str]]:
    errors: list[str] = []
    n = 0
    for chunk in read_items(Path(in_path), errors):
        for item, verdict in zip(chunk, judge.judge_many(chunk)):
            out_fh.write(json.dumps(record(item["id"], verdict), ensure_ascii=False) + "\n")
            n += 1
    return n, errors


def evaluate_file(path: Path, judge, errors: bool = False, half: str | None = None) -> tuple[str, dict]:
    """Score `path` (only the dev set's `half` when given: read | score_only). Misclassified texts
    are listed only where the protocol allows (nlp.splits.why_no_errors); CorpusError otherwise."""
    from nlp.corpus import CorpusError
    from nlp.metrics import format_report, score
    from nlp.splits import dev_halves, why_no_errors

    why = why_no_errors(path, half) if errors else None
    if why:
        raise CorpusError(why)
    rows = read_labelled(Path(path))
    title = str(path)
    if half:
        ids = dev_halves()[half]
        rows = [r for r in rows if r["id"] in ids]
        if not rows:
            raise CorpusError(f"{path}: no row of the dev set's {half} half")
        title += f" ({half} half)"
    verdicts = judge.judge_many(rows)
    m = score(rows, verdicts)
    out = [format_report(m, title)]
    if errors:
        out.append("")
        out.append("misclassified:")
        for r, v in zip(rows, verdicts):
            if (r["cause"], r["measure"]) != (v.cause, v.measure):
                wrong = [f"{axis} {r[axis]}→{getattr(v, axis)}" for axis in ("cause", "measure")
                         if r[axis] != getattr(v, axis)]
                out.append(f"{r['id']}  {'; '.join(wrong)}  [{r.get('indicator', '')}] {r['text']}")
    return "\n".join(out), m
