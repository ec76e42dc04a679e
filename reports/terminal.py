"""The human report: grouped by file and form, one finding a line, colour when on a terminal."""
from __future__ import annotations

from typing import Callable

import click

from reports.summary import summarize
from rules.run import FileResult

_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}


def render(results: list[FileResult], echo: Callable[[str], None],
           min_level: str = "info") -> None:
    order = {"error": 0, "warning": 1, "info": 2}
    shown = order[min_level]
    for r in results:
        if r.error is not None:
            echo(click.style(f"{r.error}", fg="red", bold=True) + click.style(f"  [{r.error.stage}]", dim=True))
        for form, findings in zip(r.forms, r.findings):
            title = f"{r.file} — form {form.source.form + 1 if form.source else '?'}: {form.project or '(no project name)'}"
            if form.year:
                title += f" ({form.year})"
            echo(click.style(title, bold=True))
            visible = [f for f in findings if order[f.level] <= shown]
            if not visible:
                echo(click.style("  no findings", fg="green"))
            for f in visible:
                level = click.style(f"{f.level:<7}", fg=_COLOURS[f.level])
                echo(f"  {f.location}  {click.style(f.code, bold=True)}  {level} {f.message}")
                if f.suggestion and f.level != "info":
                    echo(click.style(f"      → {f.suggestion}", dim=True))
            echo("")
    s = summarize(results)
    line = (f"{s['files']} file(s), {s['forms']} form(s), {s['lost_point_indicators']} indicator(s) "
            f"lost points: {s['errors']} error(s), {s['warnings']} warning(s), {s['info']} info")
    if s["unreadable_files"]:
        line += f"; {s['unreadable_files']} file(s) could not be read"
    colour = "red" if s["errors"] or s["unreadable_files"] else ("yellow" if s["warnings"] else "green")
    echo(click.style(line, fg=colour, bold=True))
