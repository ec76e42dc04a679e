"""`pianchai score`: score many files on all local cores, streaming results to disk.

Files are spread over a process pool whose workers each build the rule engine and the classifier
once (pool initializer). A task is a chunk of files (CHUNK): the worker reads them all and judges
all their explanations in one classifier call (batch.rows.score_files), since a form alone has
too few texts for the classifier's batch path. A few chunks per worker are in flight, and each result is
appended to the output's journal as soon as it arrives (batch.sink), so memory stays flat in the
number of files and an interrupted run loses nothing. A worker that dies (a reader crashing the
interpreter, the OOM killer) breaks the pool: the pool is rebuilt, the files that were in flight
are retried one at a time, and a file that kills a worker on its own gets an error row.
"""
from __future__ import annotations

import os
import sys
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from batch.rows import make_engine, rule_codes, score_files
from batch.sink import Sink
from forms.isolate import Isolated

#: Seconds one file may take before it becomes an error row (stage "timeout").
FILE_TIMEOUT = 300.0
#: Files per task: enough forms that the classifier sees batches of a hundred texts or more,
#: where it runs at ≥ 90% of its large-batch rate (bench/bench_score.py --classifier).
CHUNK = 64

_engine = None
_codes: list[str] | None = None
_setup_error: str | None = None
_timeout: float | None = None
_reader: Isolated | None = None


class SetupError(Exception):
    """Scoring cannot start (no classifier model, ...): reported once, not as N error rows."""


class NoInput(Exception):
    """PATHS name no form file (an empty folder, a glob matching nothing): an error, never an
    empty output that looks like success."""


#: Error rows listed in the summary and the report; the rest are counted, with where they are.
FAILED_SHOWN = 10


def _init_worker(config_path: str | None, no_nlp: bool, parent: int | None = None,
                 timeout: float | None = FILE_TIMEOUT) -> None:
    global _engine, _codes, _setup_error, _timeout, _reader
    import signal

    _timeout = timeout

    signal.signal(signal.SIGINT, signal.SIG_IGN)    # Ctrl-C is the main process's business
    # the reader child is forked first: before the watcher thread and the classifier exist
    _reader = Isolated()
    _reader.start()
    if parent:
        _watch_parent(parent)
    try:
        _engine = make_engine(config_path, no_nlp)
        _codes = rule_codes()
    except Exception as e:  # a broken initializer would break the pool again and again
        _setup_error = f"{type(e).__name__}: {e}"


def _watch_parent(pid: int) -> None:
    """Exit when the main process is gone (killed with SIGKILL, say): no orphan workers."""
    import threading
    import time

    def watch():
        # a forked worker is re-parented the moment the main process dies (even while it is
        # an unreaped zombie, which os.kill(pid, 0) would still find)
        while os.getppid() == pid:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="pianchai-parent-watch", daemon=True).start()


def _work(paths: list[str]) -> list[dict]:
    if _setup_error is not None:
        return [_error_result(p, "setup", _setup_error) for p in paths]
    return score_files(paths, _engine, _codes, _timeout, _reader.read_forms)


@dataclass
class Stats:
    files: int = 0          # files scored in this run
    skipped: int = 0        # files skipped by --resume
    forms: int = 0
    indicators: int = 0
    errors: int = 0         # error rows
    output: str = ""
    report: str | None = None
    duplicates: int = 0
    retried: int = 0        # files with error rows in the output, scored again (--resume)
    output_errors: int = 0  # error rows the finished output holds (old ones kept by --resume too)
    failed: list = field(default_factory=list)   # the first FAILED_SHOWN of them: {file, stage, message}
    extra: dict = field(default_factory=dict)

    def observe(self, table: str, row: dict) -> None:
        """Count the error rows written to the output, keeping the first few to list."""
        if table == "errors":
            self.output_errors += 1
            if len(self.failed) < FAILED_SHOWN:
                self.failed.append({k: row.get(k) for k in ("file", "stage", "message")})


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _progress(total: int | None, enabled: bool | None):
    """A tqdm bar on a terminal, nothing in a pipe."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="file", file=sys.stderr, dynamic_ncols=True, smoothing=0.1)


def run_local(files: Iterable[str], sink: Sink, *, workers: int, config_path: str | None,
              no_nlp: bool, judge=None, chunk: int = CHUNK, timeout: float | None = FILE_TIMEOUT,
              on_result: Callable[[dict], None] | None = None) -> None:
    """Score `files` into `sink`. workers == 1 (or a custom `judge`) runs in this process."""
    if workers <= 1 or judge is not None:
        with Isolated() as reader:
            reader.start()                      # forked before the classifier is loaded
            engine = make_engine(config_path, no_nlp, judge=judge)
            codes = rule_codes()
            for batch in _chunks(files, chunk):
                for res in score_files(batch, engine, codes, timeout, reader.read_forms):
                    sink.add(res)
                    if on_result:
                        on_result(res)
        return
    if isinstance(files, list):     # a few chunks per worker, so the cores share the work evenly
        chunk = max(1, min(chunk, -(-len(files) // (workers * 4))))
    results = _pool_results(files, workers=workers, config_path=config_path, no_nlp=no_nlp,
                            chunk=chunk, timeout=timeout)
    try:
        for res in results:
            sink.add(res)
            if on_result:
                on_result(res)
    finally:
        # a SIGTERM or Ctrl-C met while a result is written lands outside the generator: close
        # it now so its workers are killed, not waited for at exit (the traceback keeps it alive)
        results.close()


def _chunks(files: Iterable[str], size: int) -> Iterator[list[str]]:
    buf: list[str] = []
    for f in files:
        buf.append(f)
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf


def _pool_results(files: Iterable[str], *, workers: int, config_path, no_nlp, chunk: int,
                  timeout: float | None = FILE_TIMEOUT) -> Iterator[dict]:
    """Results in completion order, with a bounded number of chunks in flight.

    When a worker dies, every file that was in flight is retried alone (one task in flight at
    a time until the retries are done); a file that breaks the pool when alone gets an error row.
    """
    todo = _chunks(files, chunk)
    retry: list[str] = []
    crashes: dict[str, int] = {}
    max_in_flight = workers * 3
    exhausted = False
    while not exhausted or retry:
        # workers watch the main process, so a SIGKILLed run leaves no orphans (nor its lock on
        # the journal, which forked workers share)
        pool = ProcessPoolExecutor(workers, initializer=_init_worker,
                                   initargs=(config_path, no_nlp, os.getpid(), timeout))
        pending: dict = {}
        broken = False
        try:
            while True:
                while len(pending) < (1 if retry else max_in_flight):
                    if retry:
                        batch = [retry.pop(0)]
                    else:
                        batch = next(todo, None)
                        if batch is None:
                            exhausted = True
                            break
                    pending[pool.submit(_work, batch)] = batch
                if not pending:
                    break
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    batch = pending.pop(fut)
                    try:
                        results = fut.result()
                    except BrokenProcessPool:
                        broken = True
                        pending[fut] = batch       # handled with the rest below
                        continue
                    except Exception as e:  # e.g. a result that cannot be pickled
                        results = [_error_result(p, "worker", f"{type(e).__name__}: {e}")
                                   for p in batch]
                    yield from results
                if broken:
                    break
        except BaseException:
            _kill_workers(pool)     # Ctrl-C, SIGTERM: do not wait for the files in flight
            broken = True
            raise
        finally:
            pool.shutdown(wait=not broken, cancel_futures=True)
        if broken:
            alone = sum(len(b) for b in pending.values()) == 1
            for batch in pending.values():
                for p in batch:
                    crashes[p] = crashes.get(p, 0) + 1
                    if alone or crashes[p] >= 2:
                        yield _error_result(p, "crash", "the worker process died while scoring "
                                                        "this file (a crash or out of memory)")
                    else:
                        retry.append(p)


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            proc.kill()
        except (OSError, ValueError):
            pass


def _error_result(path: str, stage: str, message: str) -> dict:
    return {"file": path, "forms": [], "indicators": [],
            "errors": [{"file": path, "stage": stage, "message": message}]}


def score(paths: Iterable[str], output: str, *, report: str | None = None, resume: bool = False,
          workers: int | None = None, no_nlp: bool = False, config_path: str | None = None,
          progress: bool | None = None, judge=None, timeout: float | None = FILE_TIMEOUT,
          chunk: int = CHUNK, log: Callable[[str], None] | None = None,
          exclude: Iterable[str] = ()) -> Stats:
    """Score every file `paths` names into `output`; see batch.sink for the output layout.
    NoInput when `paths` name no file at all."""
    from forms.paths import expand

    # fail early on a bad config, output or model, before any worker starts
    make_engine(config_path, True)
    if not no_nlp and judge is None:
        check_model()
    files = own_files_removed(expand(paths, exclude), output, report)   # paths only: 100k are a few MB
    if not files:
        raise NoInput(" ".join(paths))
    sink = Sink(output, resume=resume, codes=rule_codes())
    stats = Stats(output=output, report=report)
    todo = [f for f in files if not sink.has(f)]
    sink.scoring(todo)
    stats.retried = len(sink.retry)
    stats.skipped = len(files) - len(todo)
    del files                    # paths are the one thing held per file: keep one list of them
    bar = _progress(len(todo), progress)

    def on_result(res: dict) -> None:
        stats.files += 1
        stats.forms += len(res["forms"])
        stats.indicators += len(res["indicators"])
        stats.errors += len(res["errors"])
        if bar is not None:
            bar.update(1)
            if res["errors"]:
                bar.set_postfix(errors=stats.errors, refresh=False)

    previous = _sigterm_as_interrupt()
    try:
        run_local(todo, sink, workers=workers or default_workers(), config_path=config_path,
                  no_nlp=no_nlp, judge=judge, chunk=chunk, timeout=timeout, on_result=on_result)
    except BaseException:
        sink.abandon()           # the journal stays: --resume picks up from here
        raise
    finally:
        if bar is not None:
            bar.close()
        _restore_sigterm(previous)
    finish(sink, report, stats, log)
    return stats


def _sigterm_as_interrupt():
    """SIGTERM (kill, a batch system's time limit) stops the run like Ctrl-C: workers shut
    down and the journal is kept for --resume. Only from the main thread."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, handler)


def _restore_sigterm(previous) -> None:
    import signal
    import threading

    if previous is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, previous)


def check_model() -> None:
    from nlp.judge import DEFAULT_MODEL

    if not DEFAULT_MODEL.exists():
        raise SetupError(f"{DEFAULT_MODEL}: no classifier model; run `pianchai train` or use --no-nlp")


def own_files_removed(files: Iterable[str], output: str, report: str | None) -> list[str]:
    """The input files minus the output itself and its temporary files (an output written
    into the folder being scored must not be read back as a form)."""
    from pathlib import Path

    out = Path(output).resolve()
    mine = {out, Path(report).resolve() if report else out}
    names = {p.name for p in mine}
    prefix = f".{out.name}."
    inside = f"{os.sep}{out.name}{os.sep}"          # a .parquet output is a folder
    kept = []
    for f in files:
        name = os.path.basename(f)
        if name in names or name.startswith(prefix) or inside in os.path.abspath(f):
            p = Path(f).resolve()                    # only suspects pay for resolve()
            if p in mine or out in p.parents or p.name.startswith(prefix):
                continue
        kept.append(f)
    return kept


def finish(sink: Sink, report: str | None, stats: Stats, log=None) -> None:
    """Write the output (and the HTML report) from everything the sink holds. The duplicate
    detector works in a folder next to the output (batch.dedupe), removed at the end."""
    from pathlib import Path

    from batch.dedupe import Deduper

    with Deduper(folder=Path(sink.output).resolve().parent) as dedupe:
        observers = [dedupe.observe, stats.observe]
        summary = None
        if report:
            from reports.html import BatchSummary

            summary = BatchSummary()
            observers.append(summary.observe)
        dup_rows: list = []

        def duplicates():
            dup_rows.append(dedupe.rows())       # a sequence read from disk as it is written
            return dup_rows[0]

        sink.close(observers, duplicates)
        rows = dup_rows[0] if dup_rows else []
        stats.duplicates = len(rows)
        if report and summary is not None:
            from batch.sink import OutputWriteError
            from reports.html import write_report

            try:
                from reports.score_summary import errors_location

                write_report(report, summary, rows, errors_at=errors_location(sink.output))
            except OSError as e:
                raise OutputWriteError(f"{report}: cannot write the report: {e.strerror or e}") from None
