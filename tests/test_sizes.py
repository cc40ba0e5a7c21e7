"""Every screen at sizes from 20x5 to 200x60 and through a resize sequence: no crash, and a clear
'terminal too small' message where it cannot fit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ophamp_tui.data.seed import fictional_cases
from ophamp_tui.data.store import Store
from ophamp_tui.screens.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen

from .ui_helpers import fixed_clock, make_app, screen_text

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
SIZES = [(20, 5), (40, 10), (49, 12), (50, 12), (60, 16), (80, 24), (100, 30), (132, 43), (200, 60)]
# How to reach each screen from the case list.
ROUTES = {
    "home": [],
    "new case": ["n"],
    "overdue": ["o"],
    "review": ["r"],
    "case": ["open"],
    "step": ["open", "2"],
    "step with a log": ["open", "7"],
    "details": ["open", "e"],
    "history": ["open", "h"],
    "expect": ["open", "v"],
    "help": ["open", "1", "f1"],
    "log entry": ["open", "7", "ctrl+n"],
}


def app_with_cases(tmp_path):
    store = Store(tmp_path / "store", clock=fixed_clock(NOW))
    store.create_many(fictional_cases(15, seed=11, now=NOW))
    return make_app(tmp_path, clock=fixed_clock(NOW))


async def go(pilot, route: list[str]) -> None:
    for key in route:
        if key == "open":
            pilot.app.screen.open_case(sorted(s.id for s in pilot.app.store.summaries())[0])
        else:
            await pilot.press(key)
        await pilot.pause()


@pytest.mark.parametrize("name", list(ROUTES))
async def test_every_screen_at_every_size(tmp_path, name):
    app = app_with_cases(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await go(pilot, ROUTES[name])
        under = type(pilot.app.screen)
        for width, height in SIZES + list(reversed(SIZES)):
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            small = width < MIN_WIDTH or height < MIN_HEIGHT
            assert isinstance(pilot.app.screen, TooSmallScreen) is small, (name, width, height)
            text = screen_text(pilot)
            if small:
                assert "Terminal too small" in text
            else:
                assert type(pilot.app.screen) is under
        assert pilot.app.is_running
