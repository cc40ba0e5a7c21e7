#!/usr/bin/env python3
"""PostgreSQL against TinyDB in the same run: save, cold start, the case list and "due from me" (issue 14).

Starts a PostgreSQL server of its own (the ``pgserver`` wheel, in a new temp folder, stopped and removed
at the end whatever happens), creates a database per size and fills it with ``ophamp seed`` (timed),
and uses a TinyDB store of the same seeded cases (``ophamp seed`` again, same seed; kept in ``--work``
as ``store-N`` and reused when it holds a ``.seeded`` file, as ``bench_ui`` does). Then, for each
backend, alternating which goes first from one round to the next so both share the machine's noise:

- cold start to an interactive case list, and its peak RSS: ``bench_cold_start.OPHAMP`` in a fresh
  child per run (from a small launcher, as ``bench_ui.cold_runs``), the store given as a folder or a
  ``postgresql://`` URI; median of ``--repeats`` runs;
- open the store in this process and get every summary (``Store(folder)`` or ``PgStore(uri)``, then
  ``summaries()``), one a round;
- open the store in this process (the constructor only, ``bench_list``'s "store open"), one filter
  keystroke (the table holding every filtered row, and the first screenful of them), typing lag at
  8 keys/s, open a case, back to the list: ``bench_list.measure`` (``run_test`` at 80x24), typing the
  same surname on both; median over rounds of its own medians;
- save one field: ``update`` of ``bench_save.FIELD`` in a random case (the same cases on both), on a
  store opened once in this process; median of ``--saves`` saves;
- "due from me": ``queues.due_items`` over every summary (``store.summaries()`` included) for the
  number named on the most open cases (median of 5 a round), and ``ophamp due --for NUMBER --format
  json`` end to end in a fresh process (wall clock, median of ``--repeats``).

Prints one table: TinyDB, PostgreSQL, and the ratio PostgreSQL/TinyDB (over 1: PostgreSQL slower).
Run from the repository root::

    PYTHONPATH=. /work/venv/bin/python benchmarks/bench_pg.py --work /tmp/bu            # 100,000 cases
    PYTHONPATH=. /work/venv/bin/python benchmarks/bench_pg.py --sizes 1000 --quick     # a rough look
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pgserver  # noqa: E402
import psycopg  # noqa: E402
from psycopg.conninfo import conninfo_to_dict  # noqa: E402

from benchmarks import bench_list, bench_save, bench_ui  # noqa: E402
from ophamp_tui.data.clock import now_utc  # noqa: E402
from ophamp_tui.data.identity import save_identity  # noqa: E402
from ophamp_tui.data.models import Actor  # noqa: E402
from ophamp_tui.data.queues import due_items  # noqa: E402
from ophamp_tui.data.store_api import CaseStore  # noqa: E402

BACKENDS = ("TinyDB", "PostgreSQL")
ROWS = [
    ("seed", "seed the store (ophamp seed, once)", "s"),
    ("store open", "open the store in process (constructor only)", "ms"),
    ("listed", "open the store and get every summary", "ms"),
    ("cold", "cold start to an interactive case list", "ms"),
    ("memory", "peak memory at start", "MiB"),
    ("filter", "one filter keystroke (all rows, up to 500)", "ms"),
    ("filter screen", "one filter keystroke (first screenful)", "ms"),
    ("typing", "typing at 8 keys/s: lag after the last key", "ms"),
    ("open", "open a case", "ms"),
    ("back", "back from a case to the list", "ms"),
    ("save", "save one field", "ms"),
    ("due call", "due from me: due_items over every summary", "ms"),
    ("due command", "due from me: ophamp due, fresh process", "ms"),
]
LIST_FIGURES = {  # bench_list.measure's names for the rows above
    "store open": "store open",
    "filter": "filter key: all",
    "filter screen": "filter key: screen",
    "typing": "lag after 8 keys/s",
    "open": "open case",
    "back": "back to list",
}


# --- the server, its databases, and the stores ------------------------------------------------------------


@contextmanager
def postgres() -> Iterator[str]:
    """A PostgreSQL server of our own for the ``with`` block: its admin URI. Stopped, and its folder removed,
    on the way out, however it is left. The folder is not under a private (0700) one: run as root,
    ``pgserver`` runs the server as a user of its own, which must get in."""
    root = Path(tempfile.mkdtemp(prefix="ophamp-pg-"))
    server = None
    try:
        server = pgserver.get_server(str(root / "data"), cleanup_mode="stop")
        yield server.get_uri()
    finally:
        if server is not None:
            server.cleanup()
        shutil.rmtree(root, ignore_errors=True)


def database_uri(admin_uri: str, dbname: str) -> str:
    """A ``postgresql://`` URI for ``dbname`` on that server (a socket folder as host), as a user types it
    for ``ophamp --store``."""
    parts = conninfo_to_dict(admin_uri)
    host = quote(str(parts.get("host") or ""), safe="")
    port = f"&port={parts['port']}" if parts.get("port") else ""
    return f"postgresql://{parts['user']}@/{dbname}?host={host}{port}"


def create_database(admin_uri: str, dbname: str) -> str:
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')
    return database_uri(admin_uri, dbname)


def server_settings(uri: str) -> dict[str, str]:
    with psycopg.connect(uri, autocommit=True) as conn:
        return {
            name: str(conn.execute(f"SHOW {name}").fetchone()[0])  # type: ignore[index]
            for name in ("server_version", "fsync", "synchronous_commit", "shared_buffers")
        }


def seed(target: str, size: int) -> float:
    """``ophamp seed --store TARGET --cases SIZE`` (seed 2016, the default): seconds taken."""
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "ophamp_tui", "seed", "--store", target, "--cases", str(size)],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        check=True,
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    return time.perf_counter() - t0


def seeded_tinydb(work: Path, size: int) -> tuple[Path, float | None]:
    """The TinyDB store of ``size`` cases in ``work`` (``bench_ui.seeded``: made once, then reused), and the
    seconds seeding it took in this run (None if it was reused)."""
    reused = (work / f"store-{size}" / ".seeded").exists()
    t0 = time.perf_counter()
    path = bench_ui.seeded(work, size)
    return path, None if reused else time.perf_counter() - t0


def busiest_number(store: CaseStore) -> tuple[str, int]:
    """The collar/staff number named on the most open cases, and on how many."""
    counts = Counter(p for s in store.summaries() if s.is_open and not s.damaged for p in s.people)
    number, cases = counts.most_common(1)[0]
    return number, cases


# --- the measurements (one round of each, for one backend) ---------------------------------------------------


def cold_start(target: str, work: Path) -> dict[str, float]:
    config = work / "config-cold"
    save_identity(config, bench_list.USER)
    got = bench_ui.cold_runs("OPHAMP", [target, str(config)], 1)[0]
    return {"cold": got["s"] * 1000, "memory": got["rss"]}


def due_command(target: str, number: str) -> tuple[float, int]:
    """``ophamp due --for NUMBER --format json`` in a fresh process: milliseconds, and items listed."""
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "ophamp_tui", "due", "--store", target, "--for", number, "--format", "json"],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tempfile.gettempdir(),
    )
    took = (time.perf_counter() - t0) * 1000
    if out.returncode:
        raise RuntimeError(f"ophamp due failed: {out.stderr.strip()[-300:]}")
    return took, len(json.loads(out.stdout)["items"])


def saves(store: CaseStore, ids: list[str], rng: random.Random, count: int) -> list[float]:
    actor = Actor(name="PS Bench Mark", number="0000")
    times = []
    for _ in range(count):
        # A text never saved before (time_ns): the same text again would change nothing and write nothing.
        cid, text = rng.choice(ids), f"bench_pg save {time.time_ns()} {rng.random():.6f}"
        t = time.perf_counter()
        store.update(cid, actor, sets={bench_save.FIELD: text})
        times.append((time.perf_counter() - t) * 1000)
    return times


def open_and_list(target: str) -> float:
    """Milliseconds to open the store in this process and get every summary (PgStore reads them all when
    opened; the file store builds them on the first ``summaries()``)."""
    t = time.perf_counter()
    store = bench_list.open_store(target)
    store.summaries()
    took = (time.perf_counter() - t) * 1000
    close = getattr(store, "close", None)
    if callable(close):
        close()
    return took


def due_calls(store: CaseStore, number: str, count: int) -> tuple[list[float], int]:
    times, items = [], 0
    for _ in range(count):
        t = time.perf_counter()
        items = len(due_items(store.summaries(), number, now_utc()))
        times.append((time.perf_counter() - t) * 1000)
    return times, items


def measure_size(
    targets: dict[str, str], size: int, work: Path, repeats: int, save_count: int
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Every row but "seed" for both backends (``targets``: backend -> folder or URI), in ``repeats`` rounds,
    alternating the backend that goes first. The figures (ms or MiB) by backend, and what they were of."""
    samples: dict[str, dict[str, list[float]]] = {b: {k: [] for k, _, _ in ROWS} for b in BACKENDS}
    stores = {b: bench_list.open_store(targets[b]) for b in BACKENDS}  # for the saves and due_items
    number, naming = busiest_number(stores["TinyDB"])
    surname = next(s.victim_name for s in stores["TinyDB"].summaries() if not s.damaged).split()[-1]
    # Seeded from the same seed, but each relative to when it was seeded: the ids hold the incident's date,
    # so a few may differ. Each backend saves the cases at the same places in its own sorted ids.
    ids = {b: sorted(s.id for s in stores[b].summaries() if not s.damaged) for b in BACKENDS}
    info: dict[str, Any] = {"number": number, "cases naming it": naming, "surname": surname.lower()[:6]}
    rngs = {b: random.Random(14) for b in BACKENDS}  # the same cases saved on both
    for b in BACKENDS:  # warm up: first-use imports and caches
        saves(stores[b], ids[b], random.Random(0), 1)
    per_round = max(1, save_count // repeats)
    for n in range(repeats):
        order = BACKENDS if n % 2 == 0 else BACKENDS[::-1]
        print(f"  round {n + 1}/{repeats}: {' then '.join(order)}", flush=True)
        for b in order:
            samples[b]["listed"].append(open_and_list(targets[b]))
        for b in order:
            for key, value in cold_start(targets[b], work / b).items():
                samples[b][key].append(value)
        for b in order:
            took, info[f"due items {b} (command)"] = due_command(targets[b], number)
            samples[b]["due command"].append(took)
        for b in order:
            figures = asyncio.run(bench_list.measure(targets[b], size, work / b, surname=surname))
            for key, name in LIST_FIGURES.items():
                samples[b][key].append(figures[name])
        for b in order:
            samples[b]["save"] += saves(stores[b], ids[b], rngs[b], per_round)
        for b in order:
            times, info[f"due items {b}"] = due_calls(stores[b], number, 5)
            samples[b]["due call"] += times
    for store in stores.values():
        close = getattr(store, "close", None)
        if callable(close):
            close()
    out: dict[str, dict[str, Any]] = {}
    for b in BACKENDS:
        out[b] = {k: (max(v) if k == "memory" else statistics.median(v)) for k, v in samples[b].items() if v}
        out[b]["saves timed"] = len(samples[b]["save"])
    return out, info


# --- the table ------------------------------------------------------------------------------------------------


def table(results: dict[str, dict[str, Any]]) -> list[str]:
    head = ["action", *BACKENDS, "PostgreSQL/TinyDB"]
    body = []
    for key, label, unit in ROWS:
        t, p = (bench_ui.number(results[b].get(key)) for b in BACKENDS)
        cells = [f"{label} ({unit})", bench_ui.show(t), bench_ui.show(p)]
        cells.append(f"{p / t:.2f}x" if t and p is not None else "-")
        body.append(cells)
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    lines = []
    for n, r in enumerate([head, *body]):
        cells = (c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        lines.append(" | ".join(cells))
        if n == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return lines


def run_size(
    admin_uri: str, size: int, work: Path, repeats: int, save_count: int
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Seed (PostgreSQL always, TinyDB unless reused) and measure both backends at one size."""
    tiny, tiny_seed = seeded_tinydb(work, size)
    uri = create_database(admin_uri, f"ophamp_bench_{size}")
    pg_seed = seed(uri, size)
    print(f"  seeded PostgreSQL in {pg_seed:.1f} s; TinyDB " + (f"in {tiny_seed:.1f} s" if tiny_seed else "reused"))
    with tempfile.TemporaryDirectory(prefix="ophamp-bench-pg-") as tmp:
        results, info = measure_size({"TinyDB": str(tiny), "PostgreSQL": uri}, size, Path(tmp), repeats, save_count)
    results["TinyDB"]["seed"], results["PostgreSQL"]["seed"] = tiny_seed, pg_seed
    info["settings"] = server_settings(uri)
    return results, info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "ophamp-bench-ui")
    ap.add_argument("--repeats", type=int, default=3, help="rounds: cold starts, due commands, list sessions")
    ap.add_argument("--saves", type=int, default=51, help="saves timed on each backend (split over the rounds)")
    ap.add_argument("--quick", action="store_true", help="1 round, 10 saves (a rough look)")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    repeats, save_count = (1, 10) if args.quick else (args.repeats, args.saves)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    print(f"code {commit.stdout.strip()}  load {os.getloadavg()}  rounds {repeats}  saves {save_count}", flush=True)
    everything: dict[str, Any] = {"commit": commit.stdout.strip(), "load before": os.getloadavg(), "sizes": {}}
    with postgres() as admin_uri:
        for size in args.sizes:
            print(f"{size:,} cases", flush=True)
            results, info = run_size(admin_uri, size, args.work, repeats, save_count)
            everything["sizes"][size] = {"results": results, "info": info}
            print(f"\n{size:,} cases. {json.dumps(info)}")
            print("\n".join(table(results)) + "\n", flush=True)
    everything["load after"] = os.getloadavg()
    print(f"load after: {os.getloadavg()}")
    if args.json:
        args.json.write_text(json.dumps(everything, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
