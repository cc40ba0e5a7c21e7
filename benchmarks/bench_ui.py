#!/usr/bin/env python3
"""Force scale: every action a user waits for, at each store size, against a bare Textual app (issue 13).

Seeds a store per size with ``python -m ophamp_tui seed`` (kept in ``--work`` and reused when present),
then measures each row below at each size and its bare counterpart once in the same run, and prints one
table: the figure at each size, the bare figure, the ratio at each size, and the growth (the largest
size's figure over the smallest's: "flat" under 1.5x, "grows" above, "falls" under 1/1.5).

The rows, and what each reuses:

- cold start to an interactive case list, and peak memory at start: ``bench_cold_start`` (a fresh child
  process per run, clock from before any import until the home screen is mounted and drawn, peak RSS
  ``ru_maxrss``);
- one filter keystroke ("all": the table holding every filtered row, up to 500), typing at 8 keys/s
  (lag after the last key), open a case, back from a case to the list: ``bench_list.measure`` (in
  ``run_test`` at 80x24);
- next step (F9): measured here: on a step screen, F9 until the next step's screen has been mounted and
  refreshed once (``call_after_refresh`` from its ``on_mount``), median over steps 1 to 1+repeats;
- save one field: ``Store.update`` of ``bench_save.FIELD`` in a random case, median of repeats, on the
  seeded store (not ``bench_save --sizes``, which seeds its own stores again);
- first open with the index missing: ``bench_store_open.child`` (a fresh child) on a ``cp -r`` of the
  store with its ``index`` folder deleted.

The bare counterparts (all in ``BARE`` below, measured once, not depending on the store size):

- cold start / peak memory: ``bench_cold_start.BARE``, an App with one Label in ``run_test``, in a child;
- filter keystroke / typing lag: an App with an Input and a 4-column DataTable that, on every change,
  clears the table and refills it with the matching rows (up to 500) of 1,000 fixed text rows; timed
  the same way as ophamp's (to the table holding the right rows);
- open / back: that App pushes, on Enter in the table, a screen of as many widgets (Labels and Inputs) as
  ophamp's case screen had, and pops it on Escape; timed to the screen's ``on_screen_resume``, as ophamp's;
- next step (F9): an App switching (``switch_screen``) on F9 between screens of as many widgets as
  ophamp's step screens had (median), timed as ophamp's;
- save one field: a durable write of one small JSON file (write a temp file, fsync, rename, fsync the
  folder), the floor for any durable save;
- first open with the index missing: none ("-"): there is nothing for a bare app to rebuild.

Each row fails on its own ("failed: reason") and the others go on. Run from the repository root::

    PYTHONPATH=. /work/venv/bin/python benchmarks/bench_ui.py                      # 1k, 10k, 100k
    PYTHONPATH=. /work/venv/bin/python benchmarks/bench_ui.py --sizes 1000 --quick  # about a minute
    PYTHONPATH=. /work/venv/bin/python benchmarks/bench_ui.py --sizes 1000 10000 --json out.json
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.app import App, ComposeResult  # noqa: E402
from textual.binding import Binding  # noqa: E402
from textual.containers import VerticalScroll  # noqa: E402
from textual.screen import Screen  # noqa: E402
from textual.widgets import DataTable, Footer, Header, Input, Label  # noqa: E402

from benchmarks import bench_list, bench_save, bench_store_open  # noqa: E402
from ophamp_tui.app import OpHampApp  # noqa: E402
from ophamp_tui.data.checklist import STEPS  # noqa: E402
from ophamp_tui.data.identity import save_identity  # noqa: E402
from ophamp_tui.data.models import Actor  # noqa: E402
from ophamp_tui.data.store import Store  # noqa: E402
from ophamp_tui.screens.case import CaseScreen  # noqa: E402
from ophamp_tui.screens.home import HomeScreen  # noqa: E402
from ophamp_tui.screens.step import StepScreen  # noqa: E402

ROWS = [
    ("cold", "cold start to an interactive case list", "ms"),
    ("filter", "one filter keystroke", "ms"),
    ("typing", "typing at 8 keys/s: lag after the last key", "ms"),
    ("open", "open a case", "ms"),
    ("next", "next step (F9)", "ms"),
    ("back", "back from a case to the list", "ms"),
    ("save", "save one field", "ms"),
    ("memory", "peak memory at start", "MiB"),
    ("index", "first open with the index missing or stale", "ms"),
]
FLAT = 1.5  # growth within this factor either way is "flat"


# --- seeding ------------------------------------------------------------------------------------------


def seeded(work: Path, size: int) -> Path:
    """A store of ``size`` fictional cases in ``work`` (seeded with the CLI once, then reused)."""
    path = work / f"store-{size}"
    if (path / ".seeded").exists():
        return path
    if path.exists():
        shutil.rmtree(path)  # a seed that did not finish
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "ophamp_tui", "seed", "--store", str(path), "--cases", str(size)],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        check=True,
        capture_output=True,
        text=True,
    )
    (path / ".seeded").write_text("ok")
    print(f"  seeded {size:,} cases in {time.perf_counter() - t0:.1f} s", flush=True)
    return path


# --- next step (F9) ---------------------------------------------------------------------------------------

DRAWN: list[object] = []  # screens that have been mounted and refreshed once, in order


def drawing(cls: type) -> None:
    """Make ``cls`` note in DRAWN when a new screen of it has been mounted and refreshed once."""
    if getattr(cls.on_mount, "__drawn_by_bench__", False):
        return
    original = cls.on_mount

    def mounted(screen: Any) -> None:  # one parameter: Textual calls it without the event
        original(screen)
        screen.call_after_refresh(lambda: DRAWN.append(screen))

    mounted.__drawn_by_bench__ = True  # type: ignore[attr-defined]
    cls.on_mount = mounted  # type: ignore[method-assign]


async def wait_drawn(count: int, since: float) -> float:
    return await bench_list.until(lambda: len(DRAWN) > count, since)


async def ophamp_next_step(path: Path, work: Path, repeats: int) -> tuple[float, int]:
    """Median ms from F9 on a step screen to the next step's screen drawn; and the step screens' widgets."""
    drawing(StepScreen)
    config = work / "config-next"
    save_identity(config, bench_list.USER)
    store = Store(path)
    case_id = next(s.id for s in store.summaries() if not s.damaged)
    app = OpHampApp(store, config_dir=config)
    times: list[float] = []
    widgets: list[int] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await bench_list.until(lambda: isinstance(app.screen, HomeScreen), time.perf_counter())
        count = len(DRAWN)
        app.push_screen(StepScreen(store, case_id, STEPS[0].key))
        await wait_drawn(count, time.perf_counter())
        await pilot.pause()
        for _ in range(min(repeats, len(STEPS) - 1)):
            widgets.append(len(list(app.screen.query("*"))))
            count = len(DRAWN)
            t = time.perf_counter()
            bench_list.send(app, "f9", None)
            times.append(await wait_drawn(count, t))
            await pilot.pause(0.2)
        widgets.append(len(list(app.screen.query("*"))))
    return statistics.median(times), int(statistics.median(widgets))


# --- the bare Textual app ---------------------------------------------------------------------------------


def _bare_rows() -> list[tuple[str, str, str, str]]:
    rng = random.Random(13)
    names = ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Roberts", "Walker", "Wright"]
    offences = ["AEW s1", "ABH s47", "GBH s20", "GBH s18"]
    return [
        (f"{i:06d}", f"PC {rng.choice('ABCDEFGH')} {rng.choice(names)}", rng.choice(offences), f"{i % 10}/10")
        for i in range(1_000)
    ]


class BareDetail(Screen):
    """A screen of ``widgets`` Labels and Inputs: a case, or a step of it."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("f9", "app.next", "Next")]

    def __init__(self, widgets: int, number: int = 0) -> None:
        super().__init__()
        self.widgets, self.number = widgets, number

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            for i in range(max(1, self.widgets - 4)):
                yield Input(f"field {i}") if i % 3 == 2 else Label(f"Step {self.number}: label {i}")
        yield Footer()

    def on_mount(self) -> None:
        pass

    def on_screen_resume(self) -> None:
        BareApp.resumed[type(self)] = BareApp.resumed.get(type(self), 0) + 1


class BareHome(Screen):
    """An Input and a DataTable refilled with the matching rows (up to 500) on every change."""

    def compose(self) -> ComposeResult:
        yield Input(id="filter")
        yield DataTable(id="cases", cursor_type="row")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("ref", "victim", "offence", "steps")
        self.fill("")

    def fill(self, query: str) -> None:
        table = self.query_one(DataTable)
        table.clear()
        want = [r for r in BareApp.rows if query.lower() in " ".join(r).lower()][: bench_list.MAX_ROWS]
        table.add_rows(want)
        BareApp.filled = (query, len(want))

    def on_input_changed(self, event: Input.Changed) -> None:
        self.fill(event.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(BareDetail(BareApp.case_widgets))

    def on_screen_resume(self) -> None:
        BareApp.resumed[BareHome] = BareApp.resumed.get(BareHome, 0) + 1


class BareApp(App):
    rows = _bare_rows()
    filled: tuple[str, int] = ("", 0)
    resumed: dict[type, int] = {}
    case_widgets = 60

    def __init__(self, step_widgets: int = 60, steps: bool = False) -> None:
        super().__init__()
        self.step_widgets, self.steps, self.number = step_widgets, steps, 1

    def on_mount(self) -> None:
        self.push_screen(BareDetail(self.step_widgets, 1) if self.steps else BareHome())

    def action_next(self) -> None:
        self.number += 1
        self.switch_screen(BareDetail(self.step_widgets, self.number))


def bare_expected(query: str) -> int:
    return len([r for r in BareApp.rows if query.lower() in " ".join(r).lower()][: bench_list.MAX_ROWS])


async def bare_list(case_widgets: int, repeats: int) -> dict[str, float]:
    """The bare app's filter keystroke, lag after 8 keys at 8 keys/s, open and back (ms, medians)."""
    BareApp.case_widgets = case_widgets
    app = BareApp()
    out: dict[str, float] = {}

    def right(query: str) -> Callable[[], bool]:
        n = bare_expected(query)
        return lambda: BareApp.filled == (query, n) and app.screen.query_one(DataTable).row_count == n

    async with app.run_test(size=(80, 24)) as pilot:
        await bench_list.until(lambda: isinstance(app.screen, BareHome), time.perf_counter())
        await pilot.pause()
        typed, keys = "", []
        word = "wilson"
        for key in [*word, *["backspace"] * len(word)]:
            typed = typed[:-1] if key == "backspace" else typed + key
            t = time.perf_counter()
            bench_list.send(app, key, None if key == "backspace" else key)  # type: ignore[arg-type]
            keys.append(await bench_list.until(right(typed), t))
            await pilot.pause()
        out["filter"] = statistics.median(keys)
        burst, start = "jones ab", time.perf_counter()
        for n, ch in enumerate(burst):
            await asyncio.sleep(max(0.0, start + n * 0.125 - time.perf_counter()))
            bench_list.send(app, ch if ch != " " else "space", ch)  # type: ignore[arg-type]
        out["typing"] = await bench_list.until(right(burst), time.perf_counter())
        app.screen.query_one(Input).value = ""
        await bench_list.until(right(""), time.perf_counter())
        app.screen.query_one(DataTable).focus()
        await pilot.pause()
        opens, backs = [], []
        for _ in range(repeats):
            shown = BareApp.resumed.get(BareDetail, 0)
            t = time.perf_counter()
            bench_list.send(app, "enter", "\r")  # type: ignore[arg-type]
            opens.append(await bench_list.until(lambda s=shown: BareApp.resumed.get(BareDetail, 0) > s, t))
            await pilot.pause()
            shown = BareApp.resumed.get(BareHome, 0)
            t = time.perf_counter()
            bench_list.send(app, "escape", None)  # type: ignore[arg-type]
            backs.append(await bench_list.until(lambda s=shown: BareApp.resumed.get(BareHome, 0) > s, t))
            await pilot.pause(0.2)
        out["open"], out["back"] = statistics.median(opens), statistics.median(backs)
    return out


async def bare_next_step(step_widgets: int, repeats: int) -> float:
    drawing(BareDetail)
    app = BareApp(step_widgets, steps=True)
    times: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await bench_list.until(lambda: isinstance(app.screen, BareDetail), time.perf_counter())
        await pilot.pause()
        for _ in range(repeats):
            count = len(DRAWN)
            t = time.perf_counter()
            bench_list.send(app, "f9", None)  # type: ignore[arg-type]
            times.append(await wait_drawn(count, t))
            await pilot.pause(0.2)
    return statistics.median(times)


def bare_save(repeats: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        times = []
        for i in range(repeats):
            body = json.dumps({"steps": {"welfare_contact": {"fields": {"how_are_you": f"save {i}"}}}}).encode()
            t = time.perf_counter()
            part = folder / "case.json.part"
            with open(part, "wb") as f:
                f.write(body)
                f.flush()
                os.fsync(f.fileno())
            os.replace(part, folder / "case.json")
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            times.append((time.perf_counter() - t) * 1000)
        return statistics.median(times)


LAUNCH = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from benchmarks import bench_cold_start as b
code, runs, args = getattr(b, sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
print(json.dumps([b.run(code, *args, pythonpath=sys.argv[1]) for _ in range(runs)]))
"""


def cold_runs(which: str, args: list[str], runs: int) -> list[dict[str, float]]:
    """``bench_cold_start.run`` ``runs`` times, from a small launcher process: a child started from this
    (large) process would report this process's peak RSS as its own (Linux keeps ``ru_maxrss`` across
    vfork and exec)."""
    out = subprocess.run(
        [sys.executable, "-c", LAUNCH, str(ROOT), which, str(runs), *args],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=tempfile.gettempdir(),
    )
    if out.returncode:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bare_cold(runs: int) -> dict[str, float]:
    got = cold_runs("BARE", [], runs)
    return {"cold": statistics.median(g["s"] for g in got) * 1000, "memory": max(g["rss"] for g in got)}


def measure_bare(repeats: int, case_widgets: int, step_widgets: int) -> dict[str, Any]:
    """BARE: every row's bare counterpart (see the module docstring), ms or MiB, or "failed: ..." or None."""
    bare: dict[str, Any] = dict.fromkeys(key for key, _, _ in ROWS)
    for keys, fn in [
        (("cold", "memory"), lambda: bare_cold(repeats)),
        (("filter", "typing", "open", "back"), lambda: asyncio.run(bare_list(case_widgets, repeats))),
        (("next",), lambda: {"next": asyncio.run(bare_next_step(step_widgets, repeats))}),
        (("save",), lambda: {"save": bare_save(max(5, repeats * 5))}),
    ]:
        try:
            bare.update(fn())
        except BaseException as exc:  # noqa: BLE001  (SystemExit from a child too)
            for key in keys:
                bare[key] = failure(exc)
    bare["index"] = None  # nothing for a bare app to rebuild
    return bare


# --- ophamp at one size -------------------------------------------------------------------------------------


def failure(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[-200:] or type(exc).__name__
    return f"failed: {type(exc).__name__}: {text}"


def ophamp_save(path: Path, repeats: int) -> float:
    store = Store(path)
    ids = sorted(s.id for s in store.summaries() if not s.damaged)
    actor = Actor(name="PS Bench Mark", number="0000")
    rng = random.Random(13)
    store.update(ids[0], actor, sets={bench_save.FIELD: "warm-up"})
    times = []
    for i in range(repeats):
        cid = rng.choice(ids)
        t = time.perf_counter()
        store.update(cid, actor, sets={bench_save.FIELD: f"bench_ui save {i} {rng.random():.6f}"})
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def ophamp_index_missing(path: Path, work: Path) -> float:
    copy = work / "copy"
    subprocess.run(["cp", "-r", str(path), str(copy)], check=True)
    shutil.rmtree(copy / "index", ignore_errors=True)
    return bench_store_open.child(ROOT, copy, "open")["open"] * 1000


def ophamp_cold(path: Path, work: Path, runs: int) -> dict[str, float]:
    config = work / "config-cold"
    save_identity(config, bench_list.USER)
    got = cold_runs("OPHAMP", [str(path), str(config)], runs)
    return {"cold": statistics.median(g["s"] for g in got) * 1000, "memory": max(g["rss"] for g in got)}


def measure_size(path: Path, size: int, repeats: int) -> tuple[dict[str, Any], dict[str, int]]:
    """Every row at one size (ms or MiB, or "failed: ..."), and the widgets on the case and step screens."""
    out: dict[str, Any] = {}
    widgets = {"case": 60, "step": 60}

    def row(keys: tuple[str, ...], fn: Callable[[], dict[str, Any]]) -> None:
        try:
            out.update(fn())
        except BaseException as exc:  # noqa: BLE001
            if isinstance(exc, KeyboardInterrupt):
                raise
            for key in keys:
                out[key] = failure(exc)
        for key in keys:
            print(f"  {key:<8} {show(out.get(key))}", flush=True)

    with tempfile.TemporaryDirectory(prefix="ophamp-bench-ui-") as tmp:
        work = Path(tmp)
        row(("cold", "memory"), lambda: ophamp_cold(path, work, repeats))

        def listing() -> dict[str, Any]:
            figures = asyncio.run(bench_list.measure(path, size, work))
            widgets["case"] = CASE_WIDGETS[0] or widgets["case"]
            return {
                "filter": figures["filter key: all"],
                "typing": figures["lag after 8 keys/s"],
                "open": figures["open case"],
                "back": figures["back to list"],
            }

        row(("filter", "typing", "open", "back"), listing)

        def next_step() -> dict[str, Any]:
            ms, widgets["step"] = asyncio.run(ophamp_next_step(path, work, repeats))
            return {"next": ms}

        row(("next",), next_step)
        row(("save",), lambda: {"save": ophamp_save(path, max(5, repeats * 5))})
        row(("index",), lambda: {"index": ophamp_index_missing(path, work)})
    return out, widgets


CASE_WIDGETS = [0]  # widgets on ophamp's case screen, counted when bench_list opens one


def count_case_widgets() -> None:
    if getattr(CaseScreen.on_mount, "__counted_by_bench__", False):
        return
    original = CaseScreen.on_mount

    def mounted(screen: Any) -> None:
        original(screen)
        screen.call_after_refresh(lambda: CASE_WIDGETS.__setitem__(0, len(list(screen.query("*")))))

    mounted.__counted_by_bench__ = True  # type: ignore[attr-defined]
    CaseScreen.on_mount = mounted  # type: ignore[method-assign]


# --- the table --------------------------------------------------------------------------------------------


def show(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def number(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def growth(figures: list[Any]) -> str:
    first, last = number(figures[0]), number(figures[-1])
    if first is None or last is None or len(figures) < 2 or first <= 0:
        return "-"
    g = last / first
    word = "flat" if 1 / FLAT <= g <= FLAT else ("grows" if g > FLAT else "falls")
    return f"{g:.1f}x {word}"


def table(sizes: list[int], results: dict[int, dict[str, Any]], bare: dict[str, Any]) -> tuple[list[str], str]:
    """The printed table (and its failure notes), one row per action."""
    head = ["action", *(f"{s:,}" for s in sizes), "bare", *(f"ratio {s:,}" for s in sizes), "growth"]
    body, notes = [], []
    for key, label, unit in ROWS:
        cells = [f"{label} ({unit})"]
        figures = [results[s].get(key) for s in sizes]
        for s, value in zip(sizes, figures, strict=True):
            if isinstance(value, str):
                notes.append(f"{label} at {s:,}: {value}")
                value = "failed"
            cells.append(show(value))
        b = bare.get(key)
        if isinstance(b, str):
            notes.append(f"{label}, bare: {b}")
            b = "failed"
        cells.append(show(b))
        for value in figures:
            v, bb = number(value), number(b)
            cells.append(f"{v / bb:.1f}x" if v is not None and bb else "-")
        cells.append(growth(figures))
        body.append(cells)
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    lines = []
    for n, r in enumerate([head, *body]):
        lines.append(
            " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        )
        if n == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return lines, "\n".join(notes)


def run(sizes: list[int], work: Path, repeats: int) -> dict[str, Any]:
    """The core: seed (or reuse), measure every row at every size and the bare counterparts, in one run."""
    count_case_widgets()
    results: dict[int, dict[str, Any]] = {}
    widgets = {"case": 60, "step": 60}
    for size in sizes:
        print(f"{size:,} cases", flush=True)
        try:
            path = seeded(work, size)
        except BaseException as exc:  # noqa: BLE001
            results[size] = dict.fromkeys((k for k, _, _ in ROWS), failure(exc))
            continue
        results[size], widgets = measure_size(path, size, repeats)
    print(f"bare Textual app (case screen {widgets['case']} widgets, step screen {widgets['step']})", flush=True)
    bare = measure_bare(repeats, widgets["case"], widgets["step"])
    return {"sizes": sizes, "results": results, "bare": bare, "widgets": widgets, "repeats": repeats}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "ophamp-bench-ui")
    ap.add_argument("--repeats", type=int, default=5, help="runs of each timed action (medians)")
    ap.add_argument("--quick", action="store_true", help="2 repeats (a rough look, about a minute at 1,000)")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    repeats = 2 if args.quick else args.repeats
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    print(f"code {commit.stdout.strip()}  load {os.getloadavg()}  repeats {repeats}", flush=True)
    got = run(sorted(args.sizes), args.work, repeats)
    lines, notes = table(got["sizes"], got["results"], got["bare"])
    print("\n" + "\n".join(lines))
    if notes:
        print("\n" + notes)
    print(f"\nload after: {os.getloadavg()}")
    if args.json:
        got["commit"] = commit.stdout.strip()
        got["load"] = os.getloadavg()
        args.json.write_text(json.dumps(got, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
