"""The child of benchmarks/crash_loop.py: saves to a store until it is killed.

Usage (by crash_loop only)::

    python benchmarks/_crash_child.py STORE_ROOT LOG_PATH SEED RUN [rollback]

It writes ``ready`` on stdout once Python and ophamp are imported (the parent
starts its random kill delay from there), then opens the store with the real
``Store`` and saves for ever: ``Store.update`` with ``sets=`` on one to three
fields of a case, ``appends=`` of log entries, and now and then ``Store.create``
of a new case. Every value written is unique, so the parent can tell which
save a value came from.

Before each save it appends a ``try`` line to LOG_PATH (one ``os.write``: a
SIGKILL cannot tear it, and the page cache keeps it). After the save RETURNS
it appends an ``ok`` line naming what was confirmed (case id, fields and
values, log entry id, the new rev) and fsyncs the log: a save is "confirmed"
only once its ``ok`` line is on disk.

``rollback`` is a negative control for the checker, not a mode of ophamp: after
some confirmed updates the child puts the case's ``.bak`` back over it, as a
store that loses saves would. The parent must then report lost saves.
"""

from __future__ import annotations

import json
import os
import random
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ophamp_tui.data import atomic  # noqa: E402
from ophamp_tui.data.checklist import STEPS  # noqa: E402
from ophamp_tui.data.clock import add_working_days  # noqa: E402
from ophamp_tui.data.edits import new_case  # noqa: E402
from ophamp_tui.data.models import Actor, Case, Incident, LogEntry, Victim  # noqa: E402
from ophamp_tui.data.store import Store  # noqa: E402

AT = datetime(2026, 6, 9, 10, 0, tzinfo=UTC)
WHO = Actor(name="PS Crash Loop", number="PS 9001", role="sergeant")
# Every free-text field of every step, its notes, and some case details.
FIELDS: tuple[str, ...] = (
    *(f"steps.{s.key}.fields.{f.key}" for s in STEPS for f in s.fields if f.kind in ("text", "longtext")),
    *(f"steps.{s.key}.notes" for s in STEPS),
    "incident.location",
    "incident.impact_notes",
)
LOGS = ("updates", "welfare_contacts")
PADDING = (0, 0, 0, 40, 400, 4000)  # vary the file size, so some writes take longer
MAX_SAVES = 100_000  # a safety net: the parent kills the child long before this


def crash_case(run: int, seq: int, case_id: str) -> Case:
    """The case a crash-loop child creates (shared with ``_crash_child_pg``)."""
    return new_case(
        victim=Victim(name=f"Victim {run}.{seq}", number=f"PC {1000 + run % 9000}"),
        incident=Incident(occurred_at=AT, location="Crash loop"),
        by=WHO,
        now=AT,
        case_id=case_id,
    )


def random_change(
    rng: random.Random, run: int, seq: int, ids: list[str]
) -> tuple[str, dict[str, str], list[str] | None, LogEntry | None]:
    """(case id, fields set, [log, entry id] or None, the entry) of a random save to one of ``ids``, mostly
    the newest (shared with ``_crash_child_pg``)."""
    case_id = rng.choice(ids[-5:]) if rng.random() < 0.8 else rng.choice(ids)
    sets: dict[str, str] = {}
    if rng.random() < 0.8:
        for i, path in enumerate(rng.sample(FIELDS, rng.randint(1, 3))):
            sets[path] = f"r{run}s{seq}f{i}" + " x" * rng.choice(PADDING)
    append = None
    entry = None
    if not sets or rng.random() < 0.4:
        log_name = rng.choice(LOGS)
        entry = LogEntry(
            id=f"L{run}-{seq}",
            at=AT,
            by=WHO,
            recorded_at=AT,
            method="phone",
            summary=f"r{run}s{seq} " + "y" * rng.choice(PADDING),
        )
        append = [log_name, entry.id]
    return case_id, sets, append, entry


def main(argv: list[str]) -> int:
    root, log_path, seed, run = argv[0], argv[1], int(argv[2]), int(argv[3])
    rollback = argv[4:] == ["rollback"]
    rng = random.Random(seed)
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def note(record: dict, *, sync: bool) -> None:
        os.write(log, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        if sync:
            os.fsync(log)

    # Warm what a first save loads once per process (the bank-holiday tables, ~60 ms), so that "ready"
    # means ready to save and the kills land in saves, not in library start-up.
    add_working_days(AT, 1)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    store = Store(root, lock_timeout=60)
    made = 0
    for seq in range(MAX_SAVES):
        ids = sorted(s.id for s in store.summaries())
        if not ids or rng.random() < 0.12:
            case_id = f"CR-{run:05d}-{made:02d}"
            made += 1
            case = crash_case(run, seq, case_id)
            op = {"seq": seq, "op": "create", "case": case_id}
            note({"t": "try", **op}, sync=False)
            store.create(case)
            note({"t": "ok", **op, "rev": 0}, sync=True)
            continue
        case_id, sets, append, entry = random_change(rng, run, seq, ids)
        op = {"seq": seq, "op": "update", "case": case_id, "sets": sets, "append": append}
        note({"t": "try", **op}, sync=False)
        updated = store.update(case_id, WHO, sets=sets or None, appends={append[0]: entry} if append else None)
        note({"t": "ok", **op, "rev": updated.rev}, sync=True)
        backup = store.case_path(case_id).with_name(f"{case_id}.json.bak")
        if rollback and backup.exists() and rng.random() < 0.3:
            atomic.atomic_write(store.case_path(case_id), backup.read_bytes())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
