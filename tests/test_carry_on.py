"""Issue 11 items 2 and 6: a new case being typed is kept as a draft (it survives Ctrl+Q, a closed window
and kill -9) and offered back on the next start; and ophamp offers the case and step the user was on."""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime, timedelta

import pytest

from ophamp_tui.data.edits import new_case
from ophamp_tui.data.identity import save_identity
from ophamp_tui.data.models import Incident, Victim
from ophamp_tui.data.store import Store
from ophamp_tui.screens.new_case import NewCaseScreen
from ophamp_tui.screens.step import StepScreen
from ophamp_tui.widgets.fields import dom_id

from .pty_terminal import OPHAMP, Terminal, ophamp_env
from .ui_helpers import SERGEANT, fixed_clock, make_app, right4_done, screen_text, wait_for

NOW = datetime.now(UTC)


def start(tmp_path) -> tuple[list[str], dict[str, str]]:
    env = ophamp_env(tmp_path)
    save_identity(tmp_path / "config", SERGEANT)
    return [*OPHAMP, "--store", str(tmp_path / "store")], env


def type_a_new_case(term: Terminal) -> None:
    term.wait_for("No cases yet")
    term.send("n")
    term.wait_for("New case: an assault on a colleague")
    time.sleep(0.3)
    for keys in ("PC Alex Morgan", "\t", "PC 7788", "\t", "\t", "yesterday 23:10", "\t"):
        term.send(keys, pause=0.2)
    term.wait_for("yesterday 23:10")


@pytest.mark.parametrize("how", ["kill -9", "ctrl+q", "sighup"])
def test_a_new_case_being_typed_survives_and_is_offered_back(tmp_path, how):
    argv, env = start(tmp_path)
    with Terminal(argv, env) as term:
        type_a_new_case(term)
        term.send("Custody, Northgate", pause=0.05)  # typed, not left
        time.sleep(1.5)  # the draft is kept every second while typing
        if how == "kill -9":
            term.signal(signal.SIGKILL)
        elif how == "ctrl+q":
            term.send("\x11")
        else:
            term.signal(signal.SIGHUP)
        term.wait_exit(30)
    assert not list((tmp_path / "store" / "cases").glob("*.json"))  # no case: only a draft
    with Terminal(argv, env) as term:
        term.wait_for("You were logging an assault on PC Alex Morgan at")
        term.send("\r")  # Carry on
        term.wait_for("New case: an assault on a colleague")
        for typed in ("Custody, Northgate", "PC Alex Morgan", "PC 7788"):  # a frame may be drawn in parts
            text = term.wait_for(typed)
        assert "23:10" in text  # the time typed as "yesterday 23:10", kept as the moment it meant


async def test_a_draft_offered_on_start_can_be_thrown_away(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock())
    owner = "4521"
    app.store.save_draft(
        owner,
        {
            "kind": "new_case",
            "saved_at": "2026-11-23T14:50:00+00:00",
            "fields": {"victim.name": "PC [b]Alex[/] Morgan", "victim.number": "PC 7788"},
        },
    )
    async with app.run_test(size=(80, 24)) as pilot:
        text = await wait_for(pilot, "You were logging")
        assert "You were logging an assault on PC [b]Alex[/] Morgan at" in text and "14:50." in text  # literally
        await pilot.press("tab", "enter")  # Discard
        await pilot.pause()
        assert app.store.load_draft(owner) is None
        assert "No cases yet" in screen_text(pilot)


async def test_escape_keeps_the_draft_and_n_carries_on_with_it(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", *"PC Alex Morgan", "tab")
        await pilot.press("escape")
        await pilot.pause()
        assert "Kept as a draft" in " ".join(n.message for n in app._notifications)  # noqa: SLF001
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NewCaseScreen)
        assert app.screen.query_one("#" + dom_id("victim.name")).value == "PC Alex Morgan"
        await pilot.press("f3")  # thrown away
        await pilot.pause()
        assert app.store.load_draft("4521") is None


async def test_ophamp_offers_the_case_and_step_you_were_on(tmp_path):
    clock = fixed_clock()
    app = make_app(tmp_path, clock=clock)
    case = right4_done(
        new_case(
            victim=Victim(name="PC Alex Morgan", number="PC 7788"),
            incident=Incident(occurred_at=clock() - timedelta(hours=2)),
            by=SERGEANT,
            now=clock(),
            case_id="OH-CARRY-ON",
        )
    )
    app.store.create(case)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "2")
        await pilot.pause()
        assert "Step 2 of 10: Welfare contact" in screen_text(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
    again = make_app(tmp_path, clock=clock)
    async with again.run_test(size=(80, 24)) as pilot:
        text = await wait_for(pilot, "Carry on where you left off?")
        assert "Carry on where you left off?" in text and "OH-CARRY-ON" in text and "Welfare contact" in text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(again.screen, StepScreen) and "Step 2 of 10" in screen_text(pilot)
        await pilot.press("escape", "escape")  # back to the list: nowhere to carry on from next time
        await pilot.pause()
        await pilot.press("ctrl+q")
    third = make_app(tmp_path, clock=clock)
    async with third.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Carry on where you left off?" not in screen_text(pilot)
    assert Store(tmp_path / "store").load_draft("4521") is None
