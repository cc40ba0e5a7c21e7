#!/usr/bin/env python3
"""Benchmark: opening a store of N cases, its peak memory, and what copying or touching it costs.

Each figure is taken in a fresh child process (so peak RSS is that of opening alone), on a store
made beforehand with ``ophamp seed``::

    ophamp seed --store /tmp/s100k --cases 100000
    python benchmarks/bench_store_open.py /tmp/s100k            # this checkout
    python benchmarks/bench_store_open.py /tmp/s100k --code DIR  # another checkout's ophamp_tui (before)

Prints, for the store as it is, then after ``cp -r`` of it and after ``touch`` of every case file:
the time of ``Store(root)`` (median of --repeats), of ``Store(root, rebuild=False)``, of building
every summary (``summaries()``), how many cases were summed up again from their files, and the
child's peak RSS (``ru_maxrss``, including Python and the imports: about 60 MiB with nothing open).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from ophamp_tui.data.store import Store
imported = time.perf_counter() - t0
root, mode = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
store = Store(root, rebuild=False) if mode == "lazy" else Store(root)
opened = time.perf_counter() - t0
t0 = time.perf_counter()
n = len(store.summaries()) if mode == "all" else len(store)
built = time.perf_counter() - t0
print(json.dumps({
    "import": imported, "open": opened, "summaries": built if mode == "all" else None, "n": n,
    "summarised": getattr(store, "summarised", None),
    "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def child(code: Path, root: Path, mode: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(code))
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), mode],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),  # not the checkout: "-c" puts the current folder first on sys.path
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(label: str, code: Path, root: Path, repeats: int) -> None:
    first = child(code, root, "open")  # may rebuild (an index made by another version, a copy, a touch)
    opens = [child(code, root, "open") for _ in range(repeats)]
    try:
        lazy = child(code, root, "lazy")["open"]
    except subprocess.CalledProcessError:
        lazy = None  # that version has no Store(rebuild=False)
    every = child(code, root, "all")
    print(
        f"{label:<28} first open {first['open'] * 1000:8.0f} ms (summed up again: {first['summarised']})  "
        f"open median {statistics.median(o['open'] for o in opens) * 1000:7.0f} ms  "
        f"rebuild=False {'-' if lazy is None else f'{lazy * 1000:.0f} ms':>8}  "
        f"summaries() {every['summaries'] * 1000:6.0f} ms  "
        f"peak RSS open {max(o['rss_mib'] for o in opens):5.0f} MiB, with summaries() {every['rss_mib']:5.0f} MiB  "
        f"(n={every['n']:,})",
        flush=True,
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("--code", type=Path, default=Path(__file__).resolve().parent.parent, help="checkout to import")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-copy", action="store_true", help="skip the cp -r and touch runs")
    args = ap.parse_args()
    print(f"code: {args.code}  store: {args.store}  load: {os.getloadavg()}", flush=True)
    report("as it is", args.code, args.store, args.repeats)
    if args.no_copy:
        return 0
    with tempfile.TemporaryDirectory(prefix="ophamp-open-") as tmp:
        copy = Path(tmp) / "copy"
        t0 = time.perf_counter()
        subprocess.run(["cp", "-r", str(args.store), str(copy)], check=True)
        print(f"(cp -r took {time.perf_counter() - t0:.1f} s)", flush=True)
        report("after cp -r", args.code, copy, args.repeats)
        now = time.time() + 5
        for entry in os.scandir(copy / "cases"):
            os.utime(entry.path, (now, now))
        report("after touch of every case", args.code, copy, args.repeats)
        shutil.rmtree(copy / "index")
        report("index folder deleted", args.code, copy, 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
