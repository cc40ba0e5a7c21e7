"""Issue 14: two real ``ophamp`` processes, each on its own terminal, on the same store (PostgreSQL and
TinyDB), editing the same case: nothing lost, the other screen follows live, a same-field clash told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from psycopg.conninfo import conninfo_to_dict

from ophamp_tui.data.edits import new_case
from ophamp_tui.data.identity import save_identity
from ophamp_tui.data.models import Actor, Incident, Victim
from ophamp_tui.data.store import Store

from .pty_terminal import OPHAMP, Terminal, ophamp_env

SGT = Actor(name="PS Sam Taylor", number="PS 1111", role="sergeant")
INSPECTOR = Actor(name="Insp Ruth Vance", number="Insp 2222", role="inspector")
CASE = "OH-261203-AAAA"
TAB, ENTER = "\t", "\r"


def open_target(backend: str, tmp_path, request):
    """(what ``--store`` is given, a store object on the same store)."""
    if backend == "tinydb":
        return str(tmp_path / "store"), Store(tmp_path / "store")
    from ophamp_tui.data.store_pg import PgStore

    dsn = request.getfixturevalue("pg_dsn")
    parts = conninfo_to_dict(dsn)
    uri = f"postgresql://{parts['user']}@/{parts['dbname']}?host={quote(str(parts['host']), safe='')}"
    if parts.get("port"):
        uri += f"&port={parts['port']}"
    return uri, PgStore(dsn)


def step1(store):
    return store.load(CASE).steps["supervisor_aware"].fields


@pytest.mark.parametrize("backend", ["postgresql", "tinydb"])
def test_two_ophamps_on_one_case(backend, tmp_path, request):
    target, store = open_target(backend, tmp_path, request)
    now = datetime.now(UTC)
    case = new_case(
        victim=Victim(name="PC Alex Morgan", number="PC 7788"),
        incident=Incident(occurred_at=now - timedelta(hours=2), offence="abh_s47", methods=["punch"]),
        by=SGT,
        now=now - timedelta(hours=2),
        case_id=CASE,
    )
    store.create(case)
    envs = []
    for name, who in (("a", SGT), ("b", INSPECTOR)):
        env = ophamp_env(tmp_path / name)
        save_identity(tmp_path / name / "config", who)
        envs.append(env)
    with (
        Terminal([*OPHAMP, "--store", target], envs[0]) as sgt,
        Terminal([*OPHAMP, "--store", target], envs[1]) as insp,
    ):
        for term in (sgt, insp):
            term.wait_for("Alex Morgan")
            term.send(ENTER)
            term.wait_for("Senior manager review")
            term.send("1")
            term.wait_for("Step 1 of 10")
            term.settle()
        # The sergeant records the CAD reference (the 4th field) and moves on: saved, and the inspector's
        # form shows it without a keypress.
        sgt.send(TAB * 3)
        sgt.send("CAD 11/03DEC")
        sgt.send(TAB)
        insp.wait_for("CAD 11/03DEC", timeout=10)
        assert "CAD 11/03DEC" in store.load(CASE).model_dump_json()
        # The inspector ticks "inspector told" (another field of the same step): both changes are kept, and
        # the sergeant's screen follows.
        insp.send(TAB * 4)
        insp.send(" ")
        insp.send(TAB)
        sgt.wait_for("▐X▌ Inspector", timeout=10)
        fields = step1(store)
        assert fields["inspector_told"] is True and "CAD 11/03DEC" in store.load(CASE).model_dump_json()
        # Both type the inspector's name into the same field; the inspector leaves it first. The sergeant's
        # is refused and told, never written over the inspector's.
        sgt.send(TAB)  # from the tick box to the inspector's name
        sgt.send("Ruth Vance")
        insp.send("R. Vance")
        insp.send(TAB)
        for _ in range(50):
            if step1(store).get("inspector_name") == "R. Vance":
                break
            insp.settle(quiet=0.1)
        assert step1(store).get("inspector_name") == "R. Vance"
        sgt.send(TAB)
        shown = sgt.wait_for("Changed by someone else", timeout=10)
        assert "Insp Ruth Vance (Insp 2222) changed" in shown and "Your change was not" in shown
        assert "entered: Ruth Vance" in shown  # what the sergeant typed is shown back, not lost
        assert "R. Vance" in shown  # and the inspector's name as it is now
        assert step1(store).get("inspector_name") == "R. Vance"
        history = store.load(CASE).history
        assert [h for h in history if "Ruth Vance" in str(h.new)] == []  # the sergeant's never landed
        for term in (sgt, insp):
            term.send("\x11")  # Ctrl+Q
        for term in (sgt, insp):
            term.wait_exit(20)
