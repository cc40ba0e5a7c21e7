"""Issue 14, "due from me": what is due from the current user, across every case naming them in any role,
on the home screen first, in its own queue (y), and from `ophamp due --for NUMBER` for a scheduled job."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from ophamp_tui.data.edits import new_case
from ophamp_tui.data.models import Actor, Incident, Victim
from ophamp_tui.data.queues import due_items
from ophamp_tui.data.store import Store
from ophamp_tui.screens.due_queue import DueQueueScreen
from ophamp_tui.screens.home import HomeScreen
from ophamp_tui.screens.step import StepScreen

from .ui_helpers import fixed_clock, make_app, right4_done, screen_text

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Mon 15:00 GMT
SGT = Actor(name="PS Sam Taylor", number="PS 1111", role="sergeant")
INSPECTOR = Actor(name="Insp Ruth Vance", number="Insp 2222", role="inspector")
HOSTILE = "PC [b]Alex[/] O'Brien"


def add_case(store, case_id, hours_ago, *, name="PC Alex Morgan", number="7788", inspector=None, oic=None):
    case = new_case(
        victim=Victim(name=name, number=number),
        incident=Incident(occurred_at=NOW - timedelta(hours=hours_ago), offence="abh_s47", methods=["punch"]),
        by=SGT,
        now=NOW - timedelta(hours=hours_ago),
        case_id=case_id,
    )
    store.create(right4_done(case))
    sets = {}
    if inspector:
        sets |= {"steps.supervisor_aware.fields.inspector_name": "Ruth Vance"}
        sets |= {"steps.supervisor_aware.fields.inspector_number": inspector}
    if oic:
        sets |= {"steps.oic_assigned.fields.oic_name": "DC Lee Park", "steps.oic_assigned.fields.oic_number": oic}
    if sets:
        store.update(case_id, SGT, sets=sets)
    return case


def test_due_items_are_the_time_limits_of_open_cases_naming_the_person(tmp_path):
    store = Store(tmp_path / "s", clock=fixed_clock(NOW))
    add_case(store, "OH-261120-AAAA", 30, inspector="Insp 2222")  # welfare contact was due 6 h ago
    add_case(store, "OH-261123-BBBB", 2, oic="2222")  # due in 22 h; named without a rank: may be them
    add_case(store, "OH-261123-CCCC", 1)  # not naming the inspector at all
    add_case(store, "OH-261123-DDDD", 1, oic="PCSO 2222")  # another rank: another person
    closed = add_case(store, "OH-261123-EEEE", 1, inspector="INSP2222")
    store.update(closed.id, SGT, sets={"closed_reason": "Logged twice"})
    items = due_items(store.summaries(), "insp 2222", NOW)
    assert [(i.case_id, i.what, i.overdue) for i in items] == [
        ("OH-261120-AAAA", "Welfare contact with the victim", True),
        ("OH-261123-BBBB", "Welfare contact with the victim", False),
    ]
    assert items[0].due_at == NOW - timedelta(hours=6) and items[1].due_at == NOW + timedelta(hours=22)
    # The sergeant who logged them all is named on every open one.
    assert {i.case_id for i in due_items(store.summaries(), "PS1111", NOW)} == {
        "OH-261120-AAAA",
        "OH-261123-BBBB",
        "OH-261123-CCCC",
        "OH-261123-DDDD",
    }
    assert due_items(store.summaries(), "PC 9999", NOW) == []


async def test_the_inspector_sees_what_is_due_from_them_first_and_in_its_queue(tmp_path):
    app = make_app(tmp_path, identity=INSPECTOR, clock=fixed_clock(NOW))
    add_case(app.store, "OH-261120-AAAA", 30, name=HOSTILE, inspector="Insp 2222")
    add_case(app.store, "OH-261123-CCCC", 1, name="PCSO Jo Reed")  # not theirs
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = " ".join(line.strip() for line in screen_text(pilot).splitlines())  # the banner wraps
        assert "Due from you: 1 item, 1 overdue" in text
        assert f"Next: Welfare contact with the victim, {HOSTILE}, was due by Mon 23/11/2026 09:00" in text
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, DueQueueScreen)
        text = screen_text(pilot)
        assert "1 time limit on 1 case where you are named, 1 overdue" in text
        assert "OVERDUE" in text and "OH-261120-AAAA" in text and "Jo Reed" not in text
        # A colleague names the inspector on the other case: the queue follows without a keypress.
        other = Store(tmp_path / "store", clock=fixed_clock(NOW))
        other.update("OH-261123-CCCC", SGT, sets={"steps.supervisor_aware.fields.inspector_number": "INSP 2222"})
        for _ in range(40):
            await pilot.pause(0.1)
            if "2 time limits on 2 cases" in screen_text(pilot):
                break
        assert "2 time limits on 2 cases" in screen_text(pilot)
        await pilot.press("enter")  # the most overdue first: its step opens
        await pilot.pause()
        assert isinstance(app.screen, StepScreen) and app.screen.case_id == "OH-261120-AAAA"
        assert app.screen.sdef.key == "welfare_contact"
        for _ in range(3):
            await pilot.press("escape")
            await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "Due from you: 2 items, 1 overdue" in screen_text(pilot)


async def test_nothing_due_shows_no_banner(tmp_path):
    app = make_app(tmp_path, identity=INSPECTOR, clock=fixed_clock(NOW))
    add_case(app.store, "OH-261123-CCCC", 1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Due from you" not in screen_text(pilot)
        await pilot.press("y")
        await pilot.pause()
        assert "Nothing is due from you." in screen_text(pilot)


def run_due(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ophamp_tui", "due", *args], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("backend", ["tinydb", "postgresql"])
def test_ophamp_due_prints_the_same_list_as_text_and_json(tmp_path, backend, request):
    if backend == "postgresql":
        from urllib.parse import quote

        from psycopg.conninfo import conninfo_to_dict

        from ophamp_tui.data.store_pg import PgStore

        dsn = request.getfixturevalue("pg_dsn")
        store = PgStore(dsn)
        parts = conninfo_to_dict(dsn)  # as a user types it: a postgresql:// URI
        target = f"postgresql://{parts['user']}@/{parts['dbname']}?host={quote(str(parts['host']), safe='')}"
        if parts.get("port"):
            target += f"&port={parts['port']}"
    else:
        target = str(tmp_path / "s")
        store = Store(target)
    # Real time here (the command reads the clock): one case overdue, one not yet due.
    now = datetime.now(UTC)
    for case_id, hours in (("OH-261120-AAAA", 30), ("OH-261123-BBBB", 2)):
        case = new_case(
            victim=Victim(name=HOSTILE, number="7788"),
            incident=Incident(occurred_at=now - timedelta(hours=hours), offence="abh_s47", methods=["punch"]),
            by=SGT,
            now=now - timedelta(hours=hours),
            case_id=case_id,
        )
        store.create(right4_done(case))
    store.update("OH-261123-BBBB", SGT, sets={"steps.supervisor_aware.fields.inspector_number": "Insp 2222"})
    got = json.loads(run_due("--store", target, "--for", "insp 2222", "--format", "json").stdout)
    assert got["for"] == "INSP2222" and got["overdue"] == 0
    assert [(i["case"], i["what"], i["overdue"], i["victim"]) for i in got["items"]] == [
        ("OH-261123-BBBB", "Welfare contact with the victim", False, HOSTILE)
    ]
    text = run_due("--store", target, "--for", "PS 1111").stdout
    assert text.startswith("Due from PS1111: 2 items, 1 overdue")
    assert text.index("OH-261120-AAAA") < text.index("OH-261123-BBBB")  # most urgent first
    assert "OVERDUE Welfare contact with the victim" in text
    assert run_due("--store", target, "--for", "PC 9999").stdout == "Nothing is due from PC9999.\n"
    bad = run_due("--store", target, "--for", " - ")
    assert bad.returncode == 2 and "--for needs a collar or staff number" in bad.stderr
    assert "Traceback" not in bad.stderr
