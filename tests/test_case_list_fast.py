"""Issue 13: the case list kept in step case by case (not rebuilt on every return or keystroke) still
shows what the store holds: other ophamps' saves, quick typing, the overdue count, repeat victims."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from textual import events
from textual.widgets import DataTable

from ophamp_tui.data.caselist import matches, repeat_ids, rows
from ophamp_tui.data.edits import closed_early, new_case, step_status
from ophamp_tui.data.models import Incident, StepStatus, Victim
from ophamp_tui.data.seed import fictional_cases
from ophamp_tui.data.store import Store
from ophamp_tui.screens.case import CaseScreen
from ophamp_tui.screens.home import HomeScreen

from .ui_helpers import SERGEANT, make_app, right4_done, screen_text

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def add_case(store, *, case_id: str, name: str, number: str, days_ago: float):
    case = new_case(
        victim=Victim(name=name, number=number),
        incident=Incident(occurred_at=NOW - timedelta(days=days_ago), offence="abh_s47", methods=["punch"]),
        by=SERGEANT,
        now=NOW - timedelta(days=days_ago),
        case_id=case_id,
    )
    store.create(right4_done(case))
    return case


def line_of(text: str, words: str) -> str:
    """The case list's row holding ``words`` (not the "Due from you" lines above the list)."""
    return next(
        line for line in text.splitlines() if words in line and "Due from you" not in line and "y: see" not in line
    )


async def until(pilot, check, tries: int = 100) -> None:
    """Pause until ``check()`` holds (the list reads other ophamps' saves in the background)."""
    for _ in range(tries):
        if check():
            return
        await pilot.pause(0.02)
    assert check()


def table_rows(pilot) -> list[str]:
    table = pilot.app.screen.query_one("#cases", DataTable)
    return [str(key.value) for key in table.rows]


async def test_a_case_changed_by_another_ophamp_shows_its_new_progress_after_coming_back(tmp_path):
    app = make_app(tmp_path, clock=lambda: NOW)
    add_case(app.store, case_id="OH-261120-AAAA", name="PC Alex Morgan", number="7788", days_ago=3)
    add_case(app.store, case_id="OH-261121-BBBB", name="PCSO Jo Reed", number="2", days_ago=2)
    other = Store(tmp_path / "store")  # another ophamp on the same store
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "0/10" in line_of(screen_text(pilot), "Jo Reed")
        await pilot.press("enter")  # the case at the top
        await pilot.pause()
        assert isinstance(app.screen, CaseScreen)
        opened = app.screen.case_id
        untouched = "OH-261121-BBBB" if opened == "OH-261120-AAAA" else "OH-261120-AAAA"
        # Meanwhile the other ophamp finishes step 1 of both cases.
        for case_id in (opened, untouched):
            edit = step_status("supervisor_aware", StepStatus.DONE, SERGEANT, NOW)
            other.update(case_id, SERGEANT, sets=edit.sets)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await until(pilot, lambda: screen_text(pilot).count("1/10") == 2)
        text = screen_text(pilot)
        assert "1/10" in line_of(text, "Jo Reed") and "1/10" in line_of(text, "Alex Morgan")
        assert "0/10" not in text
    assert app.store.summary(opened).done == 1 and app.store.summary(untouched).done == 1


async def test_typing_quickly_filters_to_the_right_rows(tmp_path):
    app = make_app(tmp_path, clock=lambda: NOW)
    app.store.create_many(fictional_cases(120, seed=5, now=NOW))
    everything = rows(app.store.summaries(), NOW)
    query = everything[7].victim.split()[-1].lower()[:4] + " " + everything[7].offence.split()[0].lower()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        for ch in query:  # sent at once, without waiting for the screen between keys
            event = events.Key("space" if ch == " " else ch, ch)
            event.set_sender(app)
            app._driver.send_message(event)  # noqa: SLF001
        await asyncio.sleep(0)
        await pilot.pause()
        await pilot.pause()
        want = [r for r in everything if matches(r, query)]
        assert want and len(want) < len(everything)
        assert table_rows(pilot) == [r.id for r in want]
        text = screen_text(pilot)
        assert f"{len(want)} of 120 cases" in text
        assert everything[7].victim in text
        # Deleting back to the first letter widens the list again.
        await pilot.press(*["backspace"] * (len(query) - 1))
        await pilot.pause()
        assert table_rows(pilot) == [r.id for r in everything if matches(r, query[0])]


async def test_the_overdue_count_stays_right_after_a_change_and_as_time_passes(tmp_path):
    now = [NOW]
    app = make_app(tmp_path, clock=lambda: now[0])
    late = add_case(app.store, case_id="OH-261120-AAAA", name="PC Alex Morgan", number="7788", days_ago=3)
    soon = add_case(app.store, case_id="OH-261123-BBBB", name="PCSO Jo Reed", number="2", days_ago=0.5)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(pilot)
        assert "1 with something overdue" in text and "1 overdue" in text
        assert app.overdue == 1
        app.screen.open_case(late.id)
        await pilot.pause()
        # Closed early in this ophamp: nothing of it is overdue any more.
        edit = closed_early("Transferred to another force", NOW)
        app.store.update(late.id, SERGEANT, sets=edit.sets, expect=edit.expect)
        await pilot.press("escape")
        await pilot.pause()
        text = screen_text(pilot)
        assert "with something overdue" not in text and "overdue ·" not in text
        assert app.overdue == 0
        assert "Closed early" in line_of(text, "Alex Morgan")
        # A day later the other case's welfare contact (due within 24 hours) has passed its time.
        app.screen.open_case(soon.id)
        await pilot.pause()
        now[0] = NOW + timedelta(days=1)
        await pilot.press("escape")
        await pilot.pause()
        text = screen_text(pilot)
        assert "1 with something overdue" in text
        assert line_of(text, "Jo Reed").lstrip().startswith("!")
        assert app.overdue == len(app.store.summary(soon.id).overdue(now[0])) >= 1


async def test_repeat_victim_flags_match_repeat_ids_and_follow_a_changed_number(tmp_path):
    app = make_app(tmp_path, clock=lambda: NOW)
    first = add_case(app.store, case_id="OH-261001-AAAA", name="PC Alex Morgan", number="PC 7788", days_ago=50)
    again = add_case(app.store, case_id="OH-261101-BBBB", name="PC Alex Morgan", number="pc7788", days_ago=20)
    other = add_case(app.store, case_id="OH-261115-CCCC", name="PCSO Jo Reed", number="PCSO 2", days_ago=8)

    def flagged(pilot) -> set[str]:
        table = pilot.app.screen.query_one("#cases", DataTable)
        return {str(key.value) for key in table.rows if "R" in table.get_row(key)[0].plain}

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert flagged(pilot) == repeat_ids(app.store.summaries()) == {again.id}
        text = screen_text(pilot)  # what the user reads: R on the later case of that victim only
        assert "R" in line_of(text, "03/11/26").split("PC Alex")[0]
        assert "R" not in line_of(text, "04/10/26").split("PC Alex")[0]
        # Jo Reed's case turns out to be Alex Morgan's: entered later, it is a repeat too.
        app.screen.open_case(other.id)
        await pilot.pause()
        app.store.update(other.id, SERGEANT, sets={"victim.number": "PC 7788", "victim.name": "PC Alex Morgan"})
        await pilot.press("escape")
        await pilot.pause()
        assert flagged(pilot) == repeat_ids(app.store.summaries()) == {again.id, other.id}
        # And the first case's number was wrong: the second is now the first of that victim's.
        app.screen.open_case(first.id)
        await pilot.pause()
        app.store.update(first.id, SERGEANT, sets={"victim.number": "PC 1"})
        await pilot.press("escape")
        await pilot.pause()
        assert flagged(pilot) == repeat_ids(app.store.summaries()) == {other.id}
        app.screen.open_case(other.id)
        await pilot.pause()
        assert f"REPEAT VICTIM: earlier {again.id}" in screen_text(pilot)
