"""``ophamp store copy``: every case and its history, between TinyDB and PostgreSQL in either direction.

Run through the command line (``__main__.main``, and a child process killed with SIGKILL), against real
stores: TinyDB folders under ``tmp_path`` and fresh databases on the test run's PostgreSQL server
(``conftest.pg_dsn``). What each store holds is read back through a new store object, and the PostgreSQL
history table directly.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from ophamp_tui.__main__ import main
from ophamp_tui.data.models import Actor, LogEntry
from ophamp_tui.data.scenarios import install_training
from ophamp_tui.data.store import Store
from ophamp_tui.data.store_copy import copy_cases, describe, verify_copy
from ophamp_tui.data.store_pg import PgStore

from .conftest import DATA_NOW

OTHER = Actor(name="DC Lee Marsh", number="DC 7001", role="oic")
SECRET = "Sup3r-Secret-pw"  # the test server trusts local connections: any password works
REPO = Path(__file__).resolve().parent.parent


def url_of(dsn: str, *, password: str = SECRET) -> str:
    """The test database as a ``postgresql://`` URI (what ``--from``/``--to`` take), with a password."""
    params = conninfo_to_dict(dsn)
    query = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in params.items() if k != "dbname")
    return f"postgresql:///{params['dbname']}?{query}&password={password}"


def fill(store, make_case, sergeant, n: int, prefix: str = "OH-CP") -> list[str]:
    """``n`` cases, each with a history of several changes by two people (and a victim's name)."""
    ids = [f"{prefix}{i:03d}" for i in range(n)]
    store.create_many([make_case(case_id=i, victim_name=f"Victim Name{i}") for i in ids])
    for i in ids[::2]:
        store.update(i, sergeant, sets={"steps.statement.fields.vps": "declined"})
        store.update(i, OTHER, appends={"updates": LogEntry(at=DATA_NOW, by=OTHER, summary="Told of arrest")})
    return ids


def copy(capsys, source: str, target: str, *more: str) -> tuple[int, str, str]:
    code = main(["store", "copy", "--from", source, "--to", target, *more])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "Victim Name" not in out + err  # nothing from inside a case
    assert SECRET not in out + err  # never a password
    return code, out, err


def row(out: str, label: str) -> str:
    """The figure (and references) on the report's line for ``label``."""
    lines = [line for line in out.splitlines() if line.startswith(label)]
    assert len(lines) == 1, (label, out)
    return lines[0][len(label) :].strip()


def assert_same(src, dst, ids: list[str]) -> None:
    for case_id in ids:
        assert dst.load(case_id) == src.load(case_id)
        assert len(dst.load(case_id).history) >= 1


def history_rows(dsn: str) -> dict[str, list[tuple]]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT case_id, rev, field, old, new, by->>'number' FROM history ORDER BY id").fetchall()
    held: dict[str, list[tuple]] = {}
    for r in rows:
        held.setdefault(r[0], []).append(tuple(r[1:]))
    return held


def assert_history_table_matches(dsn: str, store) -> None:
    """The append-only history table holds each case's history once, as the case does: no duplicates."""
    table = history_rows(dsn)
    for case_id in store.case_ids():
        doc = [(h.rev, h.field, h.old, h.new, h.by.number) for h in store.load(case_id).history]
        assert table.get(case_id) == doc, case_id


# --- both directions, and TinyDB to TinyDB ------------------------------------------------------------------


def test_tinydb_to_postgresql_copies_every_case_with_its_history(tmp_path, pg_dsn, make_case, sergeant, capsys):
    src = Store(tmp_path / "src", clock=lambda: DATA_NOW)
    ids = fill(src, make_case, sergeant, 7)
    code, out, err = copy(capsys, str(tmp_path / "src"), url_of(pg_dsn))
    assert code == 0, out + err
    assert row(out, "cases in the source") == "7"
    assert row(out, "copied") == "7"
    assert row(out, "verified in the target").startswith("7 ")
    assert out.strip().endswith("Done: every case of the source is in the target, the same, history included.")
    assert "the PostgreSQL database" in out and "password" not in out
    dst = PgStore(pg_dsn)
    assert sorted(dst.case_ids()) == ids
    assert_same(src, dst, ids)
    assert len(dst.load("OH-CP000").history) == 3 and dst.load("OH-CP000").rev == 2  # kept, not replayed
    assert_history_table_matches(pg_dsn, dst)


def test_postgresql_to_tinydb_copies_every_case_into_private_files(tmp_path, pg_dsn, make_case, sergeant, capsys):
    src = PgStore(pg_dsn, clock=lambda: DATA_NOW)
    ids = fill(src, make_case, sergeant, 5)
    target = tmp_path / "new" / "store"
    code, out, err = copy(capsys, url_of(pg_dsn), str(target))
    assert code == 0, out + err
    assert row(out, "copied") == "5"
    dst = Store(target)
    assert sorted(dst.case_ids()) == ids
    assert_same(src, dst, ids)
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    files = list((target / "cases").iterdir())
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)


def test_tinydb_to_tinydb_run_again_copies_nothing_twice(tmp_path, make_case, sergeant, capsys):
    src = Store(tmp_path / "src", clock=lambda: DATA_NOW)
    ids = fill(src, make_case, sergeant, 6)
    assert copy(capsys, str(tmp_path / "src"), str(tmp_path / "dst"))[0] == 0
    code, out, _ = copy(capsys, str(tmp_path / "src"), str(tmp_path / "dst"))
    assert code == 0
    assert row(out, "copied") == "0"
    assert row(out, "already there, the same") == "6"
    assert row(out, "verified in the target").startswith("6 ")
    dst = Store(tmp_path / "dst")
    assert len(dst) == 6 and sorted(dst.case_ids()) == ids
    assert len(list((tmp_path / "dst" / "cases").glob("*.json"))) == 6
    assert_same(src, dst, ids)


def test_a_target_with_other_cases_is_merged_into_and_says_so(tmp_path, pg_dsn, make_case, sergeant, capsys):
    fill(Store(tmp_path / "src", clock=lambda: DATA_NOW), make_case, sergeant, 3)
    theirs = PgStore(pg_dsn)
    theirs.create(make_case(case_id="OH-LIVE1", victim_name="Victim NameLive"))
    code, out, _ = copy(capsys, str(tmp_path / "src"), url_of(pg_dsn))
    assert code == 0
    assert "already held 1 other case(s), not in the source: kept as they were" in out
    assert row(out, "cases in the target now") == "4"
    assert PgStore(pg_dsn).load("OH-LIVE1") == theirs.load("OH-LIVE1")


# --- interrupted, then run again -----------------------------------------------------------------------------

# A child process runs the command and is killed (SIGKILL) in the third batch it writes: part way through
# writing the TinyDB case files, or inside the PostgreSQL transaction after its rows went in.
DYING = """
import os, signal, sys
from ophamp_tui.data.store import Store
from ophamp_tui.data.store_pg import PgStore
calls = [0]
create_many, insert = Store.create_many, PgStore._insert

def files(self, cases):
    calls[0] += 1
    if calls[0] < 3:
        return create_many(self, cases)
    def one_then_die():
        yield cases[0]
        os.kill(os.getpid(), signal.SIGKILL)
    return create_many(self, one_then_die())

def rows(self, cur, cases):
    made = insert(self, cur, cases)
    calls[0] += 1
    if calls[0] == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return made

Store.create_many, PgStore._insert = files, rows
from ophamp_tui.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("target_kind", ["tinydb", "postgresql"])
def test_a_copy_killed_part_way_finishes_when_run_again_without_duplicates(
    tmp_path, make_case, sergeant, capsys, request, target_kind
):
    src = Store(tmp_path / "src", clock=lambda: DATA_NOW)
    ids = fill(src, make_case, sergeant, 10)
    if target_kind == "postgresql":
        dsn = request.getfixturevalue("pg_dsn")
        target = url_of(dsn)
    else:
        target = str(tmp_path / "dst")
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(DYING), "store", "copy", "--from", str(tmp_path / "src")]
        + ["--to", target, "--batch", "2"],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    half = PgStore(dsn) if target_kind == "postgresql" else Store(tmp_path / "dst")
    # Two whole batches, and of the third: one file (TinyDB), or nothing (the transaction never committed).
    assert len(half) == (4 if target_kind == "postgresql" else 5)

    code, out, err = copy(capsys, str(tmp_path / "src"), target, "--batch", "2")
    assert code == 0, out + err
    assert row(out, "already there, the same") == str(len(half))
    assert row(out, "copied") == str(10 - len(half))
    assert row(out, "verified in the target").startswith("10 ")
    dst = PgStore(dsn) if target_kind == "postgresql" else Store(tmp_path / "dst")
    assert sorted(dst.case_ids()) == ids and len(dst) == 10
    assert_same(src, dst, ids)
    if target_kind == "postgresql":
        assert_history_table_matches(dsn, dst)  # each history row once: the killed transaction left none
    else:
        assert len(list((tmp_path / "dst" / "cases").glob("*.json"))) == 10


# --- never overwritten: conflicts and older copies ------------------------------------------------------------


def test_a_case_changed_in_the_target_is_a_conflict_and_is_not_overwritten(tmp_path, make_case, sergeant, capsys):
    src = Store(tmp_path / "src", clock=lambda: DATA_NOW)
    fill(src, make_case, sergeant, 4)
    assert copy(capsys, str(tmp_path / "src"), str(tmp_path / "dst"))[0] == 0
    Store(tmp_path / "dst").update("OH-CP001", OTHER, sets={"steps.statement.notes": "typed in the new store"})
    src.update("OH-CP001", sergeant, sets={"steps.statement.notes": "typed in the old store"})

    for more in ([], ["--update-older"]):  # not even with --update-older: the target's change would be lost
        code, out, _ = copy(capsys, str(tmp_path / "src"), str(tmp_path / "dst"), *more)
        assert code == 1
        assert row(out, "conflicts, not overwritten") == "1   OH-CP001"
        assert row(out, "already there, the same") == "3"
        assert row(out, "verified in the target").startswith("3 ")
        assert "open each in both stores and decide" in out
        assert out.strip().endswith("NOT COMPLETE: see above. Running the same command again copies nothing twice.")
        held = Store(tmp_path / "dst").load("OH-CP001")
        assert held.steps["statement"].notes == "typed in the new store"


def test_an_older_copy_is_reported_then_brought_up_to_date_only_when_asked(
    tmp_path, pg_dsn, make_case, sergeant, capsys
):
    src = Store(tmp_path / "src", clock=lambda: DATA_NOW)
    ids = fill(src, make_case, sergeant, 3)
    assert copy(capsys, str(tmp_path / "src"), url_of(pg_dsn))[0] == 0
    before = PgStore(pg_dsn).load("OH-CP002")
    src.update("OH-CP002", OTHER, sets={"steps.statement.notes": "saved after the first copy"})

    code, out, _ = copy(capsys, str(tmp_path / "src"), url_of(pg_dsn))
    assert code == 1
    assert row(out, "older in the target, not replaced") == "1   OH-CP002"
    assert "Run again with --update-older" in out
    assert PgStore(pg_dsn).load("OH-CP002") == before

    code, out, _ = copy(capsys, str(tmp_path / "src"), url_of(pg_dsn), "--update-older")
    assert code == 0, out
    assert row(out, "brought up to date (--update-older)") == "1"
    assert row(out, "older in the target, not replaced") == "0"
    dst = PgStore(pg_dsn)
    assert_same(src, dst, ids)
    assert dst.load("OH-CP002").rev == 3  # two saves before the first copy, one after
    assert_history_table_matches(pg_dsn, dst)  # the new change appended once, nothing rewritten


# --- the check at the end ---------------------------------------------------------------------------------


def test_verification_finds_a_case_changed_or_lost_in_the_target(tmp_path, make_case, sergeant):
    src = Store(tmp_path / "src", clock=lambda: DATA_NOW)
    fill(src, make_case, sergeant, 5)
    dst = Store(tmp_path / "dst")
    report = copy_cases(src, dst, batch=2)
    assert report.copied == 5
    # Between the copy and the check: one case changed behind its back, one file lost.
    Store(tmp_path / "dst").update("OH-CP003", OTHER, sets={"steps.statement.notes": "x"})
    (tmp_path / "dst" / "cases" / "OH-CP004.json").unlink()
    verify_copy(report, Store(tmp_path / "dst"), batch=2)
    assert report.verified == 3
    assert sorted(report.mismatched) == ["OH-CP003", "OH-CP004"]
    assert not report.ok
    text = "\n".join(describe(report))
    assert row(text, "different in the target after copy") == "2   OH-CP003, OH-CP004"
    assert "DIFFERENT AFTER COPY" in text and "Done:" not in text


def test_a_case_that_cannot_be_read_in_the_source_is_named_and_not_copied(tmp_path, make_case, sergeant, capsys):
    src = Store(tmp_path / "src", clock=lambda: DATA_NOW)
    fill(src, make_case, sergeant, 3)
    (tmp_path / "src" / "cases" / "OH-CP001.json").write_text('{"case": {"1": {"id": "OH-CP001"', encoding="utf-8")
    code, out, _ = copy(capsys, str(tmp_path / "src"), str(tmp_path / "dst"))
    assert code == 1
    assert row(out, "could not be read in the source") == "1   OH-CP001"
    assert row(out, "copied") == "2"
    assert "OH-CP001" not in Store(tmp_path / "dst")


# --- mistakes refused with one line, nothing made ------------------------------------------------------------


def test_sensible_mistakes_are_refused_in_one_line_and_nothing_is_made(tmp_path, make_case, sergeant, capsys):
    fill(Store(tmp_path / "src", clock=lambda: DATA_NOW), make_case, sergeant, 2)
    Store(tmp_path / "empty")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("x")
    install_training(tmp_path / "training", DATA_NOW)
    src, dst = str(tmp_path / "src"), str(tmp_path / "dst")
    cases = {
        "same": ([src, str(tmp_path / "src" / ".." / "src")], "name the same store"),
        "no source": ([str(tmp_path / "nowhere"), dst], "there is no store at"),
        "empty name": (["  ", dst], "say which store to copy from"),
        "empty target name": ([src, ""], "say which store to copy to"),
        "not a store": ([str(tmp_path / "notes"), dst], "is not an ophamp store"),
        "empty store": ([str(tmp_path / "empty"), dst], "holds no cases: nothing to copy"),
        "from training": ([str(tmp_path / "training"), dst], "names the training store"),
        "into training": ([src, str(tmp_path / "training")], "names the training store"),
    }
    for what, ((source, target), says) in cases.items():
        code, out, err = copy(capsys, source, target)
        assert code == 2, what
        assert out == "", what
        assert err.startswith("ophamp: ") and says in err and err.count("\n") == 1, (what, err)
        assert not (tmp_path / "dst").exists(), what
        assert not (tmp_path / "nowhere").exists()
    assert len(Store(tmp_path / "training")) == 5  # the scenarios, and nothing else


def test_a_database_that_cannot_be_reached_is_one_line_without_the_password(tmp_path, make_case, sergeant, capsys):
    fill(Store(tmp_path / "src", clock=lambda: DATA_NOW), make_case, sergeant, 1)
    nowhere = f"postgresql://app:{SECRET}@/ophamp_live?host={quote(str(tmp_path), safe='')}&port=5999"
    code, out, err = copy(capsys, str(tmp_path / "src"), nowhere)
    assert code == 2 and out == ""
    assert err.startswith("ophamp: Cannot open the PostgreSQL database ophamp_live") and err.count("\n") == 1


def test_help_says_what_it_guarantees(capsys):
    with pytest.raises(SystemExit) as done:
        main(["store", "copy", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for promise in ("--update-older", "Never overwrites", "Safe to run again", "training store", "Exit status"):
        assert promise in text
