"""Smaller journeys: repeat victims, help, the command palette, Escape, saving the moment a field is left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ophamp_tui.data.edits import new_case
from ophamp_tui.data.models import Incident, Victim
from ophamp_tui.screens.case import CaseScreen
from ophamp_tui.screens.help import HelpScreen
from ophamp_tui.screens.home import HomeScreen
from ophamp_tui.screens.new_case import NewCaseScreen

from .ui_helpers import (
    SERGEANT,
    error_of,
    field,
    fixed_clock,
    make_app,
    right4_done,
    screen_text,
    tick,
    toasts,
    type_text,
)

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def add_case(app, *, number="7788", name="PC Alex Morgan", days_ago=30, case_id=None):
    case = new_case(
        victim=Victim(name=name, number=number),
        incident=Incident(occurred_at=NOW - timedelta(days=days_ago), offence="abh_s47", methods=["punch"]),
        by=SERGEANT,
        now=NOW - timedelta(days=days_ago),
        case_id=case_id,
    )
    app.store.create(right4_done(case))
    return case


async def test_repeat_victim_is_flagged_as_soon_as_the_number_is_entered(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    earlier = add_case(app, case_id="OH-261024-AAAA")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await type_text(pilot, "victim.number", "pc 7788")  # typed differently: still the same person
        text = screen_text(pilot)
        assert "Repeat victim: 1 earlier case" in text
        assert earlier.id in text


async def test_home_marks_overdue_and_repeat_cases(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    add_case(app, days_ago=60, case_id="OH-260924-AAAA")
    add_case(app, days_ago=3, case_id="OH-261120-BBBB")  # same victim again; no welfare contact in 24h
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(pilot)
        assert "!R" in text  # overdue and repeat victim, on the newer case
        assert "2 cases · 2 with something overdue" in text


async def test_filter_as_you_type_and_open_with_enter(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    add_case(app, name="PC Alex Morgan", number="1", case_id="OH-261024-AAAA")
    add_case(app, name="PCSO Jo Reed", number="2", case_id="OH-261024-BBBB")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"reed")
        await pilot.pause()
        text = screen_text(pilot)
        assert "PCSO Jo Reed" in text and "PC Alex Morgan" not in text
        assert "1 of 2 cases" in text
        await pilot.press("enter", "enter")  # to the list, then open
        await pilot.pause()
        assert isinstance(pilot.app.screen, CaseScreen)
        assert "OH-261024-BBBB" in screen_text(pilot)


async def test_a_field_is_in_the_store_the_moment_it_is_left(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    case = add_case(app)
    async with app.run_test(size=(80, 24)) as pilot:
        pilot.app.screen.open_case(case.id)
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        await type_text(pilot, "how_are_you", "Shaken; wants to talk tomorrow.")
        # Still on the step, nothing else pressed: another reader of the store already sees it.
        stored = app.store.load(case.id).steps["welfare_contact"]
        assert stored.fields["how_are_you"] == "Shaken; wants to talk tomorrow."
        assert stored.status == "in_progress" and stored.by.number == "4521"
        assert "Status: In progress" in str(pilot.app.screen.query_one("#step-status").render())
        # A half-typed text box is saved when the user goes back.
        field(pilot, "injuries").focus()
        await pilot.pause()
        await pilot.press(*"bruised")
        await pilot.press("escape")
        await pilot.pause()
        assert app.store.load(case.id).steps["welfare_contact"].fields["injuries"] == "bruised"


async def test_not_applicable_needs_a_reason_and_escape_goes_back(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    case = add_case(app)
    async with app.run_test(size=(80, 24)) as pilot:
        pilot.app.screen.open_case(case.id)
        await pilot.pause()
        await pilot.press("3", "f3", "enter")
        await pilot.pause()
        assert "Give a reason" in screen_text(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert app.store.load(case.id).steps["support_handover"].status == "not_started"
        await pilot.press("escape")  # step -> case
        await pilot.pause()
        assert isinstance(pilot.app.screen, CaseScreen)
        await pilot.press("escape")  # case -> home
        await pilot.pause()
        assert isinstance(pilot.app.screen, HomeScreen)


async def test_help_lists_the_keys_of_the_screen(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    case = add_case(app)
    async with app.run_test(size=(80, 24)) as pilot:
        pilot.app.screen.open_case(case.id)
        await pilot.pause()
        await pilot.press("1", "f1")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HelpScreen)
        text = screen_text(pilot)
        assert "Mark this step done" in text and "F2" in text
        assert "Mark not applicable, with a reason" in text
        assert "Move cursor" not in text  # a text box's editing keys are not this screen's keys
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, HelpScreen)


async def test_command_palette_offers_new_case_and_switch_user(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"switch user", "enter")
        await pilot.pause()
        assert "Switch user" in screen_text(pilot)
        await pilot.press("ctrl+u", *"Insp Kay Lowe", "enter", "ctrl+u", *"0099", "enter")
        await pilot.pause()
        assert "Insp Kay Lowe (0099)" in screen_text(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"new case", "enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, NewCaseScreen)
    # The new identity is remembered on this workstation.
    again = make_app(tmp_path, identity=None, clock=fixed_clock(NOW))
    assert again.user.name == "Insp Kay Lowe"


async def test_editing_case_details_is_saved_and_recorded(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    case = add_case(app)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        pilot.app.screen.open_case(case.id)
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        await type_text(pilot, "victim.name", "PC Alex Morgan-Lee")
        await type_text(pilot, "incident.occurred_at", "tomorrow")
        assert "Could not read" in error_of(pilot, "incident.occurred_at")
        await tick(pilot, "hate_crime")
        await pilot.press("escape")  # goes back even with a field not valid, and says so
        await pilot.pause()
        await pilot.pause()
        shown = toasts(pilot)
        assert "Some changes were not saved" in shown and "Not saved (it was not valid): When it happened" in shown
        assert "PC Alex Morgan-Lee" in screen_text(pilot)
        assert "Enhanced rights: hate crime" in screen_text(pilot)
    saved = app.store.load(case.id)
    assert saved.victim.name == "PC Alex Morgan-Lee" and saved.hate_crime is True
    change = next(h for h in saved.history if h.field == "victim.name")
    assert (change.old, change.new, change.by.number) == ("PC Alex Morgan", "PC Alex Morgan-Lee", "4521")
