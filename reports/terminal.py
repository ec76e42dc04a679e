"""The human report: grouped by file and form, one finding a line, colour when on a terminal.

Words come from the catalogue (reports.messages): Chinese unless --lang en. Colour is click's:
`click.echo` drops it when the output is not a terminal or the command says --color never.
"""
from __future__ import annotations

from collections import Counter
from typing import Callable

import click

from forms.model import Form
from reports.messages import file_error, level_name, rule_text, stage_name, t
from reports.summary import summarize
from rules.run import FileResult

_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}
#: Fields named in the order a form's columns have them.
_FIELD_ORDER = ("level1", "level2", "indicator", "target", "actual", "weight", "score", "explanation",
                "budget_initial", "budget_full_year", "executed", "execution_rate", "grade")
ORDER = {"error": 0, "warning": 1, "info": 2}


def render(results: list[FileResult], echo: Callable[[str], None], *, min_level: str = "info",
           quiet: bool = False, statistics: bool = False, baselined: int = 0) -> None:
    """`quiet`: finding lines only (no titles, no summary). `statistics`: a count per rule
    instead of the findings. `baselined`: findings hidden by a baseline, for the summary."""
    shown = ORDER[min_level]
    width = max(len(level_name(lv)) for lv in ORDER)
    for r in results:
        if r.error is not None and not statistics:
            echo(click.style(file_error(r.error), fg="red", bold=True)
                 + click.style(f"  [{stage_name(r.error.stage)}]", dim=True))
        for k, (form, findings) in enumerate(zip(r.forms, r.findings) if not statistics else ()):
            visible = [f for f in findings if ORDER[f.level] <= shown]
            if not quiet:
                echo(click.style(form_title(r.file, form, k), bold=True))
            for f in visible:
                level = click.style(level_name(f.level).ljust(width), fg=_COLOURS[f.level])
                indent = "" if quiet else "  "
                echo(f"{indent}{f.location}  {click.style(f.code, bold=True)}  {level} {f.message}")
                if f.suggestion and f.level != "info" and not quiet:
                    echo(click.style(f"      → {f.suggestion}", dim=True))
            if quiet:
                continue
            if not visible:
                hidden = len(findings)
                echo(click.style("  " + (t("report.hidden", level=level_name(min_level), n=hidden)
                                         if hidden else t("report.no_findings_read" if form.unreadable
                                                          else "report.no_findings")), fg="green"))
            for line in reading_notes(form):
                echo(click.style(f"  {line}", fg="magenta"))
            echo("")
    if statistics:
        _statistics(results, echo, shown)
    if quiet:
        return
    s = summarize(results)
    line = t("summary.line", files=s["files"], forms=s["forms"], lost=s["lost_point_indicators"],
             errors=s["errors"], warnings=s["warnings"], info=s["info"])
    if s["unreadable_rows"]:
        line += t("summary.unreadable_rows", n=s["unreadable_rows"])
    if s["unreadable_files"]:
        line += t("summary.unreadable_files", n=s["unreadable_files"])
    if baselined:
        line += t("summary.baselined", n=baselined)
    colour = "red" if s["errors"] or s["unreadable_files"] else ("yellow" if s["warnings"] else "green")
    echo(click.style(line, fg=colour, bold=True))


def form_title(file: str, form: Form, k: int) -> str:
    n = form.source.form + 1 if form.source else k + 1
    title = t("report.form_title", file=file, n=n, project=form.project or t("report.no_project"))
    return title + (t("report.year", year=form.year) if form.year else "")


def reading_notes(form: Form) -> list[str]:
    """What the reader could not read with confidence, in one line each: the rows it saw but
    could not read (issue 8's Form.unreadable), and the fields it read with doubt."""
    notes = []
    sep, group = t("report.list_sep"), t("report.group_sep")
    if form.unreadable:
        known = [str(u.line) for u in form.unreadable if u.line is not None]
        lines = t("report.lines", lines=sep.join(known)) if known else ""
        if len(known) < len(form.unreadable):
            lines = sep.join(x for x in (lines, t("report.line_unknown")) if x)
        whys = list(dict.fromkeys(u.why for u in form.unreadable if u.why))
        notes.append(t("report.unreadable", n=len(form.unreadable), lines=lines, why=group.join(whys)))
    items = []
    for ind in form.indicators:
        if ind.doubtful:
            where = (t("report.lines", lines=ind.source.line) if ind.source and ind.source.line
                     else ind.indicator)
            items.append(f"{where} {_fields(ind.doubtful, sep)}")
    for name, part in (("funds", form.funds), ("total", form.total)):
        if part.doubtful:
            items.append(f"{t(f'field.{name}')} {_fields(part.doubtful, sep)}")
    if items:
        notes.append(t("report.doubtful", items=group.join(items)))
    return notes


def _fields(names, sep: str) -> str:
    out = []
    for name in sorted(names, key=lambda n: (_FIELD_ORDER.index(n) if n in _FIELD_ORDER else 99, n)):
        try:
            out.append(t(f"field.{name}"))
        except KeyError:
            out.append(name)
    return sep.join(out)


def _statistics(results: list[FileResult], echo: Callable[[str], None], shown: int) -> None:
    """ruff's --statistics: how many findings each rule gave, most first."""
    counts: Counter = Counter()
    levels: dict[str, str] = {}
    for r in results:
        for f in r.all_findings():
            if ORDER[f.level] <= shown:
                counts[f.code] += 1
                levels.setdefault(f.code, f.level)
    if not counts:
        return
    echo(t("report.statistics_head"))
    width = len(str(max(counts.values())))
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        level = click.style(level_name(levels[code]), fg=_COLOURS[levels[code]])
        echo(f"  {n:>{width}}  {click.style(code, bold=True)}  {level}  {rule_text(code)}")
    echo("")
