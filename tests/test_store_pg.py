"""The PostgreSQL store's own tests (the contract it shares with the file store is in test_store_contract).

Every test runs against a real PostgreSQL server started by the tests (``conftest.pg_server``), each
in a fresh database of its own (``pg_dsn``).
"""

from __future__ import annotations

import multiprocessing
import shutil
import time
from datetime import UTC, datetime

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from ophamp_tui.data.models import Actor, LogEntry
from ophamp_tui.data.store_api import CaseStore, ConflictError, StoreError
from ophamp_tui.data.store_pg import PgStore, is_database_url, masked_dsn

from .conftest import PgServer, pg_data_dir

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
OTHER = Actor(name="DC Lee Marsh", number="DC 7001", role="oic")
WRITERS = 20
ENTRIES_EACH = 5


def open_store(dsn: str, **kwargs) -> PgStore:
    return PgStore(dsn, clock=lambda: NOW, **kwargs)


def with_password(dsn: str, password: str) -> str:
    return make_conninfo(dsn, password=password)


# --- the history table is append-only ---------------------------------------------------------------


def test_every_change_is_a_history_row_written_with_the_case(pg_dsn, make_case, sergeant):
    store = open_store(pg_dsn)
    store.create(make_case(case_id="OH-HR"))
    store.update("OH-HR", sergeant, sets={"steps.statement.fields.vps": "declined", "victim.name": "Sam O'Kafor"})
    store.update("OH-HR", OTHER, appends={"updates": LogEntry(at=NOW, by=OTHER, summary="Called")})
    with psycopg.connect(pg_dsn) as conn:
        rows = conn.execute("SELECT rev, field, old, new, by->>'number' FROM history ORDER BY id").fetchall()
    held = store.load("OH-HR").history
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [(h.rev, h.field, h.old, h.new) for h in held]
    assert [r[4] for r in rows] == ["PS 4521", "PS 4521", "PS 4521", "DC 7001"]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE history SET new = 'rewritten'",
        "DELETE FROM history",
        "TRUNCATE history",
    ],
)
def test_history_rows_cannot_be_changed_or_removed(pg_dsn, make_case, sergeant, statement):
    store = open_store(pg_dsn)
    store.create(make_case(case_id="OH-AO"))
    store.update("OH-AO", sergeant, sets={"steps.statement.notes": "kept for ever"})
    with psycopg.connect(pg_dsn, autocommit=True) as conn:  # the test server's superuser: the trigger still holds
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute(statement)
        assert conn.execute("SELECT count(*) FROM history").fetchone()[0] == 2
        assert conn.execute("SELECT new FROM history ORDER BY id DESC LIMIT 1").fetchone()[0] == "kept for ever"


# --- two store objects (two connections) on one case -------------------------------------------------


def test_two_connections_editing_different_fields_from_the_same_base_both_land(pg_dsn, make_case, sergeant):
    first, second = open_store(pg_dsn), open_store(pg_dsn)
    first.create(make_case(case_id="OH-2C"))
    seen = second.load("OH-2C").rev
    first.update("OH-2C", sergeant, sets={"steps.statement.fields.vps": "taken"}, base_rev=seen)
    second.update("OH-2C", OTHER, sets={"steps.statement.fields.impact": "Anxious"}, base_rev=seen)
    held = open_store(pg_dsn).load("OH-2C")
    assert (held.rev, held.field("statement", "vps"), held.field("statement", "impact")) == (2, "taken", "Anxious")
    with pytest.raises(ConflictError) as info:
        second.update("OH-2C", OTHER, sets={"steps.statement.fields.vps": "declined"}, base_rev=seen)
    assert info.value.fields == ["steps.statement.fields.vps"]
    assert open_store(pg_dsn).load("OH-2C").field("statement", "vps") == "taken"


def _writer(dsn: str, n: int, start_at: float) -> None:
    """One ophamp in its own process: its own store object and connection, log entries and a field of its own."""
    store = PgStore(dsn, lock_timeout=60)
    who = Actor(name=f"PC Writer {n}", number=f"PC {5000 + n}", role="oic")
    while time.time() < start_at:  # all start together
        time.sleep(0.005)
    for i in range(ENTRIES_EACH):
        store.update("OH-MANY", who, appends={"updates": LogEntry(at=NOW, by=who, summary=f"w{n}-{i}")})
    store.update("OH-MANY", who, sets={f"steps.statement.fields.w{n}": f"from {n}"}, base_rev=0)
    store.close()


def test_twenty_writer_processes_lose_nothing(pg_dsn, make_case):
    open_store(pg_dsn).create(make_case(case_id="OH-MANY"))
    context = multiprocessing.get_context("forkserver")  # children with no copy of this process's connections
    context.set_forkserver_preload(["ophamp_tui.data.store_pg"])
    start_at = time.time() + 2.0
    workers = [context.Process(target=_writer, args=(pg_dsn, n, start_at)) for n in range(WRITERS)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0] * WRITERS
    held = open_store(pg_dsn).load("OH-MANY")
    assert sorted(e.summary for e in held.updates) == sorted(
        f"w{n}-{i}" for n in range(WRITERS) for i in range(ENTRIES_EACH)
    )
    for n in range(WRITERS):  # each writer's own entries in its order
        assert [e.summary for e in held.updates if e.summary.startswith(f"w{n}-")] == [
            f"w{n}-{i}" for i in range(ENTRIES_EACH)
        ]
        assert held.field("statement", f"w{n}") == f"from {n}"
    saves = WRITERS * (ENTRIES_EACH + 1)
    assert held.rev == saves
    assert sorted(h.rev for h in held.history[1:]) == list(range(1, saves + 1))
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM history WHERE case_id = 'OH-MANY'").fetchone()[0] == saves + 1


def test_first_starts_at_the_same_moment_all_open_a_fresh_database(pg_dsn):
    """Two ophamps started together on an empty database: one makes the tables, the others wait for it
    and use them (the second used to fail with "Cannot prepare ... (DuplicateTable)")."""
    import threading

    gate = threading.Barrier(4)
    failed: list[str] = []

    def first_start() -> None:
        gate.wait()
        try:
            open_store(pg_dsn)
        except StoreError as exc:
            failed.append(str(exc))

    starts = [threading.Thread(target=first_start) for _ in range(4)]
    for t in starts:
        t.start()
    for t in starts:
        t.join(60)
    assert failed == []
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM ophamp_schema").fetchone()[0] == 1


# --- what the user is told: never a password, never a value ------------------------------------------


def test_location_never_holds_the_password(pg_dsn):
    dsn = with_password(pg_dsn, "Sup3r-Secret-pw")  # the test server trusts local connections: any password works
    store = open_store(dsn)
    assert "Sup3r-Secret-pw" not in store.location
    assert conninfo_to_dict(pg_dsn)["dbname"] in store.location
    assert "Sup3r-Secret-pw" not in masked_dsn(dsn)
    uri = "postgresql://ophamp:Sup3r-Secret-pw@db.example:5433/cases?sslmode=require"
    assert masked_dsn(uri) == "user=ophamp dbname=cases host=db.example port=5433 sslmode=require"


def test_a_server_that_cannot_be_reached_is_a_store_error_naming_it_without_the_password(tmp_path):
    nowhere = make_conninfo(host=str(tmp_path), port=5999, dbname="ophamp_live", user="app", password="Sup3r-Secret")
    with pytest.raises(StoreError) as info:
        PgStore(nowhere, connect_timeout=2)
    message = str(info.value)
    assert "ophamp_live" in message and str(tmp_path) in message and "cannot be reached" in message
    assert "Sup3r-Secret" not in message and "\n" not in message


def test_a_database_that_does_not_exist_says_so(pg_server):
    with pytest.raises(StoreError, match="no such database"):
        PgStore(pg_server.uri_for("ophamp_no_such_db"))


def test_a_dropped_connection_is_replaced_by_the_next_call(pg_dsn, make_case, sergeant):
    """The server ended the connection while it was idle: the next call notices before using it and
    connects again, without an error. (Lost inside a save: tests/test_pg_server_restart.py.)"""
    store = open_store(pg_dsn)
    store.create(make_case(case_id="OH-DROP"))
    with psycopg.connect(pg_dsn, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
            "WHERE application_name = 'ophamp' AND datname = current_database()"
        )
    assert store.load("OH-DROP").rev == 0
    assert store.update("OH-DROP", sergeant, sets={"steps.statement.notes": "x"}).rev == 1


def test_a_damaged_case_is_refused_naming_the_case_never_a_value(pg_dsn, make_case):
    store = open_store(pg_dsn)
    store.create(make_case(case_id="OH-BAD", victim_name="Private Person"))
    store.create(make_case(case_id="OH-GOOD"))
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(
            "UPDATE cases SET doc = jsonb_set(doc, '{incident,occurred_at}', '\"Private Person\"'), summary = NULL "
            "WHERE id = 'OH-BAD'"
        )
    with pytest.raises(StoreError) as info:
        store.load("OH-BAD")
    assert "OH-BAD" in str(info.value) and "Private Person" not in str(info.value)
    again = open_store(pg_dsn)
    assert again.summary("OH-BAD").damaged and "Private Person" not in again.summary("OH-BAD").damaged
    assert not again.summary("OH-GOOD").damaged and len(again) == 2


def test_a_stopped_server_is_a_store_error(make_case):
    """A server of its own (the shared one keeps running), stopped under an open store."""
    server = PgServer(pg_data_dir())
    try:
        store = open_store(server.admin_uri())
        store.create(make_case(case_id="OH-STOP"))
    finally:
        server.stop()
        shutil.rmtree(server.root.parent, ignore_errors=True)
    with pytest.raises(StoreError) as info:
        store.load("OH-STOP")
    assert "postgres" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(StoreError, match="cannot be reached"):
        PgStore(server.admin_uri(), connect_timeout=2)


# --- the rest of the store ----------------------------------------------------------------------------


def test_a_role_that_may_only_read_gets_a_read_only_store(pg_dsn, make_case, sergeant):
    open_store(pg_dsn).create(make_case(case_id="OH-RO"))
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS ophamp_reader")
        conn.execute("CREATE ROLE ophamp_reader LOGIN")
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO ophamp_reader")
    try:
        reader = open_store(make_conninfo(pg_dsn, user="ophamp_reader"))
        assert reader.read_only and reader.notices and "read-only" in reader.notices[0]
        assert reader.load("OH-RO").id == "OH-RO" and len(reader) == 1
        with pytest.raises(StoreError, match="read-only"):
            reader.update("OH-RO", sergeant, sets={"steps.statement.notes": "x"})
        with pytest.raises(StoreError, match="read-only"):
            reader.save_draft("PS 4521", {"kind": "new_case"})
        reader.register_session(sergeant)  # never raises
        reader.close()
    finally:
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ophamp_reader")
            conn.execute("DROP ROLE ophamp_reader")


def test_a_save_is_announced_on_the_ophamp_cases_channel(pg_dsn, make_case, sergeant):
    store = open_store(pg_dsn)
    store.create(make_case(case_id="OH-NOTE"))
    with psycopg.connect(pg_dsn, autocommit=True) as listener:
        listener.execute("LISTEN ophamp_cases")
        store.update("OH-NOTE", sergeant, sets={"steps.statement.notes": "x"})
        heard = [n.payload for n in listener.notifies(timeout=2, stop_after=1)]
    assert heard == ["OH-NOTE"]


def test_other_sessions_are_listed_until_their_connection_goes(pg_dsn, sergeant):
    mine, theirs = open_store(pg_dsn), open_store(pg_dsn)
    theirs.register_session(OTHER, training=False)
    listed = mine.other_sessions()
    assert [(s["name"], s["number"], s["training"]) for s in listed] == [("DC Lee Marsh", "DC 7001", False)]
    assert set(listed[0]) == {"host", "pid", "started", "training", "name", "number"}
    theirs.close()  # as if its process died: its connection is gone
    assert mine.other_sessions() == []


def test_the_list_needs_no_rebuild(pg_dsn, make_case):
    store = open_store(pg_dsn)
    store.create_many([make_case(case_id=f"OH-IX{n}") for n in range(3)])
    calls = []
    assert store.needs_rebuild is False
    store.rebuild(lambda done, total: calls.append((done, total)))
    assert calls == [(0, 0)]
    assert sorted(store.case_ids()) == ["OH-IX0", "OH-IX1", "OH-IX2"]
    assert sorted(s.id for s in store.iter_summaries()) == sorted(s.id for s in store.summaries())
    assert isinstance(store, CaseStore)


def test_database_urls_are_told_from_folders():
    assert is_database_url("postgresql://db/ophamp") and is_database_url("postgres://db/ophamp")
    assert is_database_url("PostgreSQL://db/ophamp")
    assert not is_database_url("/srv/ophamp/store") and not is_database_url("") and not is_database_url(None)


def test_ophamp_seed_fills_a_postgresql_store_and_never_mixes_with_real_cases(pg_dsn, capsys):
    from urllib.parse import quote

    from ophamp_tui.__main__ import main
    from ophamp_tui.data.edits import new_case
    from ophamp_tui.data.models import Incident, Victim

    parts = conninfo_to_dict(pg_dsn)  # as a user types it: a postgresql:// URI
    uri = f"postgresql://{parts['user']}@/{parts['dbname']}?host={quote(str(parts['host']), safe='')}"
    assert main(["seed", "--store", uri, "--cases", "30"]) == 0
    assert "Wrote 30 fictional cases" in capsys.readouterr().out
    store = open_store(pg_dsn)
    assert len(store) == 30 and all(s.fictional for s in store.summaries())
    assert len({s.id for s in store.summaries()}) == 30

    real = new_case(
        victim=Victim(name="PC Alex Morgan", number="PC 7788"),
        incident=Incident(occurred_at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC), location="Custody", offence="aew_s1"),
        by=Actor(name="PS Sam Taylor", number="PS 4521", role="sergeant"),
        now=datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
    )
    store.create(real)
    assert main(["seed", "--store", uri, "--cases", "5", "--seed", "7"]) == 2
    assert "holds 1 real case" in capsys.readouterr().err
    assert len(open_store(pg_dsn)) == 31
