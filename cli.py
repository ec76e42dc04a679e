"""pianchai's command line: click commands that wire readers → rules → nlp → reports.

Commands import their libraries inside the function body: `pianchai rules` and
`pianchai check --no-nlp` must not pay for spaCy and scikit-learn.
"""
from __future__ import annotations

import sys

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pianchai")
def main() -> None:
    """pianchai (偏差): checks 财政项目支出绩效自评表 — lost points, arithmetic, and whether each
    偏差原因分析及改进措施 gives a real cause and a concrete measure."""


def _engine(config_path, no_nlp: bool):
    """The rule engine with the project's config and, unless --no-nlp, the classifier."""
    from rules.config import ConfigError, load_config
    from rules.engine import Engine

    try:
        config = load_config(config_path)
    except ConfigError as e:
        raise click.UsageError(str(e)) from None
    judge = None
    if not no_nlp:
        from nlp.judge import load_judge

        judge = load_judge().judge_many
    return Engine(config, judge)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["human", "json", "csv"]), default="human",
              show_default=True, help="Report format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to this file instead of standard output.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Config file (default: ./pianchai.toml or [tool.pianchai] in ./pyproject.toml).")
@click.option("--no-nlp", is_flag=True, help="Rules only: skip the explanation classifier (fast).")
@click.option("--level", "min_level", type=click.Choice(["error", "warning", "info"]), default="info",
              show_default=True, help="Lowest level shown in the human report.")
def check(paths, fmt, output, config_path, no_nlp, min_level):
    """Check forms: lost points, arithmetic, and the quality of each explanation.

    PATHS are files, folders or globs (text, xlsx, xls, docx, pdf, html). Exit code 1 when an
    error-level finding exists or a file cannot be read, 2 on a usage or config error.

    Example: pianchai check examples/ --format json -o report.json
    """
    from forms.isolate import Isolated
    from forms.paths import expand
    from reports.machine import to_csv, to_json
    from reports.safe import printable, write_atomic
    from reports.terminal import render
    from rules.run import check_file

    with Isolated() as reader:
        reader.start()          # forked before the classifier's threads exist
        engine = _engine(config_path, no_nlp)
        results = [check_file(p, engine, reader.read_forms) for p in expand(paths)]
    if fmt == "human" and not output:
        render(results, lambda line: click.echo(printable(line)), min_level=min_level)
    else:
        if fmt == "human":
            lines: list[str] = []
            render(results, lines.append, min_level=min_level)
            text = click.unstyle("\n".join(lines)) + "\n"
        else:
            text = to_json(results) if fmt == "json" else to_csv(results)
        if output:
            try:
                write_atomic(output, text)
            except OSError as e:
                raise click.ClickException(f"{output}: cannot write the report: {e.strerror or e}") from None
        else:
            click.echo(printable(text), nl=False)
    failed = any(r.error is not None for r in results) or \
        any(f.level == "error" for r in results for f in r.all_findings())
    sys.exit(1 if failed else 0)


@main.command(name="rules")
@click.option("--format", "fmt", type=click.Choice(["human", "json"]), default="human", show_default=True)
def list_rules(fmt):
    """List every rule: code, level, name and summary.

    Example: pianchai rules --format json
    """
    from rules.engine import registry

    rows = [(c, r.level, r.name, r.summary(), r.needs_nlp) for c, r in registry().items()]
    if fmt == "json":
        import json

        click.echo(json.dumps([{"code": c, "level": lv, "name": n, "summary": s, "nlp": nlp}
                               for c, lv, n, s, nlp in rows], ensure_ascii=False, indent=1))
        return
    for code, level, name, summary, nlp in rows:
        tag = click.style(" [nlp]", dim=True) if nlp else ""
        click.echo(f"{click.style(code, bold=True)}  {level:<7}  {name:<24} {summary}{tag}")


# ---- explanation classifier (nlp/) -------------------------------------------------------------

@main.command()
@click.option("--extra", "extra", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Another labelled JSONL file to train on (repeatable).")
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Where to write the model and card (default: models/).")
def train(extra, out_dir):
    """Train the explanation classifier on corpus/ (+ --extra files); writes models/.

    Reproducible: fixed split and seed. Writes explanation.skops, its numeric export and
    MODEL_CARD.md, with dev-set metrics when ../shared is present.

    Example: pianchai train --extra ../shared/seeds/003_4a6465395ea4fb81.labels.jsonl
    """
    from pathlib import Path

    from nlp.judge import MODELS_DIR
    from nlp.train import train as run

    run(Path(out_dir) if out_dir else MODELS_DIR, [Path(p) for p in extra], log=click.echo)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--errors", is_flag=True, help="List the misclassified explanations.")
@click.option("--model", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Model file (.npz export or .skops); default: the shipped model.")
def evaluate(file, errors, model):
    """Score the classifier on a labelled JSONL file: accuracy, macro-F1, confusion, flagged F1.

    Example: pianchai evaluate ../shared/data/dev_explanations.jsonl --errors
    """
    from nlp.corpus import CorpusError
    from nlp.feedback import evaluate_file
    from nlp.judge import load_judge

    try:
        report, _ = evaluate_file(file, load_judge(model), errors)
    except CorpusError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(report)


@main.command()
@click.argument("text", required=False, default="-")
@click.option("--indicator", default="", help="三级指标 name.")
@click.option("--target", default="", help="年度指标值.")
@click.option("--actual", default="", help="实际完成值.")
@click.option("--weight", type=float, default=None, help="分值.")
@click.option("--score", type=float, default=None, help="得分.")
@click.option("--format", "fmt", type=click.Choice(["human", "json"]), default="human", show_default=True)
def explain(text, indicator, target, actual, weight, score, fmt):
    """Judge one 偏差原因分析及改进措施 text (TEXT, or - / nothing to read stdin).

    Example: pianchai explain "由于客观原因未完成。下一步将进一步加强管理。" --indicator 验收合格率
    """
    import json

    if text == "-":
        text = sys.stdin.read().strip()
    from nlp.feedback import render_human
    from nlp.judge import load_judge

    verdict = load_judge().judge(text, indicator, target, actual, weight, score)
    if fmt == "json":
        click.echo(json.dumps(verdict.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_human(text, verdict))


@main.command()
@click.argument("in_file", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", "out_file", default="-", type=click.Path(dir_okay=False, allow_dash=True),
              help="Output JSONL (default: stdout).")
def classify(in_file, out_file):
    """Judge every line of IN_FILE ({"id","text","indicator"?,"target"?,"actual"?}) into JSONL.

    Output lines: {"id","cause","measure","cause_proba","measure_proba","flagged","evidence"}.
    Bad input lines are reported as file:line on stderr and skipped; exit code 1 if any.

    Example: pianchai classify texts.jsonl -o verdicts.jsonl
    """
    from nlp.feedback import classify_file
    from nlp.judge import load_judge

    with click.open_file(out_file, "w", encoding="utf-8") as out:
        n, errors = classify_file(in_file, out, load_judge())
    for err in errors:
        click.echo(f"error: {err}", err=True)
    click.echo(f"classified {n} explanations" + (f", {len(errors)} bad lines skipped" if errors else ""),
               err=True)
    if errors:
        sys.exit(1)


# ---- drafting feedback: annotated workbook and the local web page (reports/workbook.py, web/) ----

@main.command()
@click.argument("form", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", "out_path", required=True, type=click.Path(dir_okay=False),
              help="The annotated workbook to write (.xlsx); never the input file.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Config file (default: ./pianchai.toml or [tool.pianchai] in ./pyproject.toml).")
@click.option("--no-nlp", is_flag=True, help="Rules only: skip the explanation classifier (fast).")
def annotate(form, out_path, config_path, no_nlp):
    """Write a copy of FORM with each finding as a comment on the cell at fault.

    Cells are filled by severity (error red, warning amber, info light blue) and a first sheet
    "pianchai" lists every finding with a link to its cell. For .xlsx input the original workbook
    and its formatting are kept; other formats are laid out one sheet per form. The input file is
    never modified. Exit code 1 when an error-level finding exists or FORM cannot be read.

    Example: pianchai annotate 自评表.xlsx -o 自评表.checked.xlsx
    """
    from forms.errors import FormError
    from forms.isolate import Isolated
    from reports.workbook import AnnotateError, annotate as write_annotated
    from rules.run import check_file

    with Isolated() as reader:
        reader.start()
        result = check_file(form, _engine(config_path, no_nlp), reader.read_forms)
        if result.error is not None and not result.forms:
            click.echo(f"error: {result.error}", err=True)
            sys.exit(1)
        try:   # the workbook is opened again to be annotated: that is reader work too
            placed = reader.run(form, write_annotated, form, result.findings, result.forms, out_path,
                                doing="annotating", passes=(AnnotateError,))
        except AnnotateError as e:
            raise click.UsageError(str(e)) from None
        except FormError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(1)
    if result.error is not None:
        click.echo(f"error: {result.error}", err=True)
    levels = [p.finding.level for p in placed]
    click.echo(f"wrote {out_path}: {len(placed)} finding(s) — {levels.count('error')} error(s), "
               f"{levels.count('warning')} warning(s), {levels.count('info')} info")
    sys.exit(1 if result.error is not None or "error" in levels else 0)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; the default keeps the page on this machine.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--max-upload-mb", default=10.0, show_default=True, type=float, help="Upload size cap.")
@click.option("--timeout", "timeout_s", default=30.0, show_default=True, type=float,
              help="Seconds a check may take before the request fails with 504.")
def serve(host, port, max_upload_mb, timeout_s):
    """Serve the drafting page: live verdicts on an explanation, and form upload → report + workbook.

    JSON API behind the page: POST /api/explain, POST /api/check, POST /api/annotate (see
    web/README.md). Uploads are checked in a temporary folder deleted after each request.

    Example: pianchai serve --port 8000   # then open http://127.0.0.1:8000/
    """
    import uvicorn

    from web.app import Settings, create_app

    app = create_app(settings=Settings(max_upload_bytes=int(max_upload_mb * 2**20), timeout_s=timeout_s,
                                       host=host))
    uvicorn.run(app, host=host, port=port, log_level="info")


# ---- bulk scoring (batch/) --------------------------------------------------------------------

@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", required=True,
              help="NAME.csv (+ NAME.indicators/.errors/.duplicates.csv), NAME.xlsx (sheets) or "
                   "NAME.parquet (a folder of datasets).")
@click.option("--report", "report", type=click.Path(dir_okay=False),
              help="Also write a self-contained HTML report with charts.")
@click.option("--resume", is_flag=True, help="Skip files already in the output (or its journal).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: all cores).")
@click.option("--no-nlp", is_flag=True, help="Rules only: skip the explanation classifier.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Config file (default: ./pianchai.toml or [tool.pianchai] in ./pyproject.toml).")
@click.option("--scheduler", default=None,
              help="Dask scheduler address (tcp://host:8786): score on a cluster (see batch/README.md); "
                   "a .parquet output is a partitioned dataset.")
def score(paths, output, report, resume, workers, no_nlp, config_path, scheduler):
    """Score many forms into a form table, an indicator table and an error table.

    PATHS are files, folders or globs. A file that cannot be read becomes a row in the errors
    table and the batch goes on; --resume continues an interrupted run. Exit code 0 when every
    file was scored, 1 when some became error rows, 2 on a usage or config error.

    Example: pianchai score forms/ -o scores.xlsx --report report.html
    """
    from batch.score import SetupError
    from batch.sink import OutputError, OutputWriteError, journal_path
    from rules.config import ConfigError

    try:
        if scheduler:
            from batch.dask_run import score_on_cluster

            stats = score_on_cluster(paths, output, scheduler, report=report, resume=resume,
                                     no_nlp=no_nlp, config_path=config_path)
        else:
            from batch.score import score as run

            stats = run(paths, output, report=report, resume=resume, workers=workers,
                        no_nlp=no_nlp, config_path=config_path)
    except OutputWriteError as e:
        raise click.ClickException(str(e)) from None
    except (OutputError, ConfigError) as e:
        raise click.UsageError(str(e)) from None
    except SetupError as e:
        raise click.ClickException(str(e)) from None
    except KeyboardInterrupt:
        click.echo(f"\ninterrupted: finished files are kept in {journal_path(output)}; "
                   f"run the same command with --resume to go on", err=True)
        sys.exit(130)
    click.echo(stats.line(), err=True)
    sys.exit(1 if stats.errors else 0)


if __name__ == "__main__":
    sys.exit(main())
