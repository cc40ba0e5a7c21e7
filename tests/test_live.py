"""Live updates: another ophamp's saves show on this screen within a second, without a keypress."""

from __future__ import annotations

import time

from ophamp_tui.data.edits import step_status
from ophamp_tui.data.models import StepStatus
from ophamp_tui.data.store import Store
from ophamp_tui.screens.case import CaseScreen

from .test_case_list_fast import NOW, add_case, line_of
from .ui_helpers import SERGEANT, make_app, screen_text


async def wait_on_screen(pilot, text: str, seconds: float = 3.0) -> str:
    """Pause (no key pressed) until ``text`` is on the screen; the screen as it is then."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        shown = screen_text(pilot)
        if text in shown:
            return shown
        await pilot.pause(0.05)
    raise AssertionError(f"{text!r} not on the screen within {seconds} s:\n{screen_text(pilot)}")


async def test_a_case_logged_elsewhere_appears_in_the_list_without_a_keypress(tmp_path):
    app = make_app(tmp_path, clock=lambda: NOW)
    add_case(app.store, case_id="OH-261120-AAAA", name="PC Alex Morgan", number="7788", days_ago=3)
    other = Store(tmp_path / "store")  # another ophamp, at another desk
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_on_screen(pilot, "Alex Morgan")
        assert "Jo Reed" not in screen_text(pilot)
        add_case(other, case_id="OH-261122-CCCC", name="PCSO Jo Reed", number="2", days_ago=1)
        shown = await wait_on_screen(pilot, "Jo Reed")
        assert "2 cases" in shown
        assert "0/10" in line_of(shown, "Jo Reed")


async def test_the_open_case_follows_a_step_done_elsewhere(tmp_path):
    app = make_app(tmp_path, clock=lambda: NOW)
    add_case(app.store, case_id="OH-261120-AAAA", name="PC Alex Morgan", number="7788", days_ago=3)
    other = Store(tmp_path / "store")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.open_case("OH-261120-AAAA")
        await wait_on_screen(pilot, "0/10 steps")
        assert isinstance(app.screen, CaseScreen)
        edit = step_status("supervisor_aware", StepStatus.DONE, SERGEANT, NOW)
        other.update("OH-261120-AAAA", SERGEANT, sets=edit.sets)
        shown = await wait_on_screen(pilot, "1/10 steps")
        assert "Done" in line_of(shown, "Supervisor aware")
        assert Store(tmp_path / "store").load("OH-261120-AAAA").steps["supervisor_aware"].status is StepStatus.DONE
