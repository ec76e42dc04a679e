"""forms.isolate: the reader child is stopped by its deadline and its memory ceiling, whatever it
is stuck in; a crash is a clear error; the next file gets a fresh child; and nothing outlives the
command — not after Ctrl-C, SIGTERM or SIGKILL of the command itself."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cases
import stuck
from forms.errors import FormError
from forms.isolate import Isolated
from hostile_run import HERE, ROOT

EXAMPLE = str(cases.EXAMPLE)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:   # a zombie waiting for its parent is gone for our purposes
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def _group_gone(pgid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
        if not any(_in_group(p, pgid) for p in pids):
            return True
        time.sleep(0.05)
    return False


def _in_group(pid: int, pgid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().split(")")[-1].split()
        return int(fields[2]) == pgid and fields[0] != "Z"
    except (OSError, IndexError, ValueError):
        return False


@pytest.mark.parametrize("start", ["fork", "forkserver", "spawn"])
def test_a_read_stuck_in_c_code_is_killed_and_the_next_file_reads(start):
    with Isolated(timeout=1.0, start=start) as reader:
        reader.start()
        first = reader.start().pid
        t = time.perf_counter()
        with pytest.raises(FormError) as e:
            reader.run("stuck.pdf", stuck.spin)
        assert time.perf_counter() - t < 3
        assert e.value.stage == "timeout" and str(e.value).startswith("stuck.pdf: refused: reading took")
        assert not _alive(first)
        assert reader.read_forms(EXAMPLE)[0].project


def test_memory_past_the_ceiling_is_a_clear_error():
    with Isolated(memory=256 << 20) as reader:
        with pytest.raises(FormError, match=r"big.xlsx: refused: reading needs more than the 256 MiB"):
            reader.run("big.xlsx", bytearray, 1 << 30)
        assert reader.read_forms(EXAMPLE)[0].project


def test_a_crashing_parser_is_a_clear_error():
    with Isolated() as reader:
        with pytest.raises(FormError, match=r"bad.pdf: reading stopped the reader process \(signal SIGABRT\)"):
            reader.run("bad.pdf", stuck.crash)
        with pytest.raises(FormError, match=r"odd.docx: reading failed: ZeroDivisionError"):
            reader.run("odd.docx", divmod, 1, 0)
        assert reader.read_forms(EXAMPLE)[0].project


def test_a_killed_command_leaves_no_reader_behind():
    script = ("import sys; sys.path[:0] = sys.argv[1:]; import stuck; from forms.isolate import Isolated;"
              "r = Isolated(timeout=60); print(r.start().pid, flush=True); r.run('stuck.txt', stuck.spin)")
    proc = subprocess.Popen([sys.executable, "-c", script, str(HERE), str(ROOT)], stdout=subprocess.PIPE)
    child = int(proc.stdout.readline())
    time.sleep(0.3)
    assert _alive(child)
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 3
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def _stuck_command(*args, **kw) -> subprocess.Popen:
    """`pianchai ARGS` with the stuck reader installed, in its own process group."""
    code = "import sys; sys.path[:0] = [sys.argv.pop(1)]; import stuck; stuck.install(); import cli; cli.main()"
    return subprocess.Popen([sys.executable, "-c", code, str(HERE), *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, **kw)


def test_ctrl_c_stops_check_on_a_stuck_file(tmp_path):
    target = tmp_path / "stuck.txt"
    target.write_bytes(cases.EXAMPLE.read_bytes())
    proc = _stuck_command("check", "--no-nlp", str(target))
    time.sleep(1.0)
    t = time.perf_counter()
    os.killpg(proc.pid, signal.SIGINT)          # the terminal sends it to the whole group
    proc.wait(timeout=5)
    assert time.perf_counter() - t < 3
    assert _group_gone(proc.pid, within=3)


def test_check_reports_a_stuck_file_and_goes_on(tmp_path):
    target = tmp_path / "stuck.txt"
    target.write_bytes(cases.EXAMPLE.read_bytes())
    proc = _stuck_command("check", "--no-nlp", str(target), EXAMPLE,
                          env={**os.environ, "PIANCHAI_READ_TIMEOUT_S": "1"})
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 1, err
    assert f"{target}: 已停止：处理超过 1 秒仍未完成".encode() in out          # reports.messages words it
    assert "街道社区卫生服务站运行保障".encode() in out


def test_score_gives_a_stuck_file_an_error_row(tmp_path, monkeypatch):
    from batch.score import score

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "stuck.txt", "b.txt", "c.txt"):
        (folder / name).write_bytes(cases.EXAMPLE.read_bytes())
    monkeypatch.setenv("PIANCHAI_READ_TIMEOUT_S", "1")
    monkeypatch.setattr("forms.read.read_forms", stuck.read_forms)   # forked workers inherit it
    t = time.perf_counter()
    stats = score([str(folder)], str(tmp_path / "s.csv"), workers=2, no_nlp=True, progress=False)
    assert time.perf_counter() - t < 15
    assert (stats.files, stats.forms, stats.errors) == (4, 3, 1)
    errors = (tmp_path / "s.errors.csv").read_text(encoding="utf-8-sig")
    assert "stuck.txt,timeout,refused: reading took longer than 1 s" in errors


class _StuckOnStuckFiles(Isolated):
    def read_forms(self, path):
        if Path(path).name.startswith("stuck"):
            return self.run(path, stuck.spin)
        return super().read_forms(path)


def test_a_dask_worker_gives_a_stuck_file_an_error_row(tmp_path, monkeypatch):
    """score_chunk, what a Dask worker runs, reads through its killable reader child."""
    from batch import dask_run

    paths = []
    for name in ("a.txt", "stuck.txt", "b.txt"):
        (tmp_path / name).write_bytes(cases.EXAMPLE.read_bytes())
        paths.append(str(tmp_path / name))
    with _StuckOnStuckFiles(timeout=1.0, start="spawn") as reader:
        monkeypatch.setattr(dask_run, "_reader", lambda: reader)
        t = time.perf_counter()
        rows = dask_run.score_chunk(paths, None, True)
        assert time.perf_counter() - t < 10
    assert [len(r["forms"]) for r in rows] == [1, 0, 1]
    assert [e["stage"] for e in rows[1]["errors"]] == ["timeout"]


def test_sigterm_stops_score_on_a_stuck_file_promptly(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "stuck1.txt", "stuck2.txt"):
        (folder / name).write_bytes(cases.EXAMPLE.read_bytes())
    out = tmp_path / "s.csv"
    proc = _stuck_command("score", str(folder), "-o", str(out), "--no-nlp", "--workers", "2")
    time.sleep(2.5)
    t = time.perf_counter()
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=10)
    assert time.perf_counter() - t < 3
    assert proc.returncode == 130
    assert Path(str(out) + ".partial.jsonl").exists()        # kept for --resume
    assert _group_gone(proc.pid, within=3)


def test_annotate_stops_a_stuck_file(tmp_path):
    target = tmp_path / "stuck.txt"
    target.write_bytes(cases.EXAMPLE.read_bytes())
    out = tmp_path / "checked.xlsx"
    proc = _stuck_command("annotate", "--no-nlp", str(target), "-o", str(out),
                          env={**os.environ, "PIANCHAI_READ_TIMEOUT_S": "1"})
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 1
    assert f"错误：{target}: 已停止：处理超过 1 秒仍未完成".encode() in err
    assert not out.exists()
