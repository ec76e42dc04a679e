"""The rule engine: a registry of small rules, their settings, and the findings they return.

A rule is a class with a stable code (PC101…), a level, a docstring whose first line is its
summary and which shows an "Anti-pattern" and a "Best practice", and a `check(form, ctx)` that
yields findings. Rules never print; reports render findings. Codes are never renumbered or reused.
"""
from __future__ import annotations

import importlib
import pkgutil
import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Iterable, Iterator

from forms.model import Form, Indicator, Source
from rules.judgement import says_nothing, target_status

LEVELS = ("error", "warning", "info")


@dataclass(slots=True)
class Finding:
    """One problem found in a form: what (code, message), how bad (level), where (location)."""

    code: str
    level: str
    message: str
    rule: str
    file: str
    form: int
    project: str = ""
    indicator: str | None = None
    line: int | None = None
    sheet: str | None = None
    field: str | None = None
    column: int | None = None
    suggestion: str | None = None
    evidence: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def location(self) -> str:
        """`file[sheet]:line`, as Source prints it."""
        return str(Source(self.file, self.form, self.line, self.sheet))

    def to_dict(self) -> dict:
        return {
            "code": self.code, "level": self.level, "rule": self.rule, "message": self.message,
            "file": self.file, "form": self.form, "project": self.project,
            "indicator": self.indicator, "line": self.line, "sheet": self.sheet,
            "field": self.field, "column": self.column, "suggestion": self.suggestion,
            "evidence": self.evidence,
        }


class Rule:
    """Base class; subclasses set `code`, `name`, `level`, and `options`.

    `options` maps each setting's name to its type (or a tuple of allowed values); the defaults
    live in rules/defaults.toml, where a user can read them all in one place.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    level: ClassVar[str] = "warning"
    options: ClassVar[dict[str, Any]] = {}
    #: True for rules that judge explanation texts with the classifier (skipped with --no-nlp).
    needs_nlp: ClassVar[bool] = False

    def __init__(self, settings: dict[str, Any] | None = None, level: str | None = None):
        self.settings = settings or {}
        self.effective_level = level or self.level

    @classmethod
    def summary(cls) -> str:
        return (cls.__doc__ or "").strip().splitlines()[0]

    def check(self, form: Form, ctx: "Context") -> Iterable[Finding]:
        raise NotImplementedError

    def finding(self, form: Form, message: str, *, indicator: Indicator | None = None,
                field: str | None = None, source: Source | None = None, suggestion: str | None = None,
                level: str | None = None, evidence: dict | None = None,
                doubt: str | None = None) -> Finding:
        """A finding of this rule. `doubt` says why the reading or the judgement behind it is not
        certain: the finding is then reported as info, with the reason in its evidence."""
        src = source or (indicator.source if indicator is not None else None) or form.source
        column = src.cells.get(field) if (src is not None and field) else None
        level = level or self.effective_level
        if doubt:
            level = "info"
            evidence = {**(evidence or {}), "downgraded": doubt}
        return Finding(
            code=self.code, level=level, message=message, rule=self.name,
            file=src.file if src else "", form=src.form if src else 0, project=form.project,
            indicator=indicator.indicator if indicator is not None else None,
            line=src.line if src else None, sheet=src.sheet if src else None, field=field,
            column=column, suggestion=suggestion, evidence=evidence or {},
        )


_REGISTRY: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator adding a rule to the registry; a duplicate code is a programming error."""
    if cls.code in _REGISTRY and _REGISTRY[cls.code] is not cls:
        raise ValueError(f"rule code {cls.code} registered twice")
    if cls.level not in LEVELS:
        raise ValueError(f"{cls.code}: level {cls.level!r} not in {LEVELS}")
    _REGISTRY[cls.code] = cls
    return cls


def registry() -> dict[str, type[Rule]]:
    """Every rule, by code, in code order. Rule modules are imported on first call."""
    if not _REGISTRY:
        import rules.checks as pkg

        for mod in pkgutil.iter_modules(pkg.__path__):
            importlib.import_module(f"rules.checks.{mod.name}")
    return dict(sorted(_REGISTRY.items()))


Judge = Callable[[list[dict]], list[Any]]


@dataclass
class Context:
    """What rules may use besides the form: settings and, when NLP is on, a batch judge.

    `judge` takes items {text, indicator, target, actual, weight, score} and returns verdicts
    (nlp.judge.Verdict); the engine calls it once per form so the classifier runs batched.
    """

    judge: Judge | None = None
    verdicts: dict[int, Any] = dataclasses.field(default_factory=dict)

    def verdict(self, key: int) -> Any | None:
        return self.verdicts.get(key)


def needs_explanation(ind: Indicator) -> bool:
    """Lost points or missed target: the rows whose 偏差原因分析及改进措施 must be written."""
    return ind.lost_points > 0 or target_status(ind) in ("missed", "partial")


class Engine:
    """Runs the enabled rules over forms."""

    def __init__(self, config: "Config | None" = None, judge: Judge | None = None):
        from rules.config import Config

        self.config = config or Config()
        self.judge = judge
        self.rules: list[Rule] = []
        for code, cls in registry().items():
            if code in self.config.disable:
                continue
            if cls.needs_nlp and judge is None:
                continue
            self.rules.append(cls(self.config.settings.get(code), self.config.levels.get(code)))

    def check(self, form: Form, verdicts: dict[int, Any] | None = None) -> list[Finding]:
        """The findings on one form. `verdicts`, keyed like judge_form, are the form's verdicts
        when they were judged beforehand (a batch run judges a chunk of forms in one call)."""
        ctx = Context(judge=self.judge)
        if verdicts is not None:
            ctx.verdicts = verdicts
        elif self.judge is not None and any(r.needs_nlp for r in self.rules):
            ctx.verdicts = judge_form(form, self.judge)
        findings: list[Finding] = []
        for rule in self.rules:
            findings.extend(rule.check(form, ctx))
        findings.sort(key=lambda f: (f.line if f.line is not None else 10**9, f.code))
        return findings

    def check_all(self, forms: Iterable[Form]) -> Iterator[tuple[Form, list[Finding]]]:
        for form in forms:
            yield form, self.check(form)


def judge_form(form: Form, judge: Judge) -> dict[int, Any]:
    """Verdicts for every explanation the form must have, keyed by indicator index.

    Form-level texts (templates with one 原因分析 cell for the whole form) are judged as one
    explanation under key -1 when any row needs explaining.
    """
    keys: list[int] = []
    items: list[dict] = []
    for k, ind in enumerate(form.indicators):
        # "无", "/", "详见自评报告" are missing explanations (PC201), not texts to grade.
        if needs_explanation(ind) and says_nothing(ind.explanation) is None:
            keys.append(k)
            items.append({"text": ind.explanation, "indicator": ind.indicator, "target": ind.target,
                          "actual": ind.actual, "weight": ind.weight, "score": ind.score})
    form_text = form_level_explanation(form)
    if form_text and says_nothing(form_text) is None and any(needs_explanation(i) for i in form.indicators):
        keys.append(-1)
        items.append({"text": form_text})
    if not items:
        return {}
    return dict(zip(keys, judge(items)))


_FORM_TEXT_HEADINGS = {"deviation": "偏差原因分析", "problems": "存在问题", "measures": "改进措施"}


def form_level_explanation(form: Form) -> str:
    """The form's own 原因分析, 存在问题 and 改进措施 cells that say something, each under its heading
    (so the classifier reads each cell as the side it is), for templates that have them."""
    return "\n".join(f"{head}：{form.texts[k].strip()}" for k, head in _FORM_TEXT_HEADINGS.items()
                     if says_nothing(form.texts.get(k, "")) is None)
