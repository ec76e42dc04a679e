"""`pianchai rules`: the rule list and each rule's documentation, in the catalogue's language.

What a rule checks, why it matters and a bad and a good example come from the catalogue
(reports/messages.toml, `[rules.CODE]`); its level, options and their defaults from the rule
class and rules/defaults.toml, so the documentation cannot drift from what runs.
"""
from __future__ import annotations

from reports.messages import level_name, rule_text, t


def rule_rows() -> list[dict]:
    from rules.engine import registry

    return [{"code": c, "level": r.level, "name": r.name, "summary": rule_text(c) or r.summary(),
             "nlp": r.needs_nlp} for c, r in registry().items()]


def as_dict(code: str) -> dict:
    """Everything about rule `code`; KeyError when there is no such rule."""
    from rules.config import Config
    from rules.engine import registry

    cls = registry()[code]
    defaults = Config().settings.get(code, {})
    options = [{"name": name, "type": kind.__name__ if isinstance(kind, type) else list(kind),
                "default": defaults.get(name), "description": rule_text(code, f"options.{name}")}
               for name, kind in cls.options.items()]
    return {"code": code, "name": cls.name, "level": cls.level, "nlp": cls.needs_nlp,
            "summary": rule_text(code) or cls.summary(), "why": rule_text(code, "why"),
            "bad": rule_text(code, "bad"), "good": rule_text(code, "good"), "options": options}


def describe(code: str) -> list[str]:
    """The documentation of rule `code` as lines of text."""
    d = as_dict(code)
    lines = [f"{d['code']}  {d['name']}  （{t('rule_doc.level')}：{level_name(d['level'])}）"
             if _zh() else f"{d['code']}  {d['name']}  ({t('rule_doc.level')}: {level_name(d['level'])})"]
    if d["nlp"]:
        lines.append(t("rule_doc.nlp"))
    for key in ("summary", "why", "bad", "good"):
        title = t("rule_doc.what" if key == "summary" else f"rule_doc.{key}")
        lines += ["", f"{title}:" if not _zh() else f"{title}：", f"    {d[key]}"]
    lines.append("")
    if d["options"]:
        lines.append(t("rule_doc.options", code=code))
        for o in d["options"]:
            lines.append(f"    {o['name']} = {o['default']!r}    # {o['description']}")
    else:
        lines.append(t("rule_doc.no_options"))
    return lines


def _zh() -> bool:
    from reports.messages import lang

    return lang() == "zh"
