"""The one catalogue of what pianchai says to people: Chinese first, English on request.

Every user-facing text of the reports and commands — level names, the summary line, rule
summaries and documentation, table headers, chart labels, error messages — is an entry of
`reports/messages.toml`, which holds each text in both languages side by side. The language is
`zh` unless `--lang en` (or the environment variable PIANCHAI_LANG=en) asks for English.

Finding messages are written by the rules in Chinese (they quote the form's own Chinese words)
and are not translated. Reader error messages are raised in English by forms/ and rendered here
through the catalogue's patterns (`reader_error`), so no library's raw text reaches the user.
"""
from __future__ import annotations

import os
import re
import tomllib
from functools import cache
from pathlib import Path

CATALOGUE = Path(__file__).with_name("messages.toml")
LANGS = ("zh", "en")
_lang: str | None = None


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def set_lang(lang: str | None) -> None:
    """Choose the language for this process (None: back to PIANCHAI_LANG, else Chinese)."""
    global _lang
    if lang is not None and lang not in LANGS:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGS)}")
    _lang = lang


def lang() -> str:
    if _lang is not None:
        return _lang
    env = os.environ.get("PIANCHAI_LANG", "").strip().lower()[:2]
    return env if env in LANGS else "zh"


@cache
def catalogue() -> dict:
    return tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))


def _entry(key: str) -> dict:
    node = catalogue()
    for part in key.split("."):
        node = node[part]
    return node


def t(key: str, **params) -> str:
    """The text of `key` ("summary.line", "level.error", …) in the current language, with
    `{name}` fields filled from `params`."""
    entry = _entry(key)
    return entry[lang()].format_map(_Missing(params))


def level_name(level: str) -> str:
    """错误 / 警告 / 提示 (error / warning / info)."""
    return t(f"level.{level}")


def stage_name(stage: str) -> str:
    try:
        return t(f"stage.{stage}")
    except KeyError:
        return stage


def rule_text(code: str, part: str = "summary") -> str:
    """A rule's `summary`, `why` or `options.NAME` text; empty when the catalogue has none."""
    try:
        return t(f"rules.{code}.{part}")
    except KeyError:
        return ""


@cache
def _patterns(section: str) -> list[tuple[re.Pattern, dict]]:
    return [(re.compile(e["match"], re.S), e) for e in catalogue()[section]]


def _reworded(section: str, message: str) -> str:
    for pattern, entry in _patterns(section):
        m = pattern.fullmatch(message)
        if m:
            return entry[lang()].format_map(_Missing(m.groupdict()))
    return message


def reader_error(message: str) -> str:
    """A reader's (English) error message as the catalogue words it in the current language.

    The patterns name what the user can act on and drop a library's exception text; a message no
    pattern knows is shown as it is, so nothing is ever hidden."""
    return _reworded("reader_error", message)


def config_error(message: str) -> str:
    """One problem of a config file (rules.config.ConfigError.problems) in the current language."""
    return _reworded("config_error", message)


def file_error(error) -> str:
    """`file[:where]: message` of a forms.errors.FormError, the message in the current language."""
    place = f"{error.file}:{error.where}" if error.where else error.file
    return f"{place}: {reader_error(error.message)}"
