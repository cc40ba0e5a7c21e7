"""Issue 11 item 1: every dialog fits 80x24 with its buttons in view, and says what Enter does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Button

from ophamp_tui.data.edits import new_case
from ophamp_tui.data.models import Incident, Victim

from .ui_helpers import SERGEANT, fixed_clock, make_app, right4_done, screen_text

NOW = fixed_clock()()


def seeded(tmp_path, identity=SERGEANT):
    app = make_app(tmp_path, identity=identity, clock=fixed_clock(NOW))
    app.store.create(
        right4_done(
            new_case(
                victim=Victim(name="PC Alex Morgan", number="PC 7788"),
                incident=Incident(occurred_at=NOW - timedelta(hours=3)),
                by=SERGEANT,
                now=NOW,
                case_id="OH-DIALOGS",
            )
        )
    )
    return app


def buttons_in_view(pilot) -> list[str]:
    """The label of every button of the dialog on screen; each must be really visible (the widget the
    terminal shows at its middle is the button itself)."""
    screen = pilot.app.screen
    seen = []
    for button in screen.query(Button):
        region = button.region
        assert region.area, f"{button.label} has no room on screen"
        x, y = region.x + region.width // 2, region.y + region.height // 2
        assert 0 <= y < 24 and 0 <= x < 80, f"{button.label} is off the screen at {region}"
        widget, _ = screen.get_widget_at(x, y)
        assert widget is button, f"{button.label} is hidden under {widget}"
        seen.append(str(button.label))
    return seen


async def test_the_first_start_identity_dialog_fits_with_its_buttons(tmp_path):
    app = seeded(tmp_path, identity=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Who is using ophamp?" in screen_text(pilot)
        assert buttons_in_view(pilot) == ["Continue (Enter)", "Quit (Ctrl+Q)"]
        text = screen_text(pilot)
        assert "Enter moves on" in text and "field saves" in text


@pytest.mark.parametrize(
    ("keys", "title"),
    [
        (["u"], "Switch user"),
        (["enter", "1", "f3"], "not applicable?"),
        (["enter", "c"], "Close this case"),
        (["enter", "l"], "Another colleague"),
        (["enter", "7", "ctrl+n"], "Log an update"),
        (["enter", "8", "ctrl+n"], "Log a contact"),
        (["enter", "8", "ctrl+r"], "Add a referral"),
        (["enter", "9", "ctrl+n"], "Suspect status change"),
        (["f12"], "Save a picture"),
    ],
)
async def test_every_dialog_fits_with_its_buttons(tmp_path, keys, title):
    app = seeded(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        assert title in screen_text(pilot)
        assert len(buttons_in_view(pilot)) >= 2


async def test_the_quit_question_fits_with_its_buttons(tmp_path):
    app = seeded(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "1", "tab", "tab", *"31/02/2026 10:00")  # when learned of it: not a date
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert buttons_in_view(pilot) == ["Stay and fix it (Enter)", "Quit anyway"]


async def test_first_start_cancel_button_quits(tmp_path):
    """On first start there is no one to go back to: the identity prompt's cancel button quits."""
    from .ui_helpers import make_app

    app = make_app(tmp_path, identity=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.click("#who-cancel")
        await pilot.pause()
        await pilot.pause()
        assert app._exit, "the app did not quit"
