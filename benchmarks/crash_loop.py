#!/usr/bin/env python3
"""Crash during save: kill -9 a process saving to the store, over and over, and lose nothing.

Each run starts ``benchmarks/_crash_child.py`` in a new Python process. The
child saves to the store with the real ``Store`` (field changes on several
cases, log entries, new cases) and, after each save returns, appends a line
to a confirmation log and fsyncs it. The parent kills the child with SIGKILL
at a random moment (5-80 ms after it is ready, so kills land in the middle of
writes), then checks the store as the next user would find it:

- ``Store(root)`` opens, and left-over temp files are gone once it has;
- every confirmed save is there: the last confirmed value of each field, every
  confirmed log entry, every confirmed new case, and the case rev at least the
  confirmed rev; every confirmed save is in the case history with its rev;
- the one save that was in flight at the kill either landed whole or not at
  all (nothing else changed: no phantom or half save);
- no case file is unreadable (no "damaged" summary), each ``.bak`` is a good
  copy, the index agrees with the case files;
- every file is still 0600 and every directory 0700.

The same store is used by every run, so damage would accumulate. At the end
every case is loaded again and every confirmed save of every run is looked up
in its history.

Run from the repository root::

    .venv/bin/python benchmarks/crash_loop.py                # 1000 runs (the recorded figures)
    .venv/bin/python benchmarks/crash_loop.py --runs 50      # a quick run

Exits 1 if any confirmed save is lost, the store or any case is unreadable, or
any other check fails. ``run()`` is also used by tests/test_crash_loop.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ophamp_tui.data import atomic  # noqa: E402
from ophamp_tui.data.models import Case  # noqa: E402
from ophamp_tui.data.store import Store, StoreError  # noqa: E402

CHILD = Path(__file__).resolve().parent / "_crash_child.py"
TRACKED_LOGS = ("updates", "welfare_contacts")


@dataclass
class Result:
    runs: int = 0
    runs_with_saves: int = 0  # runs whose child confirmed at least one save before the kill
    saves_attempted: int = 0  # Store calls the children started
    saves_confirmed: int = 0  # ... whose "ok" line reached the log (creates + updates)
    values_confirmed: int = 0  # field values in confirmed updates
    appends_confirmed: int = 0  # log entries in confirmed updates
    creates_confirmed: int = 0
    lost: int = 0  # confirmed saves missing afterwards: must be 0
    unreadable_stores: int = 0  # runs after which Store(root) failed or a case was unreadable: must be 0
    damaged_cases: int = 0
    inflight_landed: int = 0  # the save in flight at the kill was found whole on disk
    inflight_absent: int = 0  # ... or not at all
    kills_leaving_temps: int = 0  # runs whose kill left a temp file (killed mid-write)
    temps_left: int = 0  # temp files found before the next open
    temps_after_open: int = 0  # ... and still there after it: must be 0
    bad_modes: int = 0
    children_not_killed: int = 0  # the child exited on its own (an error): must be 0
    cases: int = 0
    files_checked: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.lost == 0 and self.unreadable_stores == 0

    def problem(self, text: str) -> None:
        if len(self.problems) < 200:
            self.problems.append(text)


@dataclass
class Known:
    """What the parent knows a case holds: proved by the last check, plus the saves confirmed since."""

    rev: int = 0
    fields: dict[str, str] = field(default_factory=dict)
    entries: dict[str, set[str]] = field(default_factory=lambda: {log: set() for log in TRACKED_LOGS})

    def copy(self) -> Known:
        return Known(self.rev, dict(self.fields), {k: set(v) for k, v in self.entries.items()})

    def apply(self, op: dict) -> None:
        self.rev += 1
        self.fields.update(op["sets"])
        if op["append"]:
            self.entries[op["append"][0]].add(op["append"][1])


def observe(case: Case) -> Known:
    fields = {}
    for key, step in case.steps.items():
        for fkey, value in step.fields.items():
            if value is not None:
                fields[f"steps.{key}.fields.{fkey}"] = value
        if step.notes:
            fields[f"steps.{key}.notes"] = step.notes
    for path in ("location", "impact_notes"):
        fields[f"incident.{path}"] = getattr(case.incident, path)
    entries = {log: {e.id for e in getattr(case, log)} for log in TRACKED_LOGS}
    return Known(case.rev, fields, entries)


def matches(seen: Known, want: Known) -> bool:
    return (
        seen.rev == want.rev
        and seen.entries == want.entries
        and all(seen.fields.get(p) == v for p, v in want.fields.items())
    )


def read_log(path: Path) -> list[dict]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    lines = raw.split(b"\n")
    # A line without its newline was never completed: not confirmed.
    return [json.loads(line) for line in lines[:-1] if line]


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(atomic.TMP_MARK)]


def check_modes(root: Path, result: Result) -> None:
    for dirpath, _dirnames, filenames in os.walk(root):
        if stat.S_IMODE(os.stat(dirpath).st_mode) != 0o700:
            result.bad_modes += 1
            result.problem(f"directory {dirpath} is not 0700")
        for name in filenames:
            full = os.path.join(dirpath, name)
            result.files_checked += 1
            if stat.S_IMODE(os.stat(full).st_mode) != 0o600:
                result.bad_modes += 1
                result.problem(f"file {full} is not 0600")


def start_child(root: Path, log: Path, seed: int, run_no: int, errfile, extra: tuple[str, ...]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(root), str(log), str(seed), str(run_no), *extra],
        stdout=subprocess.PIPE,
        stderr=errfile,
        stdin=subprocess.DEVNULL,
    )


def wait_ready(proc: subprocess.Popen, timeout: float = 30.0) -> bool:
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    return bool(ready) and proc.stdout.readline() == b"ready\n"


def run(
    runs: int,
    root: Path | str,
    seed: int = 1,
    *,
    min_delay: float = 0.005,
    max_delay: float = 0.080,
    work: Path | str | None = None,
    progress: bool = False,
    sabotage: bool = False,
) -> Result:
    """Kill a saving child ``runs`` times over the store at ``root`` and check it after each kill.

    ``sabotage`` makes the child undo some of its confirmed saves (a negative control: the
    checks must then find lost saves).
    """
    root = Path(root)
    work = Path(work) if work else root.parent / (root.name + "-crashlog")
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    result = Result()
    known: dict[str, Known] = {}
    if (root / "store.json").exists():  # carry on with an existing store: learn what it holds
        existing = Store(root)
        for s in existing.summaries():
            known[s.id] = observe(existing.load(s.id))
    confirmed_sets: list[tuple[str, int, str, str]] = []  # (case, rev, field, value) for the final check
    confirmed_appends: list[tuple[str, str, str]] = []  # (case, log, entry id)
    confirmed_creates: list[str] = []
    started = time.perf_counter()

    for run_no in range(runs):
        log = work / f"run-{run_no:05d}.log"
        err = work / f"run-{run_no:05d}.err"
        with open(err, "wb") as errfile:
            proc = start_child(root, log, seed * 1_000_003 + run_no, run_no, errfile, ("rollback",) if sabotage else ())
        try:
            if not wait_ready(proc):
                result.problem(f"run {run_no}: the child did not start: {err.read_text()[-500:]}")
                proc.kill()
                proc.wait()
                break
            time.sleep(rng.uniform(min_delay, max_delay))
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            code = proc.wait()
        finally:
            proc.stdout.close()
        result.runs += 1
        if code != -signal.SIGKILL:
            result.children_not_killed += 1
            result.problem(f"run {run_no}: the child exited by itself ({code}): {err.read_text()[-500:]}")

        # --- what the child tried and what it confirmed ----------------------------------------
        records = read_log(log)
        tries = {r["seq"]: r for r in records if r["t"] == "try"}
        oks = {r["seq"]: r for r in records if r["t"] == "ok"}
        result.saves_attempted += len(tries)
        result.runs_with_saves += bool(oks)
        inflight = [tries[s] for s in tries if s not in oks]
        if len(inflight) > 1 or (inflight and inflight[0]["seq"] != max(tries)):
            result.problem(f"run {run_no}: more than one save unconfirmed: {[r['seq'] for r in inflight]}")
        lost_before = result.lost
        touched: set[str] = set()
        tally_confirmed(run_no, oks, known, result, touched, confirmed_creates, confirmed_sets, confirmed_appends)

        # --- the next user opens the store ----------------------------------------------------
        leftovers = temp_files(root)
        result.temps_left += len(leftovers)
        result.kills_leaving_temps += bool(leftovers)
        try:
            store = Store(root, lock_timeout=5)
        except Exception as exc:  # noqa: BLE001 - any failure to open is the finding
            result.unreadable_stores += 1
            result.problem(f"run {run_no}: the store does not open: {exc!r}")
            break
        after = temp_files(root)
        result.temps_after_open += len(after)
        if after:
            result.problem(f"run {run_no}: temp files still there after open: {[p.name for p in after]}")

        damaged = [s for s in store.summaries() if s.damaged]
        ids_on_disk = {p.name[: -len(".json")] for p in store.cases_dir.iterdir() if p.name.endswith(".json")}
        pending = inflight[0] if inflight else None
        if pending:
            touched.add(pending["case"])
            if pending["op"] == "create" and pending["case"] in ids_on_disk and pending["case"] not in known:
                known[pending["case"]] = Known()  # it landed: a whole new case, checked below
                result.inflight_landed += 1
                pending = None
            elif pending["op"] == "create":
                result.inflight_absent += 1
                pending = None
        unknown = ids_on_disk - set(known)
        missing = set(known) - ids_on_disk
        if unknown:
            result.problem(f"run {run_no}: cases nobody created: {sorted(unknown)}")
        for cid in sorted(missing):
            result.lost += 1
            result.problem(f"run {run_no}: case {cid} has gone")
            known.pop(cid)
            touched.discard(cid)
        bad_case = bool(damaged)
        result.damaged_cases += len(damaged)
        for s in damaged:
            result.problem(f"run {run_no}: {s['damaged']}")

        for cid in sorted(touched & set(known)):
            try:
                case = store.load(cid)
            except StoreError as exc:
                bad_case = True
                result.problem(f"run {run_no}: {cid} does not load: {exc}")
                continue
            seen = observe(case)
            want = known[cid]
            if pending and pending["case"] == cid:
                landed = want.copy()
                landed.apply(pending)
                if matches(seen, landed):
                    result.inflight_landed += 1
                    known[cid] = seen
                elif matches(seen, want):
                    result.inflight_absent += 1
                    known[cid] = seen
                else:
                    result.lost += count_lost(seen, want)
                    result.problem(
                        f"run {run_no}: {cid} holds neither the confirmed saves nor them plus the "
                        f"save in flight (rev {seen.rev}, expected {want.rev} or {landed.rev})"
                    )
                    known[cid] = seen
            elif matches(seen, want):
                known[cid] = seen
            else:
                result.lost += count_lost(seen, want)
                result.problem(
                    f"run {run_no}: {cid} does not hold what was confirmed (rev {seen.rev}, expected {want.rev})"
                )
                known[cid] = seen
            # Every confirmed save of this run is in the history with its rev.
            history = {(h.rev, h.field, h.new) for h in case.history}
            for seq in sorted(oks):
                op = oks[seq]
                if op["case"] == cid and op["op"] == "update":
                    for path, value in op["sets"].items():
                        if (op["rev"], path, value) not in history:
                            result.lost += 1
                            result.problem(f"run {run_no}: {cid} history lacks rev {op['rev']} {path}")
            revs = [h.rev for h in case.history]
            if revs != sorted(revs) or (revs and revs[-1] != case.rev) or set(revs) != set(range(case.rev + 1)):
                result.problem(f"run {run_no}: {cid} history revs are not 0..{case.rev} in order")
            summary = store.summary(cid)
            rev = summary.rev if summary is not None else None
            if rev != case.rev:
                result.problem(f"run {run_no}: index says {cid} is rev {rev}, file says {case.rev}")
            bak = store.case_path(cid).with_name(f"{cid}.json.bak")
            if bak.exists():
                try:
                    old = Case.model_validate(json.loads(bak.read_bytes())["case"]["1"])
                    if old.rev > case.rev:
                        result.problem(f"run {run_no}: {bak.name} is newer than the case")
                except Exception as exc:  # noqa: BLE001
                    result.problem(f"run {run_no}: {bak.name} is not a good copy: {exc!r}")
        if bad_case:
            result.unreadable_stores += 1
        check_modes(root, result)
        if result.lost == lost_before and not result.problems:
            log.unlink(missing_ok=True)  # keep the logs of a failed run, to look at
            err.unlink(missing_ok=True)
        if progress and (run_no + 1) % max(1, runs // 20) == 0:
            print(
                f"  run {run_no + 1}/{runs}: {result.saves_confirmed:,} saves confirmed, "
                f"{result.lost} lost, {len(result.problems)} problems, "
                f"{time.perf_counter() - started:.0f} s",
                flush=True,
            )

    # --- at the end: every case again, every confirmed save of every run in its history -------------
    if result.unreadable_stores == 0 and result.runs:
        final_check(root, result, confirmed_sets, confirmed_appends, confirmed_creates)
    result.seconds = time.perf_counter() - started
    return result


def tally_confirmed(
    run_no: int,
    oks: dict[int, dict[str, Any]],
    known: dict[str, Known],
    result: Any,
    touched: set[str],
    confirmed_creates: list[str],
    confirmed_sets: list[tuple[Any, ...]],
    confirmed_appends: list[tuple[Any, ...]],
) -> None:
    """Take in one run's confirmed saves (``oks``, by sequence number), in order: what the store must now
    hold (``known``, the ``confirmed_*`` lists), counted in ``result``; ids touched go in ``touched``.
    Shared by the file-store and PostgreSQL crash loops."""
    for seq in sorted(oks):
        op = oks[seq]
        cid = op["case"]
        touched.add(cid)
        result.saves_confirmed += 1
        if op["op"] == "create":
            result.creates_confirmed += 1
            confirmed_creates.append(cid)
            known[cid] = Known()
            continue
        if cid not in known:
            result.problem(f"run {run_no}: saved to {cid}, which no run created")
            known[cid] = Known(rev=op["rev"] - 1)
        known[cid].apply(op)
        if known[cid].rev != op["rev"]:
            result.problem(f"run {run_no}: {cid} save {seq} returned rev {op['rev']}, expected {known[cid].rev}")
            known[cid].rev = op["rev"]
        result.values_confirmed += len(op["sets"])
        for path, value in op["sets"].items():
            confirmed_sets.append((cid, op["rev"], path, value))
        if op["append"]:
            result.appends_confirmed += 1
            confirmed_appends.append((cid, *op["append"]))


def count_lost(seen: Known, want: Known) -> int:
    """Confirmed things missing from what is on disk (a wrong rev counts as one)."""
    lost = int(seen.rev < want.rev)
    lost += sum(1 for p, v in want.fields.items() if seen.fields.get(p) != v)
    lost += sum(len(want.entries[log] - seen.entries.get(log, set())) for log in TRACKED_LOGS)
    return max(lost, 1)


def final_check(root: Path, result: Result, sets: list, appends: list, creates: list) -> None:
    # Rebuild the index from the case files as well, to be sure it is not hiding anything.
    shutil.rmtree(root / "index")
    store = Store(root, lock_timeout=5)
    result.cases = len(store)
    for s in store.summaries():
        if s.damaged:
            result.damaged_cases += 1
            result.unreadable_stores += 1
            result.problem(f"final: {s.damaged}")
    cases: dict[str, Case] = {}
    for cid in {c for c, *_ in sets} | {c for c, *_ in appends} | set(creates):
        try:
            cases[cid] = store.load(cid)
        except StoreError as exc:
            result.lost += 1
            result.problem(f"final: {cid}: {exc}")
    history = {cid: {(h.rev, h.field, h.new) for h in c.history} for cid, c in cases.items()}
    for cid, rev, path, value in sets:
        if cid in cases and (rev, path, value) not in history[cid]:
            result.lost += 1
            result.problem(f"final: {cid} history lacks rev {rev} {path}")
    for cid, log, entry_id in appends:
        if cid in cases and entry_id not in {e.id for e in getattr(cases[cid], log)}:
            result.lost += 1
            result.problem(f"final: {cid} {log} lacks {entry_id}")
    check_modes(root, result)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.platform()}, {cpu}, nproc {os.cpu_count()}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=1000, help="child processes to kill (default 1000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed for the kill delays and the saves (default 1)")
    ap.add_argument("--min-delay-ms", type=float, default=5.0, help="shortest delay before the kill (default 5)")
    ap.add_argument("--max-delay-ms", type=float, default=80.0, help="longest delay before the kill (default 80)")
    ap.add_argument("--dir", metavar="PATH", help="work in this directory (default: a temp dir, removed after)")
    ap.add_argument("--keep", action="store_true", help="keep the store afterwards")
    args = ap.parse_args(argv)
    if args.runs < 1 or not 0 <= args.min_delay_ms <= args.max_delay_ms:
        ap.error("--runs must be at least 1 and 0 <= --min-delay-ms <= --max-delay-ms")

    tmp = Path(tempfile.mkdtemp(prefix="ophamp-crash-", dir=args.dir))
    print(
        f"crash loop: {args.runs} runs, SIGKILL {args.min_delay_ms:g}-{args.max_delay_ms:g} ms after the "
        f"child is ready, seed {args.seed}"
    )
    print(f"machine: {machine()}")
    print(f"store: {tmp / 'store'}", flush=True)
    r = run(
        args.runs,
        tmp / "store",
        args.seed,
        min_delay=args.min_delay_ms / 1000,
        max_delay=args.max_delay_ms / 1000,
        work=tmp / "logs",
        progress=True,
    )
    if r.ok and not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(f"runs (children killed with SIGKILL)  {r.runs:,} ({r.runs_with_saves:,} confirmed a save first)")
    print(f"saves attempted                      {r.saves_attempted:,}")
    print(
        f"saves confirmed                      {r.saves_confirmed:,} ({r.creates_confirmed:,} new cases, "
        f"{r.values_confirmed:,} field values, {r.appends_confirmed:,} log entries)"
    )
    print(
        f"kill landed during a save            {r.inflight_landed + r.inflight_absent:,} runs: "
        f"it landed whole {r.inflight_landed:,}, not at all {r.inflight_absent:,}"
    )
    print(
        f"kills that left a temp file          {r.kills_leaving_temps:,} runs ({r.temps_left:,} files), "
        f"left after the next open: {r.temps_after_open}"
    )
    print(f"cases in the store at the end        {r.cases:,}")
    print(f"files checked for mode 0600          {r.files_checked:,} (wrong: {r.bad_modes})")
    print(f"lost saves                           {r.lost}")
    print(f"unreadable stores                    {r.unreadable_stores} (damaged cases: {r.damaged_cases})")
    print(f"other problems                       {len(r.problems)}")
    for p in r.problems[:20]:
        print(f"  - {p}")
    print(f"time                                 {r.seconds:.1f} s")
    print(
        f"{'PASS' if r.ok else 'FAIL'}: {r.lost} lost saves, {r.unreadable_stores} unreadable stores "
        f"in {r.runs:,} kills"
    )
    if not r.ok:
        print(f"the store and the failed runs' logs are kept in {tmp}")
    return 0 if r.ok else 1


if __name__ == "__main__":
    sys.exit(main())
