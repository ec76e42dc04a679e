"""The hostile files, written once per test session, and how the commands are run on them: in a
subprocess whose address space is capped at 1 GiB (RLIMIT_AS, inherited by every process it
starts), so a file that would need more ends the test instead of the machine.

(Not named conftest.py: tests import `conftest` from tests/ by name.)"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for folder in (HERE.parent, HERE):          # formspec (tests/), cases (here)
    if str(folder) not in sys.path:
        sys.path.append(str(folder))

import cases  # noqa: E402

ROOT = HERE.parents[1]
MEMORY = 1 << 30          # 1 GiB for a command and each of its processes
PER_FILE_S = 30.0


def capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def pianchai(*args, timeout: float, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    """`pianchai ARGS` in a fresh process under the memory cap (arguments may be bytes paths)."""
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True,
                          timeout=timeout, preexec_fn=capped, cwd=ROOT, env={**os.environ, **(env or {})},
                          **kw)


@pytest.fixture(scope="session")
def hostile(tmp_path_factory) -> dict[str, Path]:
    """Every case and every clean file, in one folder: name → path."""
    folder = tmp_path_factory.mktemp("hostile")
    return {c.name: c.make(folder) for c in cases.CASES + cases.GOOD}
