#!/usr/bin/env python3
"""The managers' report (issue 15): ``report.build_report`` over a seeded store, TinyDB and PostgreSQL.

TinyDB: ``ophamp seed --cases N`` into ``--work``/report-N (reused when it holds a ``.seeded`` file), opened
once (``Store(folder)``), then ``build_report`` for this year and for all time (median of ``--repeats``).
PostgreSQL (``--pg N``, 0 to skip): a server of its own (``bench_pg.postgres``), a database seeded with
``ophamp seed``, opened once, then the same. The dashboard targets: under 1 s at 10,000 cases, under 2 s
at 100,000 on PostgreSQL; ``build_report`` is most of what the dashboard does before drawing.

    PYTHONPATH=. /work/venv/bin/python benchmarks/bench_report.py --work /tmp/br --tinydb 10000 --pg 100000
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_pg import create_database, postgres, seed  # noqa: E402
from ophamp_tui.app import OpHampApp  # noqa: E402
from ophamp_tui.data.identity import save_identity  # noqa: E402
from ophamp_tui.data.models import Actor  # noqa: E402
from ophamp_tui.data.report import Period, build_report, parse_period  # noqa: E402
from ophamp_tui.data.store import Store  # noqa: E402
from ophamp_tui.data.store_api import CaseStore  # noqa: E402
from ophamp_tui.data.store_pg import PgStore  # noqa: E402
from ophamp_tui.screens.dashboard import DashboardScreen  # noqa: E402
from ophamp_tui.screens.home import HomeScreen  # noqa: E402


def timed(store: CaseStore, repeats: int) -> dict[str, float]:
    now = datetime.now(UTC)
    out: dict[str, float] = {}
    for name, period in (("year", parse_period("year", now)), ("all", Period(date(1990, 1, 1), date(2100, 1, 1)))):
        runs = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            report = build_report(store, period, now)
            runs.append(time.perf_counter() - t0)
        out[name] = statistics.median(runs)
        out[f"{name}_cases"] = report.cases
    return out


def dashboard_open(store: CaseStore, repeats: int) -> float:
    """In the app (headless, 80x24, the store already open and the list shown): from pressing ``d`` until
    the dashboard shows its figures (the worker done and the screen refreshed once). Median, seconds."""
    config = Path(tempfile.mkdtemp(prefix="ophamp-bench-dash-"))
    save_identity(config, Actor(name="Supt Jo Lane", number="Supt 100", role="senior manager"))

    async def run() -> list[float]:
        app = OpHampApp(store, config_dir=config)
        took: list[float] = []
        async with app.run_test(size=(80, 24)) as pilot:
            while not isinstance(app.screen, HomeScreen):
                await pilot.pause(0.01)
            await pilot.pause(0.5)
            for _ in range(repeats):
                t0 = time.perf_counter()
                await pilot.press("d")
                while not (isinstance(app.screen, DashboardScreen) and app.screen.report is not None):
                    await pilot.pause(0.005)
                await pilot.pause()
                took.append(time.perf_counter() - t0)
                await pilot.press("escape")
                await pilot.pause(0.2)
        return took

    return statistics.median(asyncio.run(run()))


def line(r: dict[str, float]) -> str:
    return (
        f"build_report this year {r['year'] * 1000:.0f} ms ({r['year_cases']:.0f} cases), "
        f"all time {r['all'] * 1000:.0f} ms ({r['all_cases']:.0f})"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--work", type=Path, default=Path("/tmp/bench-report"))
    p.add_argument("--tinydb", type=int, default=10_000)
    p.add_argument("--pg", type=int, default=0)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.tinydb:
        folder = args.work / f"report-{args.tinydb}"
        if not (folder / ".seeded").exists():
            print(f"seeding {args.tinydb} TinyDB cases: {seed(str(folder), args.tinydb):.0f} s", flush=True)
            (folder / ".seeded").touch()
        t0 = time.perf_counter()
        store = Store(folder)
        opened = time.perf_counter() - t0
        r = timed(store, args.repeats)
        print(f"TinyDB {args.tinydb:,}: open {opened:.2f} s; {line(r)}", flush=True)
        print(
            f"TinyDB {args.tinydb:,}: dashboard open in the app {dashboard_open(store, args.repeats):.2f} s", flush=True
        )
    if args.pg:
        with postgres() as admin:
            uri = create_database(admin, f"report_{args.pg}")
            print(f"seeding {args.pg} PostgreSQL cases: {seed(uri, args.pg):.0f} s", flush=True)
            t0 = time.perf_counter()
            pg = PgStore(uri)
            opened = time.perf_counter() - t0
            r = timed(pg, args.repeats)
            print(f"PostgreSQL {args.pg:,}: open {opened:.2f} s; {line(r)}", flush=True)
            dash = dashboard_open(pg, args.repeats)
            print(f"PostgreSQL {args.pg:,}: dashboard open in the app {dash:.2f} s", flush=True)
            pg.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
