"""Cold start of the commands people type: median wall time of fresh processes.

Goals (issue 3): `pianchai rules` and `pianchai check --no-nlp` < 0.5 s; `pianchai explain` < 2.5 s.

    python bench/bench_cli.py [--runs 7]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "examples" / "community_health_2023.txt")
COMMANDS = {
    "pianchai rules": ["rules"],
    "pianchai check --no-nlp (example)": ["check", EXAMPLE, "--no-nlp"],
    "pianchai check (example, with NLP)": ["check", EXAMPLE],
    "pianchai explain TEXT": ["explain", "由于客观原因，进度滞后。下一步将加强管理。"],
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    runs = ap.parse_args().runs
    for label, args in COMMANDS.items():
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - t)
        print(f"{label:<38} median {statistics.median(times):.3f} s  (min {min(times):.3f}, {runs} runs)")


if __name__ == "__main__":
    main()
