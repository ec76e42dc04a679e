"""Reader benchmark: forms/s for read (+ interpret) per format, PDF pages/s, peak RSS.

    /work/venv/bin/python bench/bench_readers.py --n 2000 --pdf-pages 200

Forms come from the specs in tests/specs (seven template families). For each format, up to
`--distinct` different files are rendered (the project name varied) and then copied until there
are N files, so generation stays quick while every file is read and interpreted from disk. Each
format is timed in its own child process, one core, reading files one after another the way a
batch worker does; the child reports its own peak RSS (VmHWM, see peak_rss_mib), so the figure is
that format's and not the generator's. PDF pages hold one form each: `pdf` with a font embedded in
the file (made at run time, as office exports embed theirs; needs fontTools), `pdfcid` with
reportlab's STSong-Light, which is not embedded (pdfium then drops lone CJK glyphs and the reader
hands those pages to pdfplumber). If forms.interpret does not exist yet, read only is timed.
"""
from __future__ import annotations

import argparse
import copy
import importlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))


def generate(fmt: str, n: int, distinct: int, folder: Path, per_file: int = 1,
             name: str | None = None) -> list[Path]:
    """N files of `fmt` in `folder` (`per_file` forms each), `distinct` of them rendered, their
    names starting with `name` (default: fmt)."""
    import formspec

    specs = formspec.load_specs()
    made: list[Path] = []
    for k in range(min(distinct, n)):
        group = []
        for j in range(per_file):
            s = copy.deepcopy(specs[(k * per_file + j) % len(specs)])
            s.rows = [[c + f"（第{k + 1}批）" if c == s.expected.get("project") else c for c in r] for r in s.rows]
            group.append(s)
        made.append(formspec.render(group, fmt, folder, f"{name or fmt}-{k:05d}"))
    out = list(made)
    for k in range(len(made), n):
        target = folder / f"{name or fmt}-{k:05d}{made[0].suffix}"
        shutil.copyfile(made[k % len(made)], target)
        out.append(target)
    return out


def worker(fmt: str, folder: str) -> dict:
    """Read (and interpret) every file of one format in `folder`; runs in a child process."""
    from forms.sniff import sniff

    try:
        interpret = importlib.import_module("forms.interpret").interpret
    except ImportError:
        interpret = None
    files = sorted(p for p in Path(folder).iterdir() if p.name.startswith(fmt + "-"))
    # Import the reader's library before the clock starts: start-up is not throughput.
    importlib.import_module(f"forms.readers.{'pdf' if fmt.startswith('pdf') else fmt}")
    forms = tables = errors = 0
    t0 = time.perf_counter()
    t_read = 0.0
    for p in files:
        try:
            r0 = time.perf_counter()
            got = importlib.import_module(f"forms.readers.{sniff(str(p))}").read(str(p))
            t_read += time.perf_counter() - r0
            tables += len(got)
            if interpret is not None:
                forms += len(interpret(got, str(p)))
        except Exception as e:  # a benchmark counts failures rather than stopping
            errors += 1
            if errors <= 3:
                print(f"  {p.name}: {type(e).__name__}: {e}", file=sys.stderr)
    elapsed = time.perf_counter() - t0
    return {"format": fmt, "files": len(files), "tables": tables, "forms": forms, "errors": errors,
            "seconds": elapsed, "read_seconds": t_read, "interpreted": interpret is not None,
            "peak_rss_mib": peak_rss_mib()}


def peak_rss_mib() -> float:
    """This process's peak resident memory. VmHWM belongs to the process image, so it starts fresh
    at exec; getrusage's ru_maxrss on Linux keeps the parent's high-water mark across fork+exec
    (the generator's, here), so it is only the fallback."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="forms per format (text, xlsx, docx)")
    ap.add_argument("--pdf-pages", type=int, default=200, help="PDF pages (one form a page, 8 pages a file)")
    ap.add_argument("--formats", default="text,xlsx,docx,pdf,pdfcid")
    ap.add_argument("--distinct", type=int, default=40, help="distinct files rendered per format")
    ap.add_argument("--keep", help="generate into this folder and keep it")
    ap.add_argument("--worker", nargs=2, metavar=("FORMAT", "FOLDER"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-readers-"))
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for fmt in args.formats.split(","):
            t0 = time.perf_counter()
            if fmt.startswith("pdf"):
                import formspec

                pages_per_file = 8
                font = formspec._FONT
                if fmt == "pdf":
                    import formgen

                    formspec._FONT = formgen.embedded_font()
                try:
                    files = generate("pdf", max(1, args.pdf_pages // pages_per_file), args.distinct,
                                     folder, per_file=pages_per_file, name=fmt)
                finally:
                    formspec._FONT = font
            else:
                files = generate(fmt, args.n, args.distinct, folder)
            gen = time.perf_counter() - t0
            size = sum(p.stat().st_size for p in files)
            out = subprocess.run([sys.executable, __file__, "--worker", fmt, str(folder)], check=True,
                                 capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
            if out.stderr:
                sys.stderr.write(out.stderr)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            r["generate_seconds"] = gen
            r["mib_on_disk"] = size / 2**20
            results.append(r)
            rate = r["forms"] / r["seconds"] if r["interpreted"] else r["files"] / r["seconds"]
            unit = "pages/s" if fmt.startswith("pdf") else "forms/s"
            what = "read+interpret" if r["interpreted"] else "read only"
            print(f"{fmt:5s} {r['files']:5d} files {r['forms']:5d} forms  {what}: {r['seconds']:6.2f} s "
                  f"({rate:7.1f} {unit}; read alone {r['read_seconds']:6.2f} s)  peak RSS {r['peak_rss_mib']:6.1f} MiB"
                  f"  errors {r['errors']}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
