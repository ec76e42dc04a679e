"""Bench the drafting page's API: /api/explain latency warm, then many concurrent clients.

Starts the app with uvicorn in a subprocess on a free loopback port (as `pianchai serve` does),
waits for it, warms it, then
  1. sends N sequential requests from one keep-alive httpx client → p50 / p95 / p99 latency;
  2. runs C client threads (each its own keep-alive client) for D seconds → requests, errors,
     throughput and latency under load.
Bars (issue 5): warm p50 < 20 ms; C=50 clients for 10 s with zero errors. Exit code 1 if missed.

    /work/venv/bin/python bench/bench_web.py                 # defaults: 500 requests, 50 clients, 10 s
    /work/venv/bin/python bench/bench_web.py --clients 50 --duration 10 --requests 1000
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent

# Invented explanations of the lengths forms have: vague, specific, mixed, empty.
TEXTS = [
    "由于客观原因未完成。下一步将进一步加强管理。",
    "受多种因素影响，进度有所滞后，今后将加大督促力度，确保按期完成。",
    "供应商两次流标，采购合同推迟到10月签订，图书到馆延后；已将明年采购启动时间提前至2月。",
    "部分社区图书室场地改造未完工，暂停借阅两个月；剩余3个点位计划于次年4月底前恢复开放。",
    "",
    "年初指标值按全部网点开放设定，未考虑2个网点搬迁，下年度将该指标值调整为90%。",
    "工作推进不够到位，重视程度不够。后续将强化绩效管理，合理安排进度，加紧推进。",
    "资金下达较晚，项目推迟开工。已与财政局协商改为按季度拨付，并建立整改台账每月通报。",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "uvicorn", "web.app:create_app", "--factory", "--host", "127.0.0.1",
           "--port", str(port), "--log-level", "warning", "--no-access-log"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.terminate()
    raise SystemExit("server did not start within 60 s")


def payload(i: int) -> dict:
    return {"text": TEXTS[i % len(TEXTS)], "indicator": "新购图书册数", "target": "≥30000册",
            "actual": "26000册", "weight": 20, "score": 17}


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def sequential(url: str, n: int) -> list[float]:
    times = []
    with httpx.Client(timeout=10) as c:
        for i in range(50):                       # warm: model loaded, connections, caches
            c.post(url, json=payload(i)).raise_for_status()
        for i in range(n):
            t = time.perf_counter()
            r = c.post(url, json=payload(i))
            times.append((time.perf_counter() - t) * 1000)
            r.raise_for_status()
    return times


def concurrent(url: str, clients: int, duration: float) -> tuple[int, int, list[float], list[str]]:
    stop = time.monotonic() + duration
    lock = threading.Lock()
    counts = {"ok": 0, "err": 0}
    times: list[float] = []
    errors: list[str] = []
    start = threading.Barrier(clients)

    def worker(k: int):
        mine, bad, lat = 0, 0, []
        with httpx.Client(timeout=10) as c:
            start.wait()
            i = k
            while time.monotonic() < stop:
                t = time.perf_counter()
                try:
                    r = c.post(url, json=payload(i))
                    if r.status_code == 200 and "cause" in r.json():
                        mine += 1
                    else:
                        bad += 1
                        errors.append(f"HTTP {r.status_code}: {r.text[:120]}")
                except Exception as e:  # count everything: timeouts, resets
                    bad += 1
                    errors.append(f"{type(e).__name__}: {e}")
                lat.append((time.perf_counter() - t) * 1000)
                i += 1
        with lock:
            counts["ok"] += mine
            counts["err"] += bad
            times.extend(lat)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counts["ok"], counts["err"], times, errors


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=500, help="sequential requests (default 500)")
    ap.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of concurrent load (default 10)")
    ap.add_argument("--url", default=None, help="bench a running server instead (e.g. http://127.0.0.1:8000)")
    args = ap.parse_args()

    proc = None
    if args.url:
        base = args.url.rstrip("/")
    else:
        port = free_port()
        proc = start_server(port)
        base = f"http://127.0.0.1:{port}"
    url = base + "/api/explain"
    try:
        seq = sequential(url, args.requests)
        p50, p95, p99 = (pct(seq, p) for p in (50, 95, 99))
        print(f"/api/explain warm, 1 client, {len(seq)} requests: p50 {p50:.2f} ms, p95 {p95:.2f} ms, "
              f"p99 {p99:.2f} ms, mean {statistics.mean(seq):.2f} ms")
        ok, err, times, errors = concurrent(url, args.clients, args.duration)
        total = ok + err
        print(f"/api/explain {args.clients} concurrent clients for {args.duration:g} s: {total} requests, "
              f"{err} errors, {total / args.duration:.0f} req/s, latency p50 {pct(times, 50):.1f} ms, "
              f"p95 {pct(times, 95):.1f} ms, max {max(times):.1f} ms")
        for e in sorted(set(errors))[:5]:
            print(f"  error: {e}")
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    passed = p50 < 20 and err == 0
    print(f"bars (p50 < 20 ms, zero errors under load): {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
