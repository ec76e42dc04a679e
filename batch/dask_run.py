"""`pianchai score --scheduler ADDRESS`: the same per-file work on a Dask distributed cluster.

The client expands PATHS, skips what --resume finds in the output, and maps chunks of files over
the cluster (`client.submit` with a bounded number of chunks in flight). Each worker builds the
rule engine and the classifier once and keeps it, and reads each file in a child process it
can kill (forms.isolate), as a local run does. Results come back to the client, which streams
them into the same journal and output as a local run (batch.sink): with a `.parquet` output that
is a partitioned Parquet dataset (forms/, indicators/, errors/, duplicates/), and the error rows
and resume semantics are those of a local run. A chunk whose worker dies is retried by Dask; if
it still fails, its files become error rows (stage "worker").

Workers must be able to open the files by the paths the client gives (a shared file system) and
must have pianchai installed (same version). See batch/README.md.
"""
from __future__ import annotations

import sys
import threading
from typing import Iterable

from batch.rows import make_engine, rule_codes, score_files
from batch.score import (CHUNK, Stats, _chunks, _error_result, _progress, check_model, finish,
                         own_files_removed)
from batch.sink import Sink

_ENGINES: dict = {}
_THREAD = threading.local()


def _reader():
    """This worker thread's reader child. A Dask worker runs threads and is daemonic (no
    multiprocessing children), so the child is a fresh interpreter, never a fork (forms.isolate)."""
    reader = getattr(_THREAD, "reader", None)
    if reader is None:
        from forms.isolate import Isolated

        reader = _THREAD.reader = Isolated(start="spawn")
    return reader


def score_chunk(paths: list[str], config, no_nlp: bool) -> list[dict]:
    """Runs on a worker: score a chunk of files with the worker's cached engine, their
    explanations judged in one classifier call (batch.rows.score_files). Each file is read in a
    child process that is killed past the read deadline, as in a local run."""
    key = (repr(config), no_nlp)
    engine = _ENGINES.get(key)
    if engine is None:
        engine = make_engine(config, no_nlp)
        _ENGINES.clear()
        _ENGINES[key] = engine
    codes = rule_codes()
    return score_files(paths, engine, codes, read=_reader().read_forms)


def score_on_cluster(paths: Iterable[str], output: str, scheduler, *, report: str | None = None,
                     resume: bool = False, no_nlp: bool = False, config_path: str | None = None,
                     chunk: int = CHUNK, in_flight: int | None = None, progress: bool | None = None,
                     log=None, exclude: Iterable[str] = ()) -> Stats:
    """Score on the cluster at `scheduler` (an address, or a distributed Client)."""
    from distributed import Client, as_completed

    from forms.paths import expand
    from rules.config import load_config

    config = load_config(config_path)          # read here: workers need not see the file
    if not no_nlp:
        check_model()
    sink = Sink(output, resume=resume, codes=rule_codes())
    stats = Stats(output=output, report=report)
    files = own_files_removed(expand(paths, exclude), output, report)
    if not files:
        from batch.score import NoInput

        sink.abandon()
        raise NoInput(" ".join(paths))
    todo = [f for f in files if not sink.has(f)]
    sink.scoring(todo)
    stats.skipped = len(files) - len(todo)
    del files                    # paths are the one thing held per file: keep one list of them
    own_client = not isinstance(scheduler, Client)
    client = Client(scheduler) if own_client else scheduler
    bar = _progress(len(todo), progress)
    try:
        n_workers = max(1, sum(w.get("nthreads", 1) for w in
                               client.scheduler_info().get("workers", {}).values()))
        limit = in_flight or 2 * n_workers
        chunks = _chunks(todo, chunk)
        pending = {}
        ac = as_completed()

        def submit() -> bool:
            batch = next(chunks, None)
            if batch is None:
                return False
            fut = client.submit(score_chunk, batch, config, no_nlp, pure=False)
            pending[fut] = batch
            ac.add(fut)
            return True

        for _ in range(limit):
            if not submit():
                break
        for fut in ac:
            batch = pending.pop(fut)
            try:
                results = fut.result()
            except Exception as e:  # KilledWorker, a worker without pianchai, ...
                results = [_error_result(p, "worker", f"{type(e).__name__}: {e}") for p in batch]
            fut.release()
            for res in results:
                sink.add(res)
                stats.files += 1
                stats.forms += len(res["forms"])
                stats.indicators += len(res["indicators"])
                stats.errors += len(res["errors"])
            if bar is not None:
                bar.update(len(results))
            submit()
    except BaseException:
        sink.abandon()
        raise
    finally:
        if bar is not None:
            bar.close()
        if own_client:
            client.close()
    finish(sink, report, stats, log)
    return stats


if __name__ == "__main__":  # pragma: no cover
    print("use: pianchai score PATHS -o out.parquet --scheduler tcp://host:8786", file=sys.stderr)
