"""Benchmark `pianchai score`: throughput per core, the classifier's batches, memory.

Sections (pick with --sections, default all):
- throughput: N invented text forms and P one-page PDF forms (bench/formgen.py; PDFs with a font
  embedded in the file, as office exports have, and with reportlab's non-embedded STSong-Light),
  each scored by `pianchai score FOLDER -o out.parquet --workers 1` in a fresh process. Prints
  forms/s per CPU-second of that process (user + sys: the per-core figure, robust to a shared
  machine) and per wall second. With --baseline DIR (a copy of an older checkout, outside the
  project) the same runs with that code, the ratio, and whether the output tables are identical.
- flat: the peak RSS of the scoring process for N and 2N text forms.
- classifier: the explanation classifier's texts/s on the batches `score` gives it (one call per
  chunk of batch.score.CHUNK files) against one large batch and against one call per form (how
  `score` called it before chunks), on distinct labelled corpus texts as in bench/bench_nlp.py.
- dedupe: peak RSS and time of the near-duplicate stage alone (feed every explanation, read every
  group) for each size in --dedupe, distinct generated explanations, each in a fresh process
  (and with --baseline, the old code's too).

    taskset -c 0 python bench/bench_score.py --baseline /tmp/pianchai-main   # one core, ratios
    python bench/bench_score.py --sections dedupe --dedupe 10000,100000,1000000
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import formgen  # noqa: E402

SECTIONS = ("throughput", "flat", "classifier", "dedupe")


# ---- child modes ----------------------------------------------------------------------------

def _measure(cmd: list[str], cwd: str, pythonpath: str) -> None:
    """Child mode: run cmd, print its wall and CPU time and peak RSS as JSON."""
    import resource

    env = {**os.environ, "PYTHONPATH": pythonpath}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    wall = time.perf_counter() - t0
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"wall": wall, "cpu": use.ru_utime + use.ru_stime, "peak_mib": use.ru_maxrss / 1024,
                      "rc": proc.returncode, "stderr": proc.stderr[-2000:]}))


def explanations(n: int, seed: int = 17):
    """n distinct invented explanations (as indicator rows), every tenth one followed by a
    pasted boilerplate copy: templates from formgen with a made-up place and detail, so there
    are families of near-duplicates as in real archives."""
    rng = random.Random(seed)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    for k in range(n):
        cause = rng.choice(formgen.CAUSES).format(n=3, d=20, m=5)
        measure = rng.choice(formgen.MEASURES).format(n=3, d=20, m=5)
        place = "".join(rng.choices(alphabet, k=3))
        detail = "".join(rng.choices(alphabet, k=8))
        yield {"explanation": f"{place}{cause}，{detail}。{measure}。", "file": f"f{k // 3:07d}.txt",
               "form": k % 3}
        if k % 10 == 0:
            yield {"explanation": formgen.BOILERPLATE, "file": f"f{k // 3:07d}.txt", "form": k % 3}


def _dedupe(n: int, code: str) -> None:
    """Child mode: the near-duplicate stage alone on n distinct explanations."""
    sys.path.insert(0, code)
    from batch.dedupe import Deduper

    t0 = time.perf_counter()
    d = Deduper()
    for row in explanations(n):
        d.observe("indicators", row)
    groups = sum(1 for _ in d.rows())
    if hasattr(d, "close"):
        d.close()
    print(json.dumps({"seconds": time.perf_counter() - t0, "groups": groups, "peak_mib": _vmhwm()}))


def _vmhwm() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# ---- sections -------------------------------------------------------------------------------

def run_score(code: Path, folder: Path, out: Path) -> dict:
    cmd = [sys.executable, "-m", "cli", "score", str(folder), "-o", str(out), "--workers", "1"]
    res = subprocess.run([sys.executable, __file__, "--_measure", str(code), "--", *cmd],
                         capture_output=True, text=True, check=True)
    r = json.loads(res.stdout.strip().splitlines()[-1])
    if r["rc"] not in (0, 1):
        raise SystemExit(f"pianchai score failed with {code} (rc {r['rc']}):\n{r['stderr']}")
    return r


def tables(out: Path) -> dict[str, list[dict]]:
    import pyarrow.parquet as pq

    return {t: pq.read_table(out / t).to_pylist() for t in ("forms", "indicators", "errors", "duplicates")}


def _rows_on(rows: list[dict], cols: list[str]) -> list[str]:
    """The rows restricted to `cols`, as sorted JSON strings (row order is not part of the output)."""
    return sorted(json.dumps([r[c] for c in cols], ensure_ascii=False, default=str) for r in rows)


def _differing(old: list[dict], new: list[dict], cols: list[str]) -> list[str]:
    """The columns whose values differ, rows paired by file and by order within the file (the
    numbering columns themselves may have changed meaning, so they do not pair rows)."""
    def ordered(rows):
        return [r for _, r in sorted(((r.get("file"), i), r) for i, r in enumerate(rows))]
    if len(old) != len(new):
        return ["(row count)"]
    pairs = list(zip(ordered(old), ordered(new)))
    return [c for c in cols if any(a[c] != b[c] for a, b in pairs)]


def same_output(old: Path, new: Path) -> str:
    """Whether two outputs hold the same rows, on the columns both have; if not, which columns
    differ (a retrained model moves the classifier's columns and nothing else), and the columns
    only one side has (a rule added since the baseline is a column of its own)."""
    a, b = tables(old), tables(new)
    notes, same = [], True
    for t in a:
        cols_a = set(a[t][0]) if a[t] else set()
        cols_b = set(b[t][0]) if b[t] else set()
        shared = sorted(cols_a & cols_b)
        if _rows_on(a[t], shared) != _rows_on(b[t], shared):
            same = False
            notes.append(f"{t}: differ in {', '.join(_differing(a[t], b[t], shared))}")
        if cols_a ^ cols_b:
            notes.append(f"{t}: only old {sorted(cols_a - cols_b)}, only new {sorted(cols_b - cols_a)}")
    return f"{same} on shared columns" + (f" ({'; '.join(notes)})" if notes else "")


def throughput(tmp: Path, args, codes: dict[str, Path]) -> None:
    sets = [("txt", args.n, {})]
    if args.pdf_n:
        sets += [("pdf", args.pdf_n, {"pdf_font": "embedded"}), ("pdf (CID)", args.pdf_n, {})]
    print("\n== throughput: pianchai score --workers 1, one form (PDF: one page) per file ==")
    print(f"{'input':<11}{'code':<10}{'forms':>7}{'cpu s':>8}{'wall s':>8}{'forms/cpu-s':>13}"
          f"{'forms/s':>9}{'peak MiB':>10}")
    for name, n, kw in sets:
        fmt = name.split()[0]
        folder = tmp / name.replace(" ", "_")
        t0 = time.perf_counter()
        if kw.get("pdf_font") == "embedded":
            kw = {"pdf_font": formgen.embedded_font()}
        formgen.write_corpus(folder, n, fmt, seed=11, **kw)
        gen = time.perf_counter() - t0
        results = {}
        for _ in range(args.repeat):            # codes in turn, so a change of load falls on both
            for label, code in codes.items():
                out = tmp / f"{folder.name}-{label}.parquet"
                if out.is_dir():
                    shutil.rmtree(out)
                elif out.exists():
                    out.unlink()
                r = run_score(code, folder, out)
                if label not in results or r["cpu"] < results[label]["cpu"]:
                    results[label] = r
                r["out"] = out
        for label, r in results.items():
            print(f"{name:<11}{label:<10}{n:>7}{r['cpu']:>8.1f}{r['wall']:>8.1f}{n / r['cpu']:>13.1f}"
                  f"{n / r['wall']:>9.1f}{r['peak_mib']:>10.0f}", flush=True)
        if "baseline" in results:
            old, new = results["baseline"], results["this"]
            same = same_output(old["out"], new["out"])
            print(f"{name:<11}ratio     {old['cpu'] / new['cpu']:.2f}× per CPU-second, "
                  f"{old['wall'] / new['wall']:.2f}× wall; output tables identical: {same}"
                  f"   (generated in {gen:.0f} s)")


def flat(tmp: Path, args) -> None:
    print("\n== flat memory: peak RSS of `pianchai score --workers 1` on N and 2N text forms ==")
    peaks = []
    for n in (args.n, 2 * args.n):
        folder = tmp / f"flat{n}"
        formgen.write_corpus(folder, n, "txt", seed=12)
        r = run_score(ROOT, folder, tmp / f"flat{n}.parquet")
        peaks.append(r["peak_mib"])
        print(f"{n:>7} forms  peak {r['peak_mib']:.0f} MiB")
    print(f"N→2N: {(peaks[1] / peaks[0] - 1) * 100:+.0f}%")


def classifier(tmp: Path, args) -> None:
    from batch.rows import _judge_ahead
    from batch.score import CHUNK
    from forms.read import read_forms
    from nlp.judge import load_judge

    sys.path.insert(0, str(HERE))
    from bench_nlp import texts as corpus_texts

    judge = load_judge()
    files = formgen.write_corpus(tmp / "cls", args.n, "txt", seed=13)
    forms = [read_forms(f) for f in files]

    class Record:                           # stands for the engine's recorder: keeps the batches
        def __init__(self):
            self.batches: list[list[dict]] = []

        def judge(self, items):
            self.batches.append(list(items))
            return [None] * len(items)

    chunks, per_form = Record(), Record()
    for k in range(0, len(forms), CHUNK):
        _judge_ahead([f for fs in forms[k:k + CHUNK] for f in fs], chunks)
    for fs in forms:
        for f in fs:
            _judge_ahead([f], per_form)

    def rates(*runs: list[list[dict]], repeat: int = 15) -> list[float]:
        """texts per CPU-second of judge_many over each list of batches, best of `repeat`, the
        runs taken in turn so that a change of load on a shared machine falls on all alike."""
        best = [float("inf")] * len(runs)
        for _ in range(repeat):
            for k, batches in enumerate(runs):
                t = time.process_time()
                for b in batches:
                    judge.judge_many(b)
                best[k] = min(best[k], time.process_time() - t)
        return [sum(map(len, batches)) / t for batches, t in zip(runs, best)]

    judge.judge_many(chunks.batches[0])        # warm: lookup tables, caches
    sizes = [len(b) for b in chunks.batches]
    print(f"\n== classifier: texts per CPU-second (best of 15, interleaved), chunks of {CHUNK} files = "
          f"{min(sizes)}–{max(sizes)} texts, mean {sum(sizes) / len(sizes):.0f} ==")
    real_chunk, real_form = rates(chunks.batches, per_form.batches)
    print(f"score's texts, one call per chunk     {real_chunk:9.0f} texts/s")
    print(f"score's texts, one call per form      {real_form:9.0f} texts/s   "
          f"(chunks: {real_chunk / real_form:.1f}×)")
    # the batch-size effect alone, on distinct texts (no repeats for judge_many to fold)
    seen, distinct = set(), []
    for it in corpus_texts(1):
        key = (it["text"], it["indicator"], it["target"], it["actual"])
        if key not in seen:
            seen.add(key)
            distinct.append(it)
    def split(sizes: list[int]) -> list[list[dict]]:
        """The distinct texts, each once, in consecutive batches of the given sizes (cycled)."""
        out, at, k = [], 0, 0
        while at < len(distinct):
            out.append(distinct[at:at + sizes[k % len(sizes)]])
            at += sizes[k % len(sizes)]
            k += 1
        return out

    as_chunks, as_forms = split(sizes), split([len(b) for b in per_form.batches])
    large, chunked, formwise = rates([distinct], as_chunks, as_forms)
    print(f"distinct texts, one large batch ({len(distinct)})  {large:9.0f} texts/s")
    print(f"distinct texts, batches of score's chunk sizes  {chunked:9.0f} texts/s  "
          f"= {chunked / large * 100:.0f}% of the large batch (bar ≥ 90%)")
    print(f"distinct texts, batches of one form's size  {formwise:9.0f} texts/s  "
          f"= {formwise / large * 100:.0f}%")


def dedupe(args, codes: dict[str, Path]) -> None:
    sizes = [int(x) for x in args.dedupe.split(",") if x]
    print("\n== dedupe stage alone: distinct explanations (+10% pasted boilerplate), "
          "fresh process each ==")
    print(f"{'explanations':>13}  {'code':<10}{'seconds':>9}{'groups':>8}{'peak MiB':>10}")
    for n in sizes:
        for label, code in codes.items():
            if label == "baseline" and args.baseline_dedupe_max and n > args.baseline_dedupe_max:
                continue
            res = subprocess.run([sys.executable, __file__, "--_dedupe", str(n), str(code)],
                                 capture_output=True, text=True, check=True, cwd=tempfile.gettempdir())
            r = json.loads(res.stdout.strip().splitlines()[-1])
            print(f"{n:>13,}  {label:<10}{r['seconds']:>9.1f}{r['groups']:>8}{r['peak_mib']:>10.0f}",
                  flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sections", default=",".join(SECTIONS))
    ap.add_argument("--n", type=int, default=2000, help="text forms (default 2000)")
    ap.add_argument("--pdf-n", type=int, default=300, help="one-page PDF forms (default 300; 0: none)")
    ap.add_argument("--dedupe", default="10000,100000,1000000", help="explanation counts for dedupe")
    ap.add_argument("--baseline", type=Path, help="an older checkout to compare with (ratios)")
    ap.add_argument("--baseline-dedupe-max", type=int, default=1_000_000,
                    help="largest dedupe size to run the baseline on")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of each code per input, the best (least CPU) counts (default 3)")
    ap.add_argument("--keep", action="store_true", help="keep the generated folder")
    ap.add_argument("--_measure", nargs=1, help=argparse.SUPPRESS)
    ap.add_argument("--_dedupe", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("cmd", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._measure:
        _measure(args.cmd, args._measure[0], args._measure[0])
        return 0
    if args._dedupe:
        _dedupe(int(args._dedupe[0]), args._dedupe[1])
        return 0

    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    load = os.getloadavg() if hasattr(os, "getloadavg") else ()
    print(f"pianchai score bench: python {sys.version.split()[0]}, cores allowed {cores} of "
          f"{os.cpu_count()}, load average {' '.join(f'{x:.2f}' for x in load)}")
    codes = {"this": ROOT}
    if args.baseline:
        codes = {"baseline": args.baseline.resolve(), "this": ROOT}
    sections = args.sections.split(",")
    tmp = Path(tempfile.mkdtemp(prefix="pianchai-bench-"))
    try:
        if "throughput" in sections:
            throughput(tmp, args, codes)
        if "flat" in sections:
            flat(tmp, args)
        if "classifier" in sections:
            classifier(tmp, args)
        if "dedupe" in sections:
            dedupe(args, codes)
        load = os.getloadavg() if hasattr(os, "getloadavg") else ()
        print(f"\nload average at the end {' '.join(f'{x:.2f}' for x in load)}")
        return 0
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
