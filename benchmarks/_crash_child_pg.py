"""The child of benchmarks/crash_loop_pg.py: saves to a PostgreSQL store until it is killed.

Usage (by crash_loop_pg only)::

    python benchmarks/_crash_child_pg.py DSN LOG_PATH SEED RUN [rollback]

The PostgreSQL twin of ``_crash_child.py`` (the same saves, the same log): it opens a ``PgStore``,
writes ``ready`` on stdout, then saves for ever with ``PgStore.update`` (``sets=`` on one to three
fields, ``appends=`` of log entries) and now and then ``PgStore.create``. Before each save it
appends a ``try`` line to LOG_PATH; after the save RETURNS, an ``ok`` line, fsynced: a save is
"confirmed" only then. Inside the save's transaction (the case row locked, before the row and its
history rows are written) it appends an ``in`` line, so the parent can tell a kill that landed
inside a transaction from one before or after it. All log writes are single ``os.write`` calls: a
SIGKILL cannot tear them, and the page cache keeps them.

Only cases whose reference starts ``CR-`` are touched (the parent saves to a case of its own too).

``rollback`` is a negative control for the checker, not a mode of ophamp: after each confirmed
update the child puts the case's row back as it was before that save (on a connection of its
own), as a store that loses saves would. The parent must then report lost saves.
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402

from benchmarks._crash_child import AT, MAX_SAVES, WHO, crash_case, random_change  # noqa: E402
from ophamp_tui.data import store_pg  # noqa: E402
from ophamp_tui.data.clock import add_working_days  # noqa: E402


def main(argv: list[str]) -> int:
    dsn, log_path, seed, run = argv[0], argv[1], int(argv[2]), int(argv[3])
    rollback = argv[4:] == ["rollback"]
    rng = random.Random(seed)
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    seq_now = [-1]

    def note(record: dict, *, sync: bool) -> None:
        os.write(log, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        if sync:
            os.fsync(log)

    # "in": inside the transaction, the case row locked (update) or about to be inserted (create).
    merge = store_pg.merge_update
    insert = store_pg.PgStore._insert

    def merge_noted(*args: Any, **kwargs: Any) -> Any:
        note({"t": "in", "seq": seq_now[0]}, sync=False)
        return merge(*args, **kwargs)

    def insert_noted(self: store_pg.PgStore, cur: Any, cases: Any) -> Any:
        note({"t": "in", "seq": seq_now[0]}, sync=False)
        return insert(self, cur, cases)

    store_pg.merge_update = merge_noted  # type: ignore[assignment]
    store_pg.PgStore._insert = insert_noted  # type: ignore[method-assign]

    add_working_days(AT, 1)  # warm the bank-holiday tables, so kills land in saves
    store = store_pg.PgStore(dsn, lock_timeout=60)
    sabotage = psycopg.connect(dsn, autocommit=True) if rollback else None
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    made = 0
    for seq in range(MAX_SAVES):
        seq_now[0] = seq
        ids = sorted(s.id for s in store.summaries() if s.id.startswith("CR-"))
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
        before = store.load(case_id) if sabotage is not None else None
        op = {"seq": seq, "op": "update", "case": case_id, "sets": sets, "append": append}
        note({"t": "try", **op}, sync=False)
        updated = store.update(case_id, WHO, sets=sets or None, appends={append[0]: entry} if append else None)
        note({"t": "ok", **op, "rev": updated.rev}, sync=True)
        if sabotage is not None and before is not None:
            sabotage.execute(
                "UPDATE cases SET doc = %s, rev = %s, version = nextval('case_version_seq') WHERE id = %s",
                (Jsonb(before.model_dump(mode="json")), before.rev, case_id),
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
