"""Benchmark `pianchai score` end to end (process start, readers, rules, classifier, output).

Generates N invented forms (bench/formgen.py) as text, xlsx and docx (and --pdf-n one-page PDFs)
in a temporary folder, one form per file, times `pianchai score FOLDER -o out.parquet` on each format, and reports forms/s and
the peak resident memory of the largest process (the main process or one worker; measured with
resource.getrusage(RUSAGE_CHILDREN) in a fresh wrapper process per run). Then it scores 2N text
forms to show that memory does not grow with N.

Bars (issue 4, 2-core machine): ≥ 100 forms/s text, ≥ 40 forms/s xlsx, classifier included.

    python bench/bench_score.py                 # N = 2000, txt xlsx docx, all cores
    python bench/bench_score.py --n 500 --formats txt --no-nlp
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import formgen  # noqa: E402

BARS = {"txt": 100.0, "xlsx": 40.0}


def _measure(cmd: list[str]) -> None:
    """Child mode: run cmd, print wall time and peak RSS of the largest descendant as JSON."""
    import resource

    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"wall": wall, "peak_mib": peak_kib / 1024, "rc": proc.returncode,
                      "stderr": proc.stderr[-2000:]}))


def run_score(folder: Path, out: Path, workers: int | None, no_nlp: bool) -> dict:
    exe = shutil.which("pianchai") or str(Path(sys.executable).with_name("pianchai"))
    cmd = [exe, "score", str(folder), "-o", str(out)]
    if workers:
        cmd += ["--workers", str(workers)]
    if no_nlp:
        cmd.append("--no-nlp")
    res = subprocess.run([sys.executable, __file__, "--_measure", "--", *cmd],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="forms per format (default 2000)")
    ap.add_argument("--formats", default="txt,xlsx,docx,pdf")
    ap.add_argument("--pdf-n", type=int, default=300,
                    help="forms for pdf, one page each (pdf is slow to generate; default 300)")
    ap.add_argument("--workers", type=int, default=None, help="default: all cores")
    ap.add_argument("--no-nlp", action="store_true", help="rules only (the bars include the classifier)")
    ap.add_argument("--no-flat", action="store_true", help="skip the 2N memory run")
    ap.add_argument("--keep", action="store_true", help="keep the generated folder")
    ap.add_argument("--_measure", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("cmd", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._measure:
        _measure(args.cmd)
        return 0

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"pianchai score bench: N={args.n}, workers={args.workers or cores} of {cores} cores, "
          f"classifier {'off' if args.no_nlp else 'on'}, python {sys.version.split()[0]}")
    tmp = Path(tempfile.mkdtemp(prefix="pianchai-bench-"))
    rows = []
    try:
        for fmt in args.formats.split(","):
            n = args.pdf_n if fmt == "pdf" else args.n
            t0 = time.perf_counter()
            formgen.write_corpus(tmp / fmt, n, fmt, seed=11)
            gen = time.perf_counter() - t0
            r = run_score(tmp / fmt, tmp / f"{fmt}.parquet", args.workers, args.no_nlp)
            if r["rc"] not in (0, 1):
                print(f"  {fmt}: pianchai failed (rc {r['rc']}):\n{r['stderr']}")
                return 2
            rows.append((fmt, n, r["wall"], n / r["wall"], r["peak_mib"], gen))
        if not args.no_flat and "txt" in args.formats.split(","):
            formgen.write_corpus(tmp / "txt2", 2 * args.n, "txt", seed=12)
            r = run_score(tmp / "txt2", tmp / "txt2.parquet", args.workers, args.no_nlp)
            rows.append(("txt (2N)", 2 * args.n, r["wall"], 2 * args.n / r["wall"], r["peak_mib"],
                         float("nan")))
        print(f"{'format':<10}{'forms':>7}{'seconds':>9}{'forms/s':>9}{'peak MiB':>10}  bar"
              "   (pdf: one page per form, so forms/s = pages/s)")
        ok = True
        for fmt, n, wall, rate, peak, _ in rows:
            bar = BARS.get(fmt)
            mark = "" if bar is None else (f"≥{bar:g} ok" if rate >= bar else f"≥{bar:g} MISSED")
            ok &= bar is None or rate >= bar
            print(f"{fmt:<10}{n:>7}{wall:>9.1f}{rate:>9.1f}{peak:>10.0f}  {mark}")
        flat = [r for r in rows if r[0].startswith("txt")]
        if len(flat) == 2:
            print(f"memory N→2N (txt): {flat[0][4]:.0f} → {flat[1][4]:.0f} MiB "
                  f"({(flat[1][4] / flat[0][4] - 1) * 100:+.0f}%)")
        return 0 if ok else 1
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
