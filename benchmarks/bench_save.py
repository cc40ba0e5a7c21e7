#!/usr/bin/env python3
"""Benchmark: saving one step field in one case among N cases.

Compares, in the same run on the same machine, a durable ophamp save
(``Store.update``: one fsync'd case file + one index shard) with updating the
same field in the same case held in a stock single-file TinyDB (default
``JSONStorage``, all N cases as documents in one file). Stock TinyDB reads
the whole file, changes the document and rewrites the whole file in place on
every update (4.x flushes and fsyncs it, but the rewrite is not atomic).

Run from the repository root::

    .venv/bin/python benchmarks/bench_save.py                   # 10,000 cases (the recorded figures)
    .venv/bin/python benchmarks/bench_save.py --cases 500 --repeats 20 --stock-repeats 3   # smoke run
    .venv/bin/python benchmarks/bench_save.py --sizes 1000 10000 100000   # save time by store size
    .venv/bin/python benchmarks/bench_save.py --sizes 1000 10000 --code /tmp/old   # another checkout

``--sizes`` seeds a store of each size (streamed, as ``ophamp seed`` does) and times only ophamp
saves (no stock TinyDB: at 100,000 cases one stock update takes many seconds), printing the median
save and the bytes a save writes into the index at each size, and the ratio of the largest to the
smallest. ``--code DIR`` imports ``ophamp_tui`` from DIR instead of this checkout (to measure the
code before a change in the same run).

This is a script, not a pytest test. It exits 0 whatever the result, unless
``--check`` is given: then it exits 1 if the target (ophamp at least
``--target`` times faster than stock TinyDB, default 90) is missed.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from itertools import islice
from pathlib import Path

# Allow running as "python benchmarks/bench_save.py" from a checkout without installing, or with
# "--code DIR" another checkout's ophamp_tui (read before the imports below).
_CODE = sys.argv[sys.argv.index("--code") + 1] if "--code" in sys.argv[:-1] else None
sys.path.insert(0, _CODE or str(Path(__file__).resolve().parent.parent))

import tinydb  # noqa: E402

from ophamp_tui.data import seed as seed_module  # noqa: E402
from ophamp_tui.data.models import Actor  # noqa: E402
from ophamp_tui.data.seed import fictional_cases  # noqa: E402
from ophamp_tui.data.store import Store  # noqa: E402

FIELD = "steps.welfare_contact.fields.how_are_you"
TARGET = 90.0


def p95(samples: list[float]) -> float:
    """95th percentile by the nearest-rank method."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def maxrss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def unique_ids(cases: list) -> list:
    """The seed draws case ids from ``secrets``, so among thousands two can collide: rename the repeats."""
    seen: set[str] = set()
    out = []
    renamed = 0
    for case in cases:
        cid, n = case.id, 1
        while cid in seen:
            n += 1
            cid = f"{case.id}{n}"
        if cid != case.id:
            case = case.model_copy(update={"id": cid})
            renamed += 1
        seen.add(cid)
        out.append(case)
    if renamed:
        print(f"  (renamed {renamed} case(s) whose random id collided with another)")
    return out


def seed_store(root: Path, count: int, seed: int) -> Store:
    """A store of ``count`` fictional cases, written a chunk at a time when this ophamp can stream them."""
    store = Store(root)
    make = getattr(seed_module, "iter_fictional_cases", None)
    if make is None:  # an ophamp from before seeding streamed
        store.create_many(unique_ids(fictional_cases(count, seed=seed)))
        return store
    cases = make(count, seed=seed)
    while chunk := list(islice(cases, 5000)):
        store.create_many(chunk)
    return store


def index_state(index_dir: Path) -> dict[str, tuple[int, int]]:
    return {e.name: (e.stat().st_size, e.stat().st_mtime_ns) for e in os.scandir(index_dir) if e.is_file()}


def index_bytes_written(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> int:
    """What a save wrote into the index: a whole rewritten file, or what was appended to the journal."""
    total = 0
    for name, (size, mtime) in after.items():
        if before.get(name) == (size, mtime):
            continue
        if name.startswith("journal") and name in before and size >= before[name][0]:
            total += size - before[name][0]
        else:
            total += size
    return total


def sweep(sizes: list[int], repeats: int, seed: int, workdir: str | None) -> int:
    print(f"save time by store size: {', '.join(f'{n:,}' for n in sizes)} cases, {repeats} saves each")
    print(f"code: {Path(sys.modules['ophamp_tui'].__file__).parent}  load: {os.getloadavg()}")
    actor = Actor(name="PS Bench Mark", number="0000")
    results: dict[int, tuple[float, float, float]] = {}
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="ophamp-bench-", dir=workdir) as tmp:
            t0 = time.perf_counter()
            seed_store(Path(tmp) / "store", n, seed)
            seeded = time.perf_counter() - t0
            t0 = time.perf_counter()
            store = Store(Path(tmp) / "store")
            opened = time.perf_counter() - t0
            ids = sorted(s.id for s in store.summaries())
            rng = random.Random(seed)
            store.update(ids[0], actor, sets={FIELD: "warm-up"})
            times: list[float] = []
            written: list[int] = []
            for i in range(repeats):
                cid = rng.choice(ids)
                before = index_state(store.index_dir)
                t0 = time.perf_counter()
                store.update(cid, actor, sets={FIELD: f"Save {i}: coping. {rng.random():.6f}"})
                times.append(time.perf_counter() - t0)
                written.append(index_bytes_written(before, index_state(store.index_dir)))
            results[n] = (statistics.median(times), p95(times), statistics.median(written))
            print(
                f"{n:>9,} cases  save median {ms(results[n][0])}  p95 {ms(results[n][1])}  "
                f"index bytes a save {results[n][2]:>11,.0f}  (seeded in {seeded:.0f} s, opened in {ms(opened)})",
                flush=True,
            )
            del store
            gc.collect()
    small, large = min(sizes), max(sizes)
    print(
        f"ratio {large:,}/{small:,}: save median {results[large][0] / results[small][0]:.2f}x, "
        f"index bytes {results[large][2] / max(1, results[small][2]):.2f}x"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=10_000, metavar="N", help="cases in the store (default 10000)")
    ap.add_argument("--repeats", type=int, default=200, help="ophamp saves to time (default 200)")
    ap.add_argument("--stock-repeats", type=int, default=15, help="stock TinyDB updates to time (default 15)")
    ap.add_argument("--seed", type=int, default=2016, help="random seed for the cases and the choice of case")
    ap.add_argument("--target", type=float, default=TARGET, help="required ratio stock/ophamp (default 90)")
    ap.add_argument("--dir", metavar="PATH", help="directory to work in (default: a fresh temp dir, removed after)")
    ap.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    ap.add_argument("--sizes", type=int, nargs="+", metavar="N", help="save time at each store size (no stock)")
    ap.add_argument("--code", metavar="DIR", help="import ophamp_tui from DIR (a checkout before a change)")
    args = ap.parse_args(argv)
    if args.sizes:
        return sweep(args.sizes, args.repeats, args.seed, args.dir)
    if args.cases < 1 or args.repeats < 1 or args.stock_repeats < 1:
        ap.error("--cases, --repeats and --stock-repeats must be at least 1")

    print(
        f"ophamp save benchmark: {args.cases:,} cases, {args.repeats} ophamp saves, "
        f"{args.stock_repeats} stock TinyDB updates"
    )
    print(
        f"machine: {platform.platform()}, nproc {os.cpu_count()}, Python {platform.python_version()}, "
        f"tinydb {tinydb.__version__}"
    )

    with tempfile.TemporaryDirectory(prefix="ophamp-bench-", dir=args.dir) as tmp:
        work = Path(tmp)
        print(f"work dir: {work}")

        # --- seed -------------------------------------------------------------------------------
        t0 = time.perf_counter()
        cases = unique_ids(fictional_cases(args.cases, seed=args.seed))
        t1 = time.perf_counter()
        Store(work / "store").create_many(cases)
        Store(work / "store")  # the first open folds the index journal into its snapshot (not timed)
        t2 = time.perf_counter()
        print(f"seeded: generated {len(cases):,} cases in {t1 - t0:.1f} s, wrote them (durably) in {t2 - t1:.1f} s")
        ids = [c.id for c in cases]
        docs = [c.model_dump(mode="json") for c in cases]
        del cases
        gc.collect()

        # --- open: the Store constructor (index load + scandir/stat check) -------------------
        opens = []
        for _ in range(3):
            t0 = time.perf_counter()
            store = Store(work / "store")
            opens.append(time.perf_counter() - t0)
        assert len(store) == len(ids), (len(store), len(ids))

        # --- ophamp saves -------------------------------------------------------------------
        actor = Actor(name="PS Bench Mark", number="0000")
        rng = random.Random(args.seed)
        store.update(ids[0], actor, sets={FIELD: "warm-up"})  # imports, first-use caches
        ours: list[float] = []
        for i in range(args.repeats):
            cid = rng.choice(ids)
            text = f"Save {i}: tired but coping; wants a call back tomorrow. {rng.random():.6f}"
            t0 = time.perf_counter()
            store.update(cid, actor, sets={FIELD: text})
            ours.append(time.perf_counter() - t0)
        rss_after_ours = maxrss_mib()

        # Memory of one save, measured apart: tracemalloc slows Python down, so it is not on while timing.
        tracemalloc.start()
        for i in range(min(args.repeats, 20)):
            store.update(rng.choice(ids), actor, sets={FIELD: f"traced save {i} {rng.random():.6f}"})
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        check = store.load(cid)
        assert check.field("welfare_contact", "how_are_you") is not None

        # --- stock single-file TinyDB ----------------------------------------------------------
        t0 = time.perf_counter()
        db = tinydb.TinyDB(work / "stock.json")  # default JSONStorage, default table
        doc_ids = dict(zip(ids, db.insert_multiple(docs), strict=True))
        t1 = time.perf_counter()
        stock_size = (work / "stock.json").stat().st_size
        del docs
        gc.collect()
        print(
            f"stock TinyDB: {len(doc_ids):,} documents, {stock_size / 1e6:.1f} MB in one file, built in {t1 - t0:.1f} s"
        )

        def setter(text: str):
            def transform(doc):
                doc["steps"]["welfare_contact"]["fields"]["how_are_you"] = text

            return transform

        stock: list[float] = []
        for i in range(args.stock_repeats):
            cid = rng.choice(ids)
            text = f"Stock {i}: tired but coping; wants a call back tomorrow. {rng.random():.6f}"
            t0 = time.perf_counter()
            db.update(setter(text), doc_ids=[doc_ids[cid]])
            stock.append(time.perf_counter() - t0)
        got = db.get(doc_id=doc_ids[cid])
        assert got["steps"]["welfare_contact"]["fields"]["how_are_you"] == text
        db.close()
        rss_end = maxrss_mib()

    # --- report ---------------------------------------------------------------------------------
    our_med, our_p95 = statistics.median(ours), p95(ours)
    stock_med = statistics.median(stock)
    ratio = stock_med / our_med
    print()
    print(f"N (cases)                       {len(ids):,}")
    print(
        f"open Store on N cases           median {ms(statistics.median(opens))} (of {len(opens)}: "
        + ", ".join(ms(o) for o in opens)
        + ")"
    )
    print(
        f"ophamp save (durable, fsync)    median {ms(our_med)}  p95 {ms(our_p95)}  "
        f"min {ms(min(ours))}  max {ms(max(ours))}  (n={len(ours)})"
    )
    print(
        f"stock TinyDB update (1 file)    median {ms(stock_med)}  min {ms(min(stock))}  "
        f"max {ms(max(stock))}  (n={len(stock)})"
    )
    print(f"ratio stock/ophamp              {ratio:.0f}x")
    print(f"tracemalloc peak, ophamp saves  {traced_peak / 1024:.0f} KiB")
    print(
        f"peak RSS (ru_maxrss)            {rss_after_ours:.0f} MiB after ophamp saves, "
        f"{rss_end:.0f} MiB at end (both include generating the {len(ids):,} cases in memory; "
        "the end figure includes stock TinyDB)"
    )
    ok = ratio >= args.target
    print(
        f"{'PASS' if ok else 'FAIL'}: ophamp save {ratio:.0f}x faster than stock single-file TinyDB "
        f"(target: at least {args.target:g}x)"
    )
    return 1 if (args.check and not ok) else 0


if __name__ == "__main__":
    sys.exit(main())
