#!/usr/bin/env python3
"""Crash during save, PostgreSQL: kill -9 a process saving to a PgStore, over and over, and lose nothing.

The PostgreSQL twin of ``crash_loop.py``. Each run starts ``benchmarks/_crash_child_pg.py`` in a new
Python process. The child opens a ``PgStore`` on the database and saves (field changes on several
cases, log entries, new cases); after each save returns it appends a line to a confirmation log and
fsyncs it. It also notes, without waiting, when a save is inside its transaction (the case row
locked). The parent kills the child with SIGKILL at a random moment (0-40 ms after its store is
open, so most kills land in a save, many inside its transaction), waits until the server has ended
the child's session (a transaction cut off by the kill is rolled back then), and checks the
database as the next user would find it:

- ``PgStore(dsn)`` opens, and saves (the parent saves to a case of its own after every kill, so a
  lock left behind by the dead child would show);
- every confirmed save is there: the last confirmed value of each field, every confirmed log entry,
  every confirmed new case, the case rev exactly as confirmed; every confirmed change is in the
  case's history, in the doc and in the ``history`` table, with its rev;
- the one save in flight at the kill either landed whole or not at all: the case is at the confirmed
  rev or one more, and the ``history`` table holds exactly the doc's history (a history row of a
  rolled-back transaction, or a doc without its history rows, would differ);
- no case is damaged, and the summary columns agree with the doc.

The same database is used by every run, so damage would accumulate. At the end every case is loaded
again by a new ``PgStore`` and every confirmed save of every run is looked up in its history.

Run from the repository root (starts a PostgreSQL server of its own with ``pgserver`` in a temp dir,
or uses ``--dsn``)::

    .venv/bin/python benchmarks/crash_loop_pg.py                # 1000 runs (the recorded figures)
    .venv/bin/python benchmarks/crash_loop_pg.py --runs 50      # a quick run

Exits 1 if any confirmed save is lost, the store does not open or save, or any other check fails.
``run()`` is also used by tests/test_crash_loop_pg.py.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from benchmarks._crash_child import AT, WHO  # noqa: E402
from benchmarks.crash_loop import Known, count_lost, machine, matches, observe, read_log, tally_confirmed, wait_ready  # noqa: E402
from ophamp_tui.data.edits import new_case  # noqa: E402
from ophamp_tui.data.models import Case, Incident, Victim  # noqa: E402
from ophamp_tui.data.store_api import StoreError  # noqa: E402
from ophamp_tui.data.store_pg import PgStore, masked_dsn  # noqa: E402

CHILD = Path(__file__).resolve().parent / "_crash_child_pg.py"
PROBE = "PROBE-1"  # the parent's own case: saved to after every kill


@dataclass
class Result:
    runs: int = 0
    runs_with_saves: int = 0  # runs whose child confirmed at least one save before the kill
    saves_attempted: int = 0
    saves_confirmed: int = 0  # creates + updates whose "ok" line reached the log
    values_confirmed: int = 0
    appends_confirmed: int = 0
    creates_confirmed: int = 0
    lost: int = 0  # confirmed saves missing afterwards: must be 0
    open_failures: int = 0  # runs after which PgStore(dsn) failed, a case was damaged or unreadable: must be 0
    probe_failures: int = 0  # runs after which the parent could not save: must be 0
    damaged_cases: int = 0
    history_mismatches: int = 0  # history table != the doc's history for a case: must be 0
    inflight_landed: int = 0  # the save in flight at the kill was found whole
    inflight_absent: int = 0  # ... or not at all
    in_transaction: int = 0  # kills that landed inside a save's transaction (row locked, not confirmed)
    in_transaction_rolled_back: int = 0  # ... of which the save was not there afterwards
    children_not_killed: int = 0  # the child exited on its own (an error): must be 0
    sessions_slow_to_end: int = 0  # the dead child's server session was still there after 10 s
    cases: int = 0
    history_rows: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            not self.problems
            and self.lost == 0
            and self.open_failures == 0
            and self.probe_failures == 0
            and self.history_mismatches == 0
        )

    def problem(self, text: str) -> None:
        if len(self.problems) < 200:
            self.problems.append(text)


def table_history(admin: psycopg.Connection[Any], case_id: str) -> set[tuple[int, str, str | None]]:
    rows = admin.execute("SELECT rev, field, new FROM history WHERE case_id = %s", (case_id,)).fetchall()
    return {(int(r[0]), str(r[1]), r[2]) for r in rows}


def doc_history(case: Case) -> set[tuple[int, str, str | None]]:
    return {(h.rev, h.field, h.new) for h in case.history}


def wait_sessions_gone(admin: psycopg.Connection[Any], timeout: float = 10.0) -> bool:
    """Wait until no ophamp session but the parent's is connected to the database (the dead child's
    transaction is then rolled back, or committed, for good)."""
    end = time.monotonic() + timeout
    while True:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = 'ophamp' AND pid <> pg_backend_pid()"
        ).fetchone()
        if row is not None and row[0] == 0:
            return True
        if time.monotonic() > end:
            return False
        time.sleep(0.002)


def run(
    runs: int,
    dsn: str,
    seed: int = 1,
    *,
    min_delay: float = 0.0,
    max_delay: float = 0.040,
    work: Path | str,
    progress: bool = False,
    sabotage: bool = False,
) -> Result:
    """Kill a saving child ``runs`` times over the PostgreSQL store at ``dsn``, and check it after each.

    ``sabotage`` makes the child undo some of its confirmed saves (a negative control)."""
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    result = Result()
    known: dict[str, Known] = {}
    confirmed_sets: list[tuple[str, int, str, str]] = []
    confirmed_appends: list[tuple[str, str, str]] = []
    confirmed_creates: list[str] = []
    admin = psycopg.connect(dsn, autocommit=True, application_name="ophamp-crash-loop")
    store = PgStore(dsn, lock_timeout=5)
    for s in store.summaries():  # carry on with an existing store: learn what it holds
        if s.id.startswith("CR-"):
            known[s.id] = observe(store.load(s.id))
    if PROBE not in store:
        store.create(
            new_case(
                victim=Victim(name="Probe", number="PC 9999"),
                incident=Incident(occurred_at=AT, location="probe"),
                by=WHO,
                now=AT,
                case_id=PROBE,
            )
        )
    store.close()
    started = time.perf_counter()

    for run_no in range(runs):
        log = work / f"run-{run_no:05d}.log"
        err = work / f"run-{run_no:05d}.err"
        extra = ("rollback",) if sabotage else ()
        with open(err, "wb") as errfile:
            proc = subprocess.Popen(
                [sys.executable, str(CHILD), dsn, str(log), str(seed * 1_000_003 + run_no), str(run_no), *extra],
                stdout=subprocess.PIPE,
                stderr=errfile,
                stdin=subprocess.DEVNULL,
            )
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
            assert proc.stdout is not None
            proc.stdout.close()
        result.runs += 1
        if code != -signal.SIGKILL:
            result.children_not_killed += 1
            result.problem(f"run {run_no}: the child exited by itself ({code}): {err.read_text()[-500:]}")
        if not wait_sessions_gone(admin):
            result.sessions_slow_to_end += 1
            result.problem(f"run {run_no}: the killed child's server session was still there after 10 s")

        # --- what the child tried and what it confirmed ----------------------------------------
        records = read_log(log)
        tries = {r["seq"]: r for r in records if r["t"] == "try"}
        oks = {r["seq"]: r for r in records if r["t"] == "ok"}
        inside = {r["seq"] for r in records if r["t"] == "in"}
        result.saves_attempted += len(tries)
        result.runs_with_saves += bool(oks)
        inflight = [tries[s] for s in tries if s not in oks]
        if len(inflight) > 1 or (inflight and inflight[0]["seq"] != max(tries)):
            result.problem(f"run {run_no}: more than one save unconfirmed: {[r['seq'] for r in inflight]}")
        in_tx = bool(inflight) and inflight[0]["seq"] in inside
        result.in_transaction += in_tx
        lost_before = result.lost
        touched: set[str] = set()
        tally_confirmed(run_no, oks, known, result, touched, confirmed_creates, confirmed_sets, confirmed_appends)

        # --- the next user opens the store -------------------------------------------------------
        try:
            store = PgStore(dsn, lock_timeout=5)
        except Exception as exc:  # noqa: BLE001 - any failure to open is the finding
            result.open_failures += 1
            result.problem(f"run {run_no}: the store does not open: {exc!r}")
            break
        bad = False
        damaged = [s for s in store.summaries() if s.damaged]
        result.damaged_cases += len(damaged)
        bad |= bool(damaged)
        for s in damaged:
            result.problem(f"run {run_no}: {s.damaged}")
        in_db = {cid for cid in store.case_ids() if cid.startswith("CR-")}
        pending = inflight[0] if inflight else None
        if pending:
            touched.add(pending["case"])
            if pending["op"] == "create":
                landed = pending["case"] in in_db and pending["case"] not in known
                if landed:
                    known[pending["case"]] = Known()  # a whole new case, checked below
                result.inflight_landed += landed
                result.inflight_absent += not landed
                result.in_transaction_rolled_back += in_tx and not landed
                pending = None
        unknown = in_db - set(known)
        missing = set(known) - in_db
        if unknown:
            result.problem(f"run {run_no}: cases nobody created: {sorted(unknown)}")
        for cid in sorted(missing):
            result.lost += 1
            result.problem(f"run {run_no}: case {cid} has gone")
            known.pop(cid)
            touched.discard(cid)

        for cid in sorted(touched & set(known)):
            try:
                case = store.load(cid)
            except StoreError as exc:
                bad = True
                result.problem(f"run {run_no}: {cid} does not load: {exc}")
                continue
            seen = observe(case)
            want = known[cid]
            if pending and pending["case"] == cid:
                landed_want = want.copy()
                landed_want.apply(pending)
                if matches(seen, landed_want):
                    result.inflight_landed += 1
                elif matches(seen, want):
                    result.inflight_absent += 1
                    result.in_transaction_rolled_back += in_tx
                else:
                    result.lost += count_lost(seen, want)
                    result.problem(
                        f"run {run_no}: {cid} holds neither the confirmed saves nor them plus the "
                        f"save in flight (rev {seen.rev}, expected {want.rev} or {landed_want.rev})"
                    )
            elif not matches(seen, want):
                result.lost += count_lost(seen, want)
                result.problem(
                    f"run {run_no}: {cid} does not hold what was confirmed (rev {seen.rev}, expected {want.rev})"
                )
            known[cid] = seen
            # Every confirmed save of this run is in the history, with its rev, in the doc and the table.
            in_doc = doc_history(case)
            in_table = table_history(admin, cid)
            for seq in sorted(oks):
                op = oks[seq]
                if op["case"] == cid and op["op"] == "update":
                    for path, value in op["sets"].items():
                        if (op["rev"], path, value) not in in_doc or (op["rev"], path, value) not in in_table:
                            result.lost += 1
                            result.problem(f"run {run_no}: {cid} history lacks rev {op['rev']} {path}")
            if in_doc != in_table:
                result.history_mismatches += 1
                result.problem(
                    f"run {run_no}: {cid}: the history table and the case's history differ "
                    f"({len(in_table - in_doc)} rows only in the table, {len(in_doc - in_table)} only in the case)"
                )
            revs = [h.rev for h in case.history]
            if revs != sorted(revs) or (revs and revs[-1] != case.rev) or set(revs) != set(range(case.rev + 1)):
                result.problem(f"run {run_no}: {cid} history revs are not 0..{case.rev} in order")
            summary = store.summary(cid)
            if summary is None or summary.rev != case.rev:
                result.problem(f"run {run_no}: the summary says {cid} is rev {summary and summary.rev}, not {case.rev}")
        result.open_failures += bad

        # --- and saves -------------------------------------------------------------------------------
        try:
            probe_rev = store.load(PROBE).rev
            saved = store.update(PROBE, WHO, sets={"incident.location": f"probe after run {run_no}"})
            if saved.rev != probe_rev + 1 or store.load(PROBE).incident.location != f"probe after run {run_no}":
                raise StoreError("the probe save is not there")
        except StoreError as exc:
            result.probe_failures += 1
            result.problem(f"run {run_no}: the store does not save after the kill: {exc}")
        store.close()

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

    if result.open_failures == 0 and result.runs:
        final_check(dsn, admin, result, confirmed_sets, confirmed_appends, confirmed_creates)
    admin.close()
    result.seconds = time.perf_counter() - started
    return result


def final_check(
    dsn: str, admin: psycopg.Connection[Any], result: Result, sets: list, appends: list, creates: list
) -> None:
    """A new PgStore: every case readable, every confirmed save of every run in the doc and the table."""
    store = PgStore(dsn, lock_timeout=5)
    result.cases = len(store)
    row = admin.execute("SELECT count(*) FROM history").fetchone()
    result.history_rows = int(row[0]) if row else 0
    for s in store.summaries():
        if s.damaged:
            result.damaged_cases += 1
            result.open_failures += 1
            result.problem(f"final: {s.damaged}")
    cases: dict[str, Case] = {}
    for cid in {c for c, *_ in sets} | {c for c, *_ in appends} | set(creates):
        try:
            cases[cid] = store.load(cid)
        except StoreError as exc:
            result.lost += 1
            result.problem(f"final: {cid}: {exc}")
    in_doc = {cid: doc_history(c) for cid, c in cases.items()}
    in_table = {cid: table_history(admin, cid) for cid in cases}
    for cid, rev, path, value in sets:
        if cid in cases and ((rev, path, value) not in in_doc[cid] or (rev, path, value) not in in_table[cid]):
            result.lost += 1
            result.problem(f"final: {cid} history lacks rev {rev} {path}")
    for cid, log, entry_id in appends:
        if cid in cases and entry_id not in {e.id for e in getattr(cases[cid], log)}:
            result.lost += 1
            result.problem(f"final: {cid} {log} lacks {entry_id}")
    store.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=1000, help="child processes to kill (default 1000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed for the kill delays and the saves (default 1)")
    ap.add_argument("--min-delay-ms", type=float, default=0.0, help="shortest delay before the kill (default 0)")
    ap.add_argument("--max-delay-ms", type=float, default=40.0, help="longest delay before the kill (default 40)")
    ap.add_argument(
        "--dsn",
        help="an EMPTY database to use (default: a PostgreSQL server of its own, with pgserver, in a temp dir)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the server's directory afterwards")
    args = ap.parse_args(argv)
    if args.runs < 1 or not 0 <= args.min_delay_ms <= args.max_delay_ms:
        ap.error("--runs must be at least 1 and 0 <= --min-delay-ms <= --max-delay-ms")

    tmp = Path(tempfile.mkdtemp(prefix="ophamp-crash-pg-"))
    server = None
    dsn = args.dsn
    if dsn is None:
        import pgserver  # noqa: PLC0415 - only for a server of its own

        data = tmp / "pgdata"
        data.mkdir()
        os.chmod(tmp, 0o755)  # a server started as root runs as its own user, which must get in
        server = pgserver.get_server(str(data), cleanup_mode="stop")
        dsn = server.get_uri()
    print(
        f"crash loop (PostgreSQL): {args.runs} runs, SIGKILL {args.min_delay_ms:g}-{args.max_delay_ms:g} ms "
        f"after the child's store is open, seed {args.seed}"
    )
    print(f"machine: {machine()}")
    with psycopg.connect(dsn, autocommit=True) as conn:
        version = conn.info.server_version
        print(f"server: PostgreSQL {version // 10000}.{version % 10000}, {masked_dsn(dsn)}", flush=True)
    try:
        r = run(
            args.runs,
            dsn,
            args.seed,
            min_delay=args.min_delay_ms / 1000,
            max_delay=args.max_delay_ms / 1000,
            work=tmp / "logs",
            progress=True,
        )
    finally:
        if server is not None:
            server.cleanup()
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
        f"... inside its transaction           {r.in_transaction:,} runs (row locked, not yet confirmed): "
        f"rolled back {r.in_transaction_rolled_back:,}, committed {r.in_transaction - r.in_transaction_rolled_back:,}"
    )
    print(f"cases at the end                     {r.cases:,} ({r.history_rows:,} history rows)")
    print(f"lost saves                           {r.lost}")
    print(f"history table != case history        {r.history_mismatches}")
    print(f"store did not open / did not save    {r.open_failures} / {r.probe_failures} runs")
    print(f"damaged cases                        {r.damaged_cases}")
    print(f"other problems                       {len(r.problems)}")
    for p in r.problems[:20]:
        print(f"  - {p}")
    print(f"time                                 {r.seconds:.1f} s")
    print(f"{'PASS' if r.ok else 'FAIL'}: {r.lost} lost saves in {r.runs:,} kills")
    if not r.ok:
        print(f"the failed runs' logs are kept in {tmp}")
    return 0 if r.ok else 1


if __name__ == "__main__":
    sys.exit(main())
