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


@pytest.mark.parametrize("size", [(80, 24), (120, 34)])
async def test_training_list_case_step_and_teaching_points_show_everything(tmp_path, size):
    """Issue 16: as a class sees them projected, at 80x24 and 120x34, nothing is cut off."""
    from .test_trainer import demo_app, settle

    app = demo_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for line in body(screen_text(pilot), 3):
            assert CUT not in line, line
        for case_id in ("OH-TRAIN-SPIT", "OH-TRAIN-PCSO", "OH-TRAIN-PUNCH", "OH-TRAIN-SICK"):
            if app.store.summary(case_id) is None:
                continue
            app.screen.open_case(case_id)
            await settle(pilot)
            for line in body(screen_text(pilot), 1):
                assert CUT not in line, (case_id, line)
            await pilot.press("t")
            await settle(pilot)
            text = screen_text(pilot)
            assert "Teaching points:" in text
            for line in body(text, 1):
                assert CUT not in line, (case_id, line)
            await pilot.press("escape", "9")  # a step with its guidance
            await settle(pilot)
            if size[0] >= 70:
                assert app.screen.query_one("#guidance").display
            for line in body(screen_text(pilot), 1):
                assert CUT not in line, (case_id, line)
            await pilot.press("escape", "escape")
            await settle(pilot)
