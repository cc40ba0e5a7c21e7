#!/usr/bin/env python3
"""Benchmark: cold start of ophamp on a store of N cases, against a bare Textual app, headless.

Each run is a fresh child process: the clock starts before any import, and stops when the home
screen (the case list) has been mounted and the app has drawn (``run_test`` pilot pause), as the
bare app stops when its one label has. Peak RSS is the child's ``ru_maxrss``::

    python benchmarks/bench_cold_start.py /tmp/s10k /tmp/s100k --runs 3

A store may also be a ``postgresql://`` URI (opened with ``PgStore``, as ``ophamp --store`` does).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BARE = r"""
import time; t0 = time.perf_counter()
import asyncio, json, resource
from textual.app import App
from textual.widgets import Label
class Bare(App):
    def compose(self):
        yield Label("hello")
async def main():
    async with Bare().run_test(size=(120, 40)) as pilot:
        await pilot.pause()
    return time.perf_counter() - t0
took = asyncio.run(main())
print(json.dumps({"s": took, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

OPHAMP = r"""
import time; t0 = time.perf_counter()
import asyncio, json, resource, sys
from pathlib import Path
from ophamp_tui.app import OpHampApp
from ophamp_tui.data.paths import is_database_url
from ophamp_tui.data.store import Store
from ophamp_tui.screens.home import HomeScreen
def open_store(where):
    if is_database_url(where):  # a postgresql:// URI: PostgreSQL (psycopg imported only then)
        from ophamp_tui.data.store_pg import PgStore
        return PgStore(where)
    return Store(where)
async def main():
    app = OpHampApp(store=open_store(sys.argv[1]), config_dir=Path(sys.argv[2]))
    async with app.run_test(size=(120, 40)) as pilot:
        while not any(isinstance(s, HomeScreen) for s in app.screen_stack):
            await pilot.pause(0.01)
        await pilot.pause()
        return time.perf_counter() - t0
took = asyncio.run(main())
print(json.dumps({"s": took, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(code: str, *args: str, pythonpath: str) -> dict:
    env = dict(os.environ, PYTHONPATH=pythonpath)
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tempfile.gettempdir(),
    )
    if out.returncode:
        raise SystemExit(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("stores", nargs="+", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--code", default=str(Path(__file__).resolve().parent.parent), help="checkout to import")
    args = ap.parse_args()
    print(f"code: {args.code}  load: {os.getloadavg()}")
    bare = [run(BARE, pythonpath=args.code) for _ in range(args.runs)]
    base = statistics.median(b["s"] for b in bare)
    print(f"{'bare Textual app':<32} median {base * 1000:6.0f} ms  peak RSS {max(b['rss'] for b in bare):4.0f} MiB")
    for store in args.stores:
        with tempfile.TemporaryDirectory() as config:
            runs = [run(OPHAMP, str(store), config, pythonpath=args.code) for _ in range(args.runs)]
        med = statistics.median(r["s"] for r in runs)
        print(
            f"{'ophamp on ' + store.name:<32} median {med * 1000:6.0f} ms  ({med / base:.1f}x bare)  "
            f"peak RSS {max(r['rss'] for r in runs):4.0f} MiB",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
