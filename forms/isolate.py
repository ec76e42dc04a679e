"""Reader work in a child process that can be stopped.

Reading a file runs parsers (pdfminer, openpyxl, lxml, xlrd) over bytes anyone may have written.
The readers check the limits they know of before anything is allocated; this module is the
backstop for what nobody foresaw. Each file is read in a child process with a ceiling on its
address space (RLIMIT_AS) and a deadline. Past the deadline the child is killed with SIGKILL — it
may be stuck inside C code, where no signal handler runs and no thread can be stopped — and the
next file gets a fresh child. Every failure comes back as a FormError naming the file.

The child is started once and serves file after file, so a batch pays one fork (a millisecond),
not one per file. A process that runs threads (the web server) must not fork itself: a thread may
hold a lock the child then waits on forever. It uses `start="forkserver"`: children are forked
from a small server process started once, before any request.

    with Isolated() as reader:
        forms = reader.read_forms(path)          # FormError on anything that goes wrong
"""
from __future__ import annotations

import os
import pickle
import select
import signal
import struct
from typing import Any, Callable

from forms.errors import FormError

#: Seconds one file may take to read; environment: PIANCHAI_READ_TIMEOUT_S.
READ_TIMEOUT = 30.0
#: Bytes of address space one read may add to the child; environment: PIANCHAI_READ_MEMORY_MB.
READ_MEMORY = 1 << 30

_LENGTH = struct.Struct("<Q")


def read_timeout() -> float:
    return float(os.environ.get("PIANCHAI_READ_TIMEOUT_S") or READ_TIMEOUT)


def read_memory() -> int:
    mb = os.environ.get("PIANCHAI_READ_MEMORY_MB")
    return int(float(mb) * 2**20) if mb else READ_MEMORY


class Isolated:
    """A child process that runs reader work under a deadline and a memory ceiling.

    `start` is "fork" (a plain fork of this process: cheap; use it before threads exist),
    "forkserver" (for threaded processes) or "spawn" (a fresh interpreter: for a threaded process
    that may not have multiprocessing children, such as a daemonic Dask worker). Not thread-safe:
    one caller at a time (the web server keeps one per worker thread).
    """

    def __init__(self, timeout: float | None = None, memory: int | None = None, start: str = "fork"):
        if start not in ("fork", "forkserver", "spawn"):
            raise ValueError(f"start must be 'fork', 'forkserver' or 'spawn', not {start!r}")
        self.timeout = read_timeout() if timeout is None else timeout
        self.memory = read_memory() if memory is None else memory
        self.start_method = start
        self._child: _Child | None = None

    # -- the work ------------------------------------------------------------------------------
    def read_forms(self, path: str) -> list:
        """forms.read.read_forms(path), in the child."""
        from forms.read import read_forms

        return self.run(path, read_forms, path)

    def run(self, file: str, fn: Callable, *args, doing: str = "reading",
            passes: tuple[type[Exception], ...] = ()) -> Any:
        """`fn(*args)` in the child (fn must be importable by name); its result, or FormError
        naming `file` when fn raises, runs past the deadline, or the child dies. Exceptions of
        the `passes` types (the caller's own clear errors) are raised as they are."""
        child = self.start()
        try:
            child.conn.send((fn, args, file, doing, self.memory, passes))
            if not child.conn.poll(self.timeout):
                self._stop()
                raise FormError(file, f"refused: {doing} took longer than {self.timeout:g} s and was "
                                      f"stopped", stage="timeout")
            ok, value, retire = child.conn.recv()
        except (EOFError, OSError) as e:
            how = self._stop()
            raise FormError(file, f"{doing} stopped the reader process ({how or type(e).__name__}): "
                                  f"a crash or out of memory") from None
        except BaseException:
            self._stop()         # Ctrl-C, a batch's own time limit: the child's state is unknown
            raise
        if retire:
            self._stop()
        if ok:
            return value
        raise value

    # -- the child's life ----------------------------------------------------------------------
    def start(self) -> "_Child":
        """The running child, started if need be (call early, before threads exist)."""
        child = self._child
        if child is not None and child.owner == os.getpid():
            return child
        if self.start_method == "fork":
            import forms.read  # noqa: F401  (imported once, here: the parent needs the form model too)

            child = _fork()
        elif self.start_method == "forkserver":
            child = _forkserver()
        else:
            child = _spawn()
        self._child = child
        return child

    def _stop(self) -> str | None:
        """Kill and reap the child; how it ended ("signal SIGSEGV", "exit 1"), if known."""
        child, self._child = self._child, None
        if child is None or child.owner != os.getpid():
            return None
        return child.stop()

    def close(self) -> None:
        self._stop()

    def __enter__(self) -> "Isolated":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


# ---- the child ----------------------------------------------------------------------------------

def serve(conn) -> None:
    """The child's loop: take (fn, args, file, doing, memory, passes), answer (ok, value, retire)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)        # the parent decides when to stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    limited = False
    while True:
        try:
            fn, args, file, doing, memory, passes = conn.recv()
        except (EOFError, OSError):
            return
        if not limited:
            _limit_memory(memory)
            limited = True
        retire = False
        try:
            reply = (True, fn(*args), False)
        except (FormError, *passes) as e:
            reply = (False, e, False)
        except MemoryError:
            retire = True      # the heap may be left fragmented: the next file gets a new child
            reply = (False, FormError(file, f"refused: {doing} needs more than the "
                                            f"{memory // 2**20:,} MiB of memory allowed"), True)
        except RecursionError:
            reply = (False, FormError(file, f"refused: structures nested too deeply for {doing}"), False)
        except Exception as e:  # a parser bug: the file is reported, the batch goes on
            reply = (False, FormError(file, f"{doing} failed: {type(e).__name__}: {e}"), False)
        try:
            conn.send(reply)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as e:
            conn.send((False, FormError(file, f"{doing} gave a result that cannot be passed back "
                                              f"({type(e).__name__})"), False))
        except (OSError, MemoryError):
            return
        if retire:
            return


def _die_with_parent() -> None:
    """Linux: SIGKILL this child when the process that started it dies (even by SIGKILL), so a
    killed `pianchai` leaves no reader spinning on a hostile file."""
    try:
        import ctypes

        parent = os.getppid()
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)    # PR_SET_PDEATHSIG
        if os.getppid() != parent:
            os._exit(1)
    except (OSError, AttributeError, ImportError):
        pass


def _limit_memory(budget: int) -> None:
    """RLIMIT_AS = what the child maps now + `budget` (never above an inherited hard limit)."""
    try:
        import resource

        with open("/proc/self/statm") as f:
            mapped = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = mapped + budget
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or limit < soft:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ValueError, ImportError):
        pass


# ---- starting children ----------------------------------------------------------------------------

class _Child:
    def __init__(self, conn, pid: int, stop: Callable[[], str | None]):
        self.conn = conn
        self.pid = pid
        self.owner = os.getpid()
        self.stop = stop


class _Pipe:
    """Pickled messages over a pair of pipe file descriptors (the fork path: no multiprocessing
    import, which would cost `pianchai check` more than the fork itself)."""

    def __init__(self, rfd: int, wfd: int):
        self.rfd, self.wfd = rfd, wfd

    def send(self, obj) -> None:
        data = pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)
        view = memoryview(_LENGTH.pack(len(data)) + data)
        while view:
            view = view[os.write(self.wfd, view):]

    def poll(self, timeout: float | None) -> bool:
        while True:
            try:
                return bool(select.select([self.rfd], [], [], timeout)[0])
            except InterruptedError:  # pragma: no cover - PEP 475 retries; kept for clarity
                continue

    def recv(self):
        (n,) = _LENGTH.unpack(self._exactly(_LENGTH.size))
        return pickle.loads(self._exactly(n))

    def _exactly(self, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            chunk = os.read(self.rfd, min(n - len(buf), 1 << 20))
            if not chunk:
                raise EOFError
            buf += chunk
        return bytes(buf)

    def close(self) -> None:
        for fd in (self.rfd, self.wfd):
            try:
                os.close(fd)
            except OSError:
                pass


def _fork() -> _Child:
    import gc

    to_child_r, to_child_w = os.pipe()
    to_parent_r, to_parent_w = os.pipe()
    # Objects that exist now are shared copy-on-write; a garbage collection walking them would
    # write to (and so copy) every page they sit on, in the child and in this process alike.
    gc.freeze()
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            os.close(to_child_w)
            os.close(to_parent_r)
            serve(_Pipe(to_child_r, to_parent_w))
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(to_child_r)
    os.close(to_parent_w)
    conn = _Pipe(to_parent_r, to_child_w)

    def stop() -> str | None:
        conn.close()
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return None
        return _ended(status)
    return _Child(conn, pid, stop)


def _ended(status: int) -> str | None:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return None if sig == signal.SIGKILL else f"signal {signal.Signals(sig).name}"
    if os.WIFEXITED(status) and os.WEXITSTATUS(status):
        return f"exit {os.WEXITSTATUS(status)}"
    return None


# Modules a forkserver child should find already imported: the readers and their parsers.
_PRELOAD = ["forms.read", "forms.readers.text", "forms.readers.html", "forms.readers.docx",
            "forms.readers.xlsx", "forms.readers.xls", "forms.readers.pdf", "openpyxl", "xlrd",
            "lxml.etree", "pdfplumber"]


def _forkserver() -> _Child:
    import multiprocessing

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)         # only the first server start reads this
    parent_conn, child_conn = ctx.Pipe()
    proc = ctx.Process(target=serve, args=(child_conn,), daemon=True, name="pianchai-reader")
    proc.start()
    child_conn.close()

    def stop() -> str | None:
        parent_conn.close()
        proc.kill()
        proc.join()
        code = proc.exitcode
        if code is None or code == -signal.SIGKILL or code == 0:
            return None
        return f"signal {signal.Signals(-code).name}" if code < 0 else f"exit {code}"
    return _Child(parent_conn, proc.pid, stop)


def _spawn() -> _Child:
    """A fresh `python -m forms.isolate` serving over two inherited pipes."""
    import subprocess
    import sys

    to_child_r, to_child_w = os.pipe()
    to_parent_r, to_parent_w = os.pipe()
    try:
        # the child finds what this process imports by name (as multiprocessing's spawn does)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        proc = subprocess.Popen([sys.executable, "-m", "forms.isolate", str(to_child_r), str(to_parent_w)],
                                pass_fds=(to_child_r, to_parent_w), stdin=subprocess.DEVNULL, env=env)
    except BaseException:
        for fd in (to_child_r, to_child_w, to_parent_r, to_parent_w):
            os.close(fd)
        raise
    os.close(to_child_r)
    os.close(to_parent_w)
    conn = _Pipe(to_parent_r, to_child_w)

    def stop() -> str | None:
        conn.close()
        proc.kill()
        code = proc.wait()
        if code == -signal.SIGKILL or code == 0:
            return None
        return f"signal {signal.Signals(-code).name}" if code < 0 else f"exit {code}"
    return _Child(conn, proc.pid, stop)


if __name__ == "__main__":      # the "spawn" child: serve over the pipes _spawn passed
    import sys

    os.dup2(2, 1)               # a reader that prints must not reach the parent as a message
    serve(_Pipe(int(sys.argv[1]), int(sys.argv[2])))
