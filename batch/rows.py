"""The per-file work of `pianchai score`: read a file, run the rules and the classifier, and turn
the result into plain rows of three tables (forms, indicators, errors).

`score_file(path, engine)` never raises for bad input: an unreadable file, a rule that crashes, a
classifier failure all become error rows (file, stage, message). Results are plain dicts of
str/int/float/bool/None so they pickle cheaply between processes and machines.
"""
from __future__ import annotations

import traceback
from typing import Any, Callable

from forms.errors import FormError
from forms.model import Form

# Column order of each table. Rule-count columns (one per rule code) follow FORM_COLUMNS; they are
# taken from the rule registry so every run writes the same schema, whatever was found.
FORM_COLUMNS = [
    "file", "form", "project", "year", "department", "implementer",
    "stated_total", "recomputed_total", "total_mismatch",
    "indicators", "lost_point_indicators", "missing_explanations", "cutoff_explanations",
    "judged_explanations", "vague_explanations", "flagged_explanations",
    "findings", "errors", "warnings",
]
INDICATOR_COLUMNS = [
    "file", "form", "sheet", "row", "project", "year", "department",
    "level1", "level2", "indicator", "target", "actual", "weight", "score", "lost_points",
    "target_status", "needs_explanation", "explanation",
    "cause", "measure", "flagged",
    "cause_specific", "cause_generic", "cause_absent",
    "measure_specific", "measure_generic", "measure_absent",
    "vague_phrases", "codes",
]
ERROR_COLUMNS = ["file", "stage", "message"]

#: Column types: everything not listed is a string.
INT_COLUMNS = {"form", "row", "year", "indicators", "lost_point_indicators", "missing_explanations",
               "cutoff_explanations", "judged_explanations", "vague_explanations",
               "flagged_explanations", "findings", "errors", "warnings"}
FLOAT_COLUMNS = {"stated_total", "recomputed_total", "weight", "score", "lost_points",
                 "cause_specific", "cause_generic", "cause_absent",
                 "measure_specific", "measure_generic", "measure_absent"}
BOOL_COLUMNS = {"total_mismatch", "needs_explanation", "flagged"}

#: Separator of the phrases in `vague_phrases` and the codes in `codes`.
LIST_SEP = "|"


def rule_codes() -> list[str]:
    from rules.engine import registry

    return list(registry())


def form_columns(codes: list[str] | None = None) -> list[str]:
    return FORM_COLUMNS + list(codes if codes is not None else rule_codes())


def columns(table: str, codes: list[str] | None = None) -> list[str]:
    if table == "forms":
        return form_columns(codes)
    return {"indicators": INDICATOR_COLUMNS, "errors": ERROR_COLUMNS}[table]


def column_type(name: str) -> str:
    """int | float | bool | str, for writers that keep types (xlsx, parquet)."""
    if name in INT_COLUMNS or (name.startswith("PC") and name[2:].isdigit()):
        return "int"
    if name in FLOAT_COLUMNS:
        return "float"
    if name in BOOL_COLUMNS:
        return "bool"
    return "str"


class _Recorder:
    """Wraps the classifier so the verdicts the engine asked for can be read back afterwards
    (the engine judges each form once, and the indicator table needs the same verdicts)."""

    def __init__(self, judge: Callable[[list[dict]], list[Any]]):
        self.judge = judge
        self.last: list[Any] | None = None

    def __call__(self, items: list[dict]) -> list[Any]:
        self.last = self.judge(items)
        return self.last


def make_engine(config=None, no_nlp: bool = False, judge=None):
    """The rule engine as `pianchai check` builds it, with the classifier wrapped for read-back.

    `config` is a config path, a loaded rules.config.Config, or None (the project's config).
    `judge`, when given, replaces the shipped classifier (tests pass a small fake).
    """
    from rules.config import Config, load_config
    from rules.engine import Engine

    if not isinstance(config, Config):
        config = load_config(config)
    if judge is None and not no_nlp:
        from nlp.judge import load_judge

        judge = load_judge().judge_many
    return Engine(config, _Recorder(judge) if judge is not None else None)


def _num(x):
    return None if x is None else float(x)


def _recomputed(form: Form) -> float | None:
    """Row scores plus the budget-execution score; None when the form has no scores."""
    if not form.has_scores:
        return None
    scores = [i.score for i in form.indicators if i.score is not None]
    if not scores and form.funds.score is None:
        return None
    return round(sum(scores) + (form.funds.score or 0.0), 4)


def _verdicts(form: Form, engine) -> dict[int, Any]:
    """The verdicts the engine's classifier gave this form, keyed like rules.engine.judge_form."""
    from rules.engine import judge_form

    rec = engine.judge
    if rec is None:
        return {}
    last, rec.last = rec.last, None
    if last is not None:
        return judge_form(form, lambda items: last)  # same keys, no second classifier call
    return judge_form(form, rec)                      # the engine did not ask (NLP rules disabled)


def _verdict_cells(v) -> dict:
    if v is None:
        return {}
    cp, mp = v.cause_proba or {}, v.measure_proba or {}
    vague = (v.evidence or {}).get("vague", []) if isinstance(v.evidence, dict) else []
    phrases = list(dict.fromkeys(str(x.get("phrase", "")) for x in vague if x.get("phrase")))
    return {
        "cause": v.cause, "measure": v.measure, "flagged": bool(v.flagged),
        "cause_specific": cp.get("specific"), "cause_generic": cp.get("generic"),
        "cause_absent": cp.get("absent"),
        "measure_specific": mp.get("specific"), "measure_generic": mp.get("generic"),
        "measure_absent": mp.get("absent"),
        "vague_phrases": LIST_SEP.join(p.replace(LIST_SEP, "/") for p in phrases),
    }


def form_rows(path: str, index: int, form: Form, findings: list, verdicts: dict[int, Any],
              codes: list[str], nlp: bool = True) -> tuple[dict, list[dict]]:
    """One form row and its indicator rows (plus one row for a form-level explanation)."""
    from rules.engine import form_level_explanation, needs_explanation
    from rules.judgement import target_status

    # numbered from 1, as the terminal report numbers forms
    fidx = (form.source.form if form.source is not None else index) + 1
    by_code: dict[str, int] = {}
    by_indicator: dict[str, list[str]] = {}
    levels = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        by_code[f.code] = by_code.get(f.code, 0) + 1
        levels[f.level] = levels.get(f.level, 0) + 1
        if f.indicator is not None:
            by_indicator.setdefault(f.indicator, []).append(f.code)
    judged = list(verdicts.values())
    stated = _num(form.total.score)
    recomputed = _recomputed(form)
    row = {
        "file": path, "form": fidx, "project": form.project, "year": form.year,
        "department": form.department, "implementer": form.implementer,
        "stated_total": stated, "recomputed_total": recomputed,
        "total_mismatch": (None if stated is None or recomputed is None
                           else abs(stated - recomputed) > 0.01),
        "indicators": len(form.indicators),
        "lost_point_indicators": sum(1 for i in form.indicators if i.lost_points > 0),
        "missing_explanations": by_code.get("PC201", 0),
        "cutoff_explanations": by_code.get("PC202", 0),
        "judged_explanations": len(judged) if nlp else None,
        "vague_explanations": (sum(1 for v in judged if "generic" in (v.cause, v.measure))
                               if nlp else None),
        "flagged_explanations": sum(1 for v in judged if v.flagged) if nlp else None,
        "findings": len(findings), "errors": levels["error"], "warnings": levels["warning"],
    }
    for code in codes:
        row[code] = by_code.get(code, 0)
    base = {"file": path, "form": fidx, "project": form.project, "year": form.year,
            "department": form.department}
    ind_rows = []
    for k, ind in enumerate(form.indicators):
        # the row as the file has it (sheet row or text line), where the reader knows it
        where = ind.source
        r = dict(base, sheet=where.sheet if where else None, row=where.line if where else None,
                 level1=ind.level1, level2=ind.level2, indicator=ind.indicator,
                 target=ind.target, actual=ind.actual, weight=_num(ind.weight),
                 score=_num(ind.score), lost_points=ind.lost_points,
                 target_status=target_status(ind), needs_explanation=needs_explanation(ind),
                 explanation=ind.explanation,
                 codes=LIST_SEP.join(dict.fromkeys(by_indicator.get(ind.indicator, []))))
        r.update(_verdict_cells(verdicts.get(k)))
        ind_rows.append(r)
    text = form_level_explanation(form)
    if text:
        r = dict(base, row=None, indicator="（表级说明）", explanation=text,
                 needs_explanation=-1 in verdicts)
        r.update(_verdict_cells(verdicts.get(-1)))
        ind_rows.append(r)
    return row, ind_rows


def score_file(path: str, engine, codes: list[str] | None = None, read=None) -> dict:
    """Everything `pianchai score` records about one file:
    {"file", "forms": [row...], "indicators": [row...], "errors": [row...]}.
    `read` replaces forms.read.read_forms (a stoppable reader process: forms.isolate)."""
    return score_files([path], engine, codes, read=read)[0]


def score_files(paths: list[str], engine, codes: list[str] | None = None,
                seconds: float | None = None, read=None) -> list[dict]:
    """score_file for each of `paths`, with the classifier called once for all their forms.
    `read` replaces forms.read.read_forms.

    The results are those of scoring the files one by one (the classifier's verdict on a text
    does not depend on the batch; tests compare). With `seconds`, reading a file and checking
    its forms each have that long before the file becomes an error row with stage "timeout",
    and the chunk's classifier call too: if it runs out (or fails), every file of the chunk is
    judged on its own, so the slow or failing one is the one that gets the error row. Uses
    SIGALRM, so the limit applies in the main thread of a process (pool workers, a one-process
    run); elsewhere it is ignored. Time spent inside one C call is only interrupted when that
    call returns.
    """
    codes = codes if codes is not None else rule_codes()
    chunk: list[tuple[dict, list[Form]]] = []
    for path in paths:
        out: dict = {"file": path, "forms": [], "indicators": [], "errors": []}
        forms = _limited(lambda: _read(path, out, read), seconds)
        if forms is _TIMEOUT:
            _timed_out(out, seconds)
        chunk.append((out, forms if isinstance(forms, list) else []))
    rec = engine.judge
    ready: dict[int, tuple] | None = None
    if rec is not None:
        ready = _limited(lambda: _judge_ahead([f for _, forms in chunk for f in forms], rec), seconds)
        if not isinstance(ready, dict):
            ready = None    # out of time or failed: judged form by form, each file on its own clock
    for out, forms in chunk:
        if _limited(lambda: _check(out, forms, engine, codes, ready), seconds) is _TIMEOUT:
            out["forms"], out["indicators"], out["errors"] = [], [], []
            _timed_out(out, seconds)
    return [out for out, _ in chunk]


def _read(path: str, out: dict, read=None) -> list[Form]:
    """The file's forms; [] with an error row in `out` when it cannot be read."""
    if read is None:
        from forms.read import read_forms as read

    try:
        return read(path)
    except FormError as e:
        out["errors"].append({"file": path, "stage": e.stage, "message": e.message})
    except MemoryError:
        out["errors"].append({"file": path, "stage": "read", "message": "out of memory reading the file"})
    except Exception as e:  # a reader bug must not stop the batch
        out["errors"].append({"file": path, "stage": "read",
                              "message": f"reader crashed: {type(e).__name__}: {e}"})
    return []


def _judge_ahead(forms: list[Form], rec: _Recorder) -> dict[int, tuple[list[int], list]]:
    """The verdicts of every form's explanations from one classifier call, by id(form), with
    their keys: the items are those the engine will ask for (rules.engine.judge_form), in the
    same order."""
    from rules.engine import judge_form

    asked: list[tuple[int, list[int]]] = []      # (id of the form, keys of the items it asks)
    items: list[dict] = []

    def collect(form_items: list[dict]) -> list[None]:
        items.extend(form_items)
        return [None] * len(form_items)

    for form in forms:
        keys = list(judge_form(form, collect))
        if keys:
            asked.append((id(form), keys))
    if not items:
        return {}
    verdicts = rec.judge(items)
    ready, at = {}, 0
    for form_id, keys in asked:
        ready[form_id] = (keys, verdicts[at:at + len(keys)])
        at += len(keys)
    return ready


def _check(out: dict, forms: list[Form], engine, codes: list[str], ready: dict[int, tuple] | None) -> None:
    """Run the rules on each form and put its rows in `out`; a form that fails is an error row.
    `ready`: the chunk's verdicts by id(form) from _judge_ahead (a form it lacks asked for none),
    or None when they were not judged beforehand."""
    path = out["file"]
    for i, form in enumerate(forms):
        stage = "check"
        try:
            if ready is not None:
                keys, judged = ready.get(id(form), ((), ()))
                verdicts = dict(zip(keys, judged))
                findings = engine.check(form, verdicts)
            else:
                if engine.judge is not None:
                    engine.judge.last = None
                findings = engine.check(form)
                stage = "classify"
                verdicts = _verdicts(form, engine)
            stage = "tabulate"
            row, ind_rows = form_rows(path, i, form, findings, verdicts, codes,
                                      nlp=engine.judge is not None)
        except Exception as e:  # one bad form: an error row, the file's other forms go on
            where = form.source.form if form.source is not None else i
            tb = traceback.extract_tb(e.__traceback__)[-1]
            out["errors"].append({"file": path, "stage": stage,
                                  "message": f"form {where}: {type(e).__name__}: {e} "
                                             f"({tb.filename.rsplit('/', 1)[-1]}:{tb.lineno})"})
            continue
        out["forms"].append(row)
        out["indicators"].extend(ind_rows)


class _FileTimeout(BaseException):
    """Not an Exception: the scoring code's own handlers must not swallow it."""


_TIMEOUT = object()


def _limited(work: Callable[[], Any], seconds: float | None) -> Any:
    """work() with a SIGALRM time limit; _TIMEOUT when it ran out, None when work() raised an
    Exception (callers that care catch their own)."""
    import signal
    import threading

    if not seconds or threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "setitimer"):
        return _guarded(work)

    def alarm(signum, frame):
        raise _FileTimeout

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return _guarded(work)
    except _FileTimeout:
        return _TIMEOUT
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _guarded(work: Callable[[], Any]) -> Any:
    try:
        return work()
    except Exception:
        return None


def _timed_out(out: dict, seconds: float | None) -> None:
    out["errors"].append({"file": out["file"], "stage": "timeout",
                          "message": f"scoring took longer than {seconds:g} s; skipped"})
