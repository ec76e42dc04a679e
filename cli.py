"""pianchai's command line: click commands that wire readers → rules → nlp → reports.

Commands import their libraries inside the function body: `pianchai rules` and
`pianchai check --no-nlp` must not pay for spaCy and scikit-learn. Help is Chinese (the users are
Chinese finance staff); what the commands print comes from the catalogue (reports.messages),
Chinese unless --lang en or PIANCHAI_LANG=en.
"""
from __future__ import annotations

import inspect
import os
import re
import sys

import click

LEVELS = ["error", "warning", "info"]


# ---- help in Chinese: click's own headings, the help option ----------------------------------

class _Command(click.Command):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def format_help_text(self, ctx, formatter):
        # click joins a paragraph's lines with a space; Chinese text has none between its lines
        original = self.help
        if original:
            self.help = re.sub(r"(?<=[^\x00-\x7f])\n[ \t]*(?=\S)", "", inspect.cleandoc(original))
        try:
            super().format_help_text(ctx, formatter)
        finally:
            self.help = original

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="用法：")

    def format_options(self, ctx, formatter):
        opts = [rv for p in self.get_params(ctx)
                if not isinstance(p, click.Argument) and (rv := p.get_help_record(ctx)) is not None]
        if opts:
            with formatter.section("选项"):
                formatter.write_dl(opts)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示本帮助并退出。"
        return option


class _Group(_Command, click.Group):
    command_class = _Command

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def format_options(self, ctx, formatter):
        _Command.format_options(self, ctx, formatter)
        rows = [(name, cmd.get_short_help_str(formatter.width)) for name in self.list_commands(ctx)
                if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden]
        if rows:
            with formatter.section("命令"):
                formatter.write_dl(rows)


# ---- options every command shares: language and colour ---------------------------------------

def _set_lang(ctx, param, value):
    from reports.messages import set_lang

    if value:
        set_lang(value)
    return value


def _set_color(ctx, param, value):
    if value == "always":
        ctx.color = True
    elif value == "never" or (value == "auto" and os.environ.get("NO_COLOR")):
        ctx.color = False
    return value


def shared_options(fn):
    """--lang and --color, as every command takes them."""
    fn = click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
                      callback=_set_color, expose_value=False, is_eager=True,
                      help="彩色输出：auto（终端上着色；设置了 NO_COLOR 时不着色）、always 或 never。")(fn)
    fn = click.option("--lang", type=click.Choice(["zh", "en"]), default=None, callback=_set_lang,
                      expose_value=False, is_eager=True,
                      help="输出语言：zh（默认）或 en；也可设环境变量 PIANCHAI_LANG。")(fn)
    return fn


def _fail(message: str, code: int = 2) -> None:
    """One line on stderr and the exit code: 2 for usage, config and input errors."""
    from reports.messages import t

    click.echo(t("cli.error", message=message), err=True)
    sys.exit(code)


def _show_version(ctx, param, value):
    if not value or ctx.resilient_parsing:
        return
    from reports.about import describe

    for line in describe():
        click.echo(line)
    ctx.exit()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
              help="显示版本（软件包、分类模型的哈希、规则默认值的版本）并退出。")
def main() -> None:
    """pianchai（偏差）：检查财政项目支出绩效自评表——哪些指标扣了分、表内数字是否自洽、每条偏差原因分析及改进措施是否写清了具体原因和具体措施。

    用 `pianchai 命令 -h` 查看各命令的说明和示例。
    """
    from reports.messages import set_lang

    set_lang(None)      # each invocation starts from PIANCHAI_LANG; a command's --lang sets it


# ---- check -------------------------------------------------------------------------------------

def _codes(values: tuple[str, ...]) -> list[str]:
    return [c.strip().upper() for v in values for c in v.split(",") if c.strip()]


@main.command(short_help="检查自评表：扣分、算术、说明质量。")
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["human", "json", "csv", "sarif", "github"]),
              default="human",
              help="报告格式：human（默认，分表列出）、json、csv（每条问题一行）、sarif（SARIF 2.1.0）、"
                   "github（GitHub Actions 注释）。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="把报告写入此文件，而不是标准输出。")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="配置文件；默认从每个表格所在文件夹向上查找 pianchai.toml 或含 [tool.pianchai] 的 "
                   "pyproject.toml。")
@click.option("--no-nlp", is_flag=True, help="只用规则，不运行说明分类器（快）。")
@click.option("--select", multiple=True, metavar="CODES",
              help="只运行这些规则（逗号分隔，可写前缀，如 PC1,PC201）。")
@click.option("--ignore", multiple=True, metavar="CODES", help="不运行这些规则（逗号分隔，可写前缀）。")
@click.option("--level", "min_level", type=click.Choice(LEVELS), default="info",
              help="human 报告显示的最低级别（默认 info，即全部）。")
@click.option("--fail-level", type=click.Choice(LEVELS), default="error",
              help="有此级别或更严重的问题时退出码为 1（默认 error）。")
@click.option("--exit-zero", is_flag=True, help="有问题也以 0 退出（文件无法读取时仍为 1）。")
@click.option("--statistics", is_flag=True, help="按规则统计问题条数，代替逐条列出。")
@click.option("-q", "--quiet", is_flag=True, help="只列问题，不显示表头和汇总行。")
@click.option("--baseline", type=click.Path(dir_okay=False),
              help="基线文件：其中已接受的问题不再报告，只显示新问题。")
@click.option("--write-baseline", is_flag=True, help="把本次的全部问题写入 --baseline 指定的文件。")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="跳过匹配的文件或文件夹（glob，可重复，如 --exclude '草稿/*'）。")
@shared_options
def check(paths, fmt, output, config_path, no_nlp, select, ignore, min_level, fail_level, exit_zero,
          statistics, quiet, baseline, write_baseline, exclude):
    """检查自评表：哪些指标扣了分、表内算术是否自洽、每条偏差说明是否写清了原因和措施。

    PATHS 是文件、文件夹或通配符（文本、xlsx、xls、docx、pdf、html）；`-` 从标准输入读一张表。
    文件夹里 pianchai 自己生成的 *.checked.xlsx 不会被当作表格读取。

    退出码：0 没有达到 --fail-level 的问题；1 有这样的问题或有文件无法读取；
    2 用法、配置错误或没有可检查的文件。

    示例：pianchai check 自评表/ --format json -o report.json
    """
    from forms.isolate import Isolated
    from forms.paths import expand
    from reports import baseline as accepted
    from reports.messages import t
    from rules.run import check_file

    if write_baseline and not baseline:
        _fail(t("cli.write_baseline_needs_file"))
    stdin = "-" in paths
    files = list(expand([p for p in paths if p != "-"], exclude))
    if not files and not stdin:
        unfiltered = exclude and any(True for _ in expand([p for p in paths if p != "-"]))
        _fail(t("cli.no_input_excluded" if unfiltered else "cli.no_input", paths=" ".join(paths)))
    engines = _engines(files, config_path, no_nlp, _codes(select), _codes(ignore), stdin)
    with Isolated() as reader:
        reader.start()          # forked before the classifier's threads exist
        results = [check_file(f, engines.for_file(f), reader.read_forms) for f in files]
        if stdin:
            results.append(_check_stdin(engines.for_file(None), reader))
    hidden = 0
    if baseline and write_baseline:
        n = accepted.write(baseline, results)
        click.echo(t("cli.baseline_written", path=baseline, n=n), err=True)
        sys.exit(0)
    if baseline and os.path.exists(baseline):
        try:
            hidden = accepted.apply(results, accepted.load(baseline), baseline)
        except accepted.BaselineError as e:
            _fail(t("cli.baseline_unreadable", path=baseline, why=e))
    _report(results, fmt, output, min_level=min_level, quiet=quiet, statistics=statistics, baselined=hidden)
    order = {lv: i for i, lv in enumerate(LEVELS)}
    unreadable = any(r.error is not None for r in results)
    failing = any(order[f.level] <= order[fail_level] for r in results for f in r.all_findings())
    sys.exit(1 if unreadable or (failing and not exit_zero) else 0)


class _Engines:
    """One rule engine per config file, the classifier loaded once and shared."""

    def __init__(self, configs: dict, judge):
        from rules.engine import Engine

        self.by_config = {key: Engine(cfg, judge) for key, cfg in configs.items()}
        self.config_of: dict[str | None, object] = {}

    def for_file(self, path: str | None):
        return self.by_config[self.config_of.get(path)]


def _engines(files: list[str], config_path, no_nlp: bool, select: list[str], ignore: list[str],
             stdin: bool = False) -> _Engines:
    """Load every config the inputs need (all errors reported at once, exit 2), then the engines."""
    from pathlib import Path

    from reports.messages import config_error, t
    from rules.config import Config, ConfigError, find_config, load_config, restrict, unknown_codes

    where: dict[str | None, str | None] = {}
    if config_path:
        where = {f: config_path for f in files}
        where[None] = config_path
    else:
        found: dict[str, str | None] = {}
        for f in files:
            folder = str(Path(f).parent)
            if folder not in found:
                hit = find_config(folder)
                found[folder] = str(hit) if hit else None
            where[f] = found[folder]
        hit = find_config(".")
        where[None] = str(hit) if hit else None
    configs, problems = {}, []
    for source in dict.fromkeys(where.values()):
        try:
            configs[source] = load_config(source) if source else Config()
        except ConfigError as e:
            problems += [f"{e.file}: {config_error(p)}" for p in e.problems]
    if problems:
        lines = [t("cli.config_errors", n=len(problems))] + [f"  {p}" for p in problems]
        click.echo(t("cli.error", message="\n".join(lines)), err=True)
        sys.exit(2)
    for option, codes in (("--select", select), ("--ignore", ignore)):
        unknown = unknown_codes(codes)
        if unknown:
            _fail(t("cli.unknown_code", option=option, codes=", ".join(unknown)))
    for cfg in configs.values():
        restrict(cfg, select, ignore)
    judge = None
    if not no_nlp:
        from nlp.judge import load_judge

        judge = load_judge().judge_many
    engines = _Engines(configs, judge)
    engines.config_of = where
    return engines


def _check_stdin(engine, reader):
    """`check -`: standard input saved to a private temporary file (readers sniff content and
    seek), checked, and reported as <stdin>."""
    import tempfile

    from reports.messages import t
    from rules.run import check_file

    data = sys.stdin.buffer.read()
    if not data.strip():
        _fail(t("cli.stdin_empty"))
    with tempfile.TemporaryDirectory(prefix="pianchai-stdin-") as tmp:
        path = os.path.join(tmp, "stdin")
        with open(path, "wb") as fh:
            fh.write(data)
        result = check_file(path, engine, reader.read_forms)
    result.relabel("<stdin>")
    return result


def _report(results, fmt: str, output: str | None, **human) -> None:
    from importlib.metadata import version

    from reports.messages import t
    from reports.safe import printable, write_atomic

    if fmt == "human" and not output:
        from reports.terminal import render

        render(results, lambda line: click.echo(printable(line)), **human)
        return
    if fmt == "human":
        from reports.terminal import render

        lines: list[str] = []
        render(results, lines.append, **human)
        text = click.unstyle("\n".join(lines)) + "\n"
    elif fmt in ("json", "csv"):
        from reports.machine import to_csv, to_json

        text = to_json(results) if fmt == "json" else to_csv(results)
    elif fmt == "sarif":
        from reports.annotations import to_sarif

        text = to_sarif(results, version("pianchai"))
    else:
        from reports.annotations import to_github

        text = to_github(results)
    if output:
        try:
            write_atomic(output, text)
        except OSError as e:
            _fail(t("cli.cannot_write", path=output, why=e.strerror or e), code=1)
    else:
        click.echo(printable(text), nl=False)


# ---- rules -------------------------------------------------------------------------------------

@main.command(name="rules", short_help="列出全部规则，或显示一条规则的完整说明。")
@click.argument("code", required=False)
@click.option("--format", "fmt", type=click.Choice(["human", "json"]), default="human",
              help="输出格式：human（默认）或 json。")
@shared_options
def list_rules(code, fmt):
    """列出全部规则：代码、级别、名称和摘要；给出 CODE 时显示这条规则的完整说明——
    检查什么、为什么重要、错误与正确示例、可设置的选项及默认值。

    示例：pianchai rules PC106
    """
    import json

    from reports.messages import level_name, t
    from reports.rules_doc import describe, rule_rows

    if code:
        try:
            text = describe(code.upper())
        except KeyError:
            _fail(t("cli.unknown_rule", code=code))
        if fmt == "json":
            from reports.rules_doc import as_dict

            click.echo(json.dumps(as_dict(code.upper()), ensure_ascii=False, indent=1))
        else:
            for line in text:
                click.echo(line)
        return
    rows = rule_rows()
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    width = max(len(level_name(lv)) for lv in LEVELS)
    for r in rows:
        tag = click.style(" [nlp]", dim=True) if r["nlp"] else ""
        click.echo(f"{click.style(r['code'], bold=True)}  {level_name(r['level']).ljust(width)}  "
                   f"{r['name']:<22} {r['summary']}{tag}")


# ---- explanation classifier (nlp/) -------------------------------------------------------------

@main.command(short_help="用 corpus/ 训练说明分类器，写入 models/。")
@click.option("--extra", "extra", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="再加一个带标注的 JSONL 文件一起训练（可重复）。")
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="模型和模型卡写到哪里（默认 models/）。")
@click.option("--final", is_flag=True,
              help="另对开发集的只评分半集和真实说明评分（只写汇总）并写入模型卡。")
def train(extra, out_dir, final):
    """用 corpus/（及 --extra 文件）训练说明分类器，写入 models/。

    可复现：固定的随机种子。先按写作者留一交叉验证并校准概率，再用全部语料训练：写出
    explanation.skops、它的数值导出和 MODEL_CARD.md；有 ../shared 时附开发集可读半集的指标。

    示例：pianchai train --extra ../shared/seeds/003_4a6465395ea4fb81.labels.jsonl
    """
    from pathlib import Path

    from nlp.judge import MODELS_DIR
    from nlp.train import train as run

    run(Path(out_dir) if out_dir else MODELS_DIR, [Path(p) for p in extra], final=final, log=click.echo)


@main.command(short_help="在带标注的 JSONL 上评估分类器。")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--errors", is_flag=True, help="列出判错的说明（只评分的数据集不允许）。")
@click.option("--dev-half", type=click.Choice(["read", "score_only"]), default=None,
              help="只评开发集的这一半（corpus/dev_split.toml）。")
@click.option("--model", default=None, type=click.Path(exists=True, dir_okay=False),
              help="模型文件（.npz 导出或 .skops）；默认用随包的模型。")
def evaluate(file, errors, dev_half, model):
    """在带标注的 JSONL 文件上评估分类器：准确率、macro-F1、校准误差、混淆矩阵、需修改判断的 F1。

    示例：pianchai evaluate ../shared/data/dev_explanations.jsonl --dev-half read --errors
    """
    from nlp.corpus import CorpusError
    from nlp.feedback import evaluate_file
    from nlp.judge import load_judge

    try:
        report, _ = evaluate_file(file, load_judge(model), errors, dev_half)
    except CorpusError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(report)


@main.command(short_help="评判一条偏差原因分析及改进措施。")
@click.argument("text", required=False, default="-")
@click.option("--indicator", default="", help="三级指标名称。")
@click.option("--target", default="", help="年度指标值。")
@click.option("--actual", default="", help="实际完成值。")
@click.option("--weight", type=float, default=None, help="分值。")
@click.option("--score", type=float, default=None, help="得分。")
@click.option("--format", "fmt", type=click.Choice(["human", "json"]), default="human",
              help="输出格式：human（默认）或 json。")
@shared_options
def explain(text, indicator, target, actual, weight, score, fmt):
    """评判一条偏差原因分析及改进措施：原因、措施是否具体，标出笼统的表述并给出写法建议。
    TEXT 省略或为 `-` 时从标准输入读取。

    示例：pianchai explain "由于客观原因未完成。下一步将进一步加强管理。" --indicator 验收合格率
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


@main.command(short_help="批量评判 JSONL 中的说明，输出 JSONL。")
@click.argument("in_file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("-o", "--output", "out_file", default="-", type=click.Path(dir_okay=False, allow_dash=True),
              help="输出的 JSONL 文件（默认标准输出）。")
@shared_options
def classify(in_file, out_file):
    """逐行评判 IN_FILE（每行 {"id","text","indicator"?,"target"?,"actual"?}；`-` 为标准输入），
    输出 JSONL。

    输出行：{"id","cause","measure","cause_proba","measure_proba","flagged","unsure","evidence"}。
    格式错误的输入行以“文件:行号”报告在标准错误上并跳过；有这样的行时退出码为 1。

    示例：pianchai classify texts.jsonl -o verdicts.jsonl
    """
    import tempfile

    from nlp.feedback import classify_file
    from nlp.judge import load_judge
    from reports.messages import t

    with tempfile.TemporaryDirectory(prefix="pianchai-stdin-") as tmp:
        source = in_file
        if in_file == "-":                   # read through a file: the reader reports file:line
            source = os.path.join(tmp, "stdin.jsonl")
            with open(source, "wb") as fh:
                fh.write(sys.stdin.buffer.read())
        with click.open_file(out_file, "w", encoding="utf-8") as out:
            n, errors = classify_file(source, out, load_judge())
        errors = [e.replace(source, "<stdin>") if in_file == "-" else e for e in errors]
    for err in errors:
        click.echo(t("cli.error", message=err), err=True)
    click.echo(t("cli.classified", n=n) + (t("cli.classified_bad", n=len(errors)) if errors else ""),
               err=True)
    if errors:
        sys.exit(1)


# ---- drafting feedback: annotated workbook and the local web page (reports/workbook.py, web/) ----

@main.command(short_help="生成带批注的工作簿：每条问题批注在出错的单元格上。")
@click.argument("form", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", "out_path", default=None, type=click.Path(dir_okay=False),
              help="写出的批注工作簿（.xlsx；默认 FORM 同名加 .checked.xlsx）；不能是输入文件本身。")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="配置文件；默认从表格所在文件夹向上查找。")
@click.option("--no-nlp", is_flag=True, help="只用规则，不运行说明分类器（快）。")
@shared_options
def annotate(form, out_path, config_path, no_nlp):
    """写出 FORM 的副本，把每条问题作为批注放在出错的单元格上。

    单元格按级别着色（错误红、警告黄、提示浅蓝），第一个工作表“pianchai”列出全部问题并链接到
    单元格。xlsx 输入保留原工作簿及其格式；其他格式每张表排成一个工作表。输入文件不会被修改。
    有错误级问题或 FORM 无法读取时退出码为 1。

    示例：pianchai annotate 自评表.xlsx          # 写出 自评表.checked.xlsx
    """
    from pathlib import Path

    from forms.errors import FormError
    from forms.isolate import Isolated
    from reports.messages import file_error, t
    from reports.workbook import AnnotateError, annotate as write_annotated, default_output
    from rules.run import check_file

    out_path = out_path or default_output(form)
    if Path(out_path).suffix.lower() != ".xlsx":
        _fail(t("cli.annotate_not_xlsx", path=out_path))
    engines = _engines([form], config_path, no_nlp, [], [])
    with Isolated() as reader:
        reader.start()
        result = check_file(form, engines.for_file(form), reader.read_forms)
        if result.error is not None and not result.forms:
            _fail(file_error(result.error), code=1)
        try:   # the workbook is opened again to be annotated: that is reader work too
            placed = reader.run(form, write_annotated, form, result.findings, result.forms, out_path,
                                doing="annotating", passes=(AnnotateError,))
        except AnnotateError as e:
            _fail(str(e))
        except FormError as e:
            _fail(file_error(e), code=1)
    if result.error is not None:
        click.echo(t("cli.error", message=file_error(result.error)), err=True)
    levels = [p.finding.level for p in placed]
    click.echo(t("cli.annotate_wrote", path=out_path, n=len(placed), errors=levels.count("error"),
                 warnings=levels.count("warning"), info=levels.count("info")))
    sys.exit(1 if result.error is not None or "error" in levels else 0)


@main.command(short_help="启动本机写作助手页面及其 JSON API。")
@click.option("--host", default="127.0.0.1",
              help="绑定的地址（默认 127.0.0.1，页面只在本机可见）。")
@click.option("--port", default=8000, type=int, help="端口（默认 8000）。")
@click.option("--max-upload-mb", default=10.0, type=float, help="上传文件大小上限，MB（默认 10）。")
@click.option("--timeout", "timeout_s", default=30.0, type=float,
              help="一次检查最多用时，秒；超时返回 504（默认 30）。")
def serve(host, port, max_upload_mb, timeout_s):
    """启动写作助手页面：输入说明即时评判；上传自评表，得到报告和批注工作簿。

    页面背后的 JSON API：POST /api/explain、POST /api/check、POST /api/annotate（见 web/README.md）。
    上传的文件放在临时文件夹中，每次请求后删除。

    示例：pianchai serve --port 8000   # 然后打开 http://127.0.0.1:8000/
    """
    import uvicorn

    from web.app import Settings, create_app

    app = create_app(settings=Settings(max_upload_bytes=int(max_upload_mb * 2**20), timeout_s=timeout_s,
                                       host=host))
    uvicorn.run(app, host=host, port=port, log_level="info")


# ---- bulk scoring (batch/) --------------------------------------------------------------------

@main.command(short_help="批量评分：表、指标、错误三张表及 HTML 报告。")
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", required=True,
              help="NAME.csv（另有 NAME.indicators/.errors/.duplicates.csv）、NAME.xlsx（多个工作表）"
                   "或 NAME.parquet（数据集文件夹）。")
@click.option("--report", "report", type=click.Path(dir_okay=False),
              help="另写一份带图表的独立 HTML 报告。")
@click.option("--resume", is_flag=True,
              help="跳过输出（或其日志）中已成功评分的文件；上次出错的文件重新评分。")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="工作进程数（默认全部核心）。")
@click.option("--no-nlp", is_flag=True, help="只用规则，不运行说明分类器。")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="配置文件（默认当前文件夹向上查找 pianchai.toml 或 pyproject.toml 的 [tool.pianchai]）。")
@click.option("--exclude", multiple=True, metavar="GLOB", help="跳过匹配的文件或文件夹（可重复）。")
@click.option("--scheduler", default=None,
              help="Dask 调度器地址（tcp://host:8786）：在集群上评分（见 batch/README.md）；"
                   ".parquet 输出为分区数据集。")
@shared_options
def score(paths, output, report, resume, workers, no_nlp, config_path, exclude, scheduler):
    """批量评分：一张表一行的表格表、一个指标一行的指标表、无法处理的文件的错误表。

    PATHS 是文件、文件夹或通配符。无法读取的文件记为错误表中的一行，批处理继续；结束时列出
    这些文件。--resume 继续中断的运行，并重试上次出错的文件（修好的文件会重新读取）。
    退出码：0 全部评分成功；1 输出中仍有错误记录；2 用法、配置错误或没有可评分的文件。

    示例：pianchai score 自评表/ -o scores.xlsx --report report.html
    """
    from batch.score import NoInput, SetupError
    from batch.sink import OutputError, OutputWriteError, journal_path
    from reports.messages import config_error, t
    from rules.config import ConfigError

    try:
        if scheduler:
            from batch.dask_run import score_on_cluster

            stats = score_on_cluster(paths, output, scheduler, report=report, resume=resume,
                                     no_nlp=no_nlp, config_path=config_path, exclude=exclude)
        else:
            from batch.score import score as run

            stats = run(paths, output, report=report, resume=resume, workers=workers,
                        no_nlp=no_nlp, config_path=config_path, exclude=exclude)
    except NoInput:
        _fail(t("cli.no_input", paths=" ".join(paths)))
    except OutputWriteError as e:
        _fail(str(e), code=1)
    except ConfigError as e:
        lines = [t("cli.config_errors", n=len(e.problems))] + [f"  {e.file}: {config_error(p)}"
                                                               for p in e.problems]
        _fail("\n".join(lines))
    except OutputError as e:
        _fail(str(e))
    except SetupError as e:
        _fail(str(e), code=1)
    except KeyboardInterrupt:
        click.echo("\n" + t("cli.interrupted", journal=journal_path(output)), err=True)
        # a worker killed while sending a result leaves the pool's result thread blocked on a
        # half-written message, and a normal exit joins that thread forever; the journal is
        # already closed, so nothing is lost by leaving at once
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    from reports.score_summary import summary_lines

    for line in summary_lines(stats):
        click.echo(line, err=True)
    sys.exit(1 if stats.output_errors else 0)


if __name__ == "__main__":
    sys.exit(main())
