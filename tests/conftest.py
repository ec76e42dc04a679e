"""Shared test helpers: where ../shared is, and how to build a form from a dict."""
from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "003_4a6465395ea4fb81.txt"
SEED_EXPECTED = SHARED / "seeds" / "003_4a6465395ea4fb81.expected.json"
EXAMPLE = ROOT / "examples" / "community_health_2023.txt"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on now (for a test server)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def seed_path() -> Path:
    if not SEED.exists():
        pytest.skip("../shared is absent (a fresh clone has no seed): seed tests skipped")
    return SEED


@pytest.fixture(autouse=True)
def _language_per_test():
    """A test that ran a command with --lang en must not leave English to the next one."""
    yield
    from reports.messages import set_lang

    set_lang(None)
