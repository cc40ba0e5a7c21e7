"""Issue 11 item 4: nothing a sergeant needs is cut off at 80 columns on the case list, the queues and the
case (seeded stores with every offence, step, clock and status)."""

from __future__ import annotations

import pytest

from ophamp_tui.data.seed import fictional_cases

from .ui_helpers import fixed_clock, make_app, screen_text

CUT = "…"


def body(text: str, skip_top: int, skip_bottom: int = 1) -> list[str]:
    lines = text.splitlines()
    return lines[skip_top : len(lines) - skip_bottom]


@pytest.mark.parametrize("seed", [1, 3, 8])
async def test_list_queues_and_case_show_everything_at_80_columns(tmp_path, seed):
    clock = fixed_clock()
    app = make_app(tmp_path, clock=clock)
    app.store.create_many(fictional_cases(60, seed=seed, now=clock()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for line in body(screen_text(pilot), 3):  # below the filter box (whose hint ends in "…")
            assert CUT not in line, line
        await pilot.press("o")
        await pilot.pause()
        shown = body(screen_text(pilot), 3)
        assert any("Right 4" in line or "Routine update" in line for line in shown)
        for line in shown:
            assert CUT not in line, line
        await pilot.press("escape", "r")
        await pilot.pause()
        for line in body(screen_text(pilot), 3):
            assert CUT not in line, line
        await pilot.press("escape")
        for _row in range(8):  # several cases, each at a different point of its story
            await pilot.press("enter")
            await pilot.pause()
            text = screen_text(pilot)
            assert "Step" in text and "By / when" in text
            for line in body(text, 1):
                assert CUT not in line, line
            await pilot.press("escape", "down")
            await pilot.pause()
