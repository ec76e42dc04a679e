"""A reader that never finishes on files named stuck*: it spins inside one C call (a regular
expression backtracking through 2^64 paths), where no signal handler runs and no exception can
be raised. Only killing the process stops it — what forms.isolate must do.

`install()` puts it in place of forms.read.read_forms; processes forked afterwards (score's
workers, the reader children) inherit it, and `python -c "import stuck; stuck.install(); …"`
runs a command with it.
"""
from __future__ import annotations

import os
import re

import forms.read

_real = forms.read.read_forms


def crash() -> None:
    """Die as a parser crashing in C does (quietly: pytest's faulthandler would print a trace)."""
    import faulthandler

    faulthandler.disable()
    os.abort()


def spin() -> None:
    re.match(r"(a+)+$", "a" * 64 + "b")


def read_forms(path: str):
    if os.path.basename(path).startswith("stuck"):
        spin()
    return _real(path)


def install() -> None:
    forms.read.read_forms = read_forms
