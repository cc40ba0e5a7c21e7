"""A training scenario in demo mode with the guidance panel open, as a class would see it projected."""

from __future__ import annotations

from datetime import UTC, datetime

from ophamp_tui.app import OpHampApp
from ophamp_tui.data.scenarios import install_training

from .ui_helpers import SERGEANT, fixed_clock

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def demo_app(tmp_path) -> OpHampApp:
    from ophamp_tui.data.identity import save_identity

    save_identity(tmp_path / "config", SERGEANT)
    store = install_training(tmp_path / "training", NOW, clock=fixed_clock(NOW))
    return OpHampApp(store, config_dir=tmp_path / "config", clock=fixed_clock(NOW), training=True)


def test_pcso_hate_crime_scenario_outcome_step_with_guidance(snap_compare, tmp_path):
    async def open_outcome(pilot):
        pilot.app.screen.open_case("OH-TRAIN-PCSO")
        await pilot.pause()
        await pilot.press("9")  # the outcome: NFA and the Victims' Right to Review
        await pilot.pause()
        assert pilot.app.screen.query_one("#guidance").display

    assert snap_compare(demo_app(tmp_path), terminal_size=(80, 24), run_before=open_outcome)


def test_spitting_scenario_overview_in_demo(snap_compare, tmp_path):
    async def open_case(pilot):
        pilot.app.screen.open_case("OH-TRAIN-SPIT")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=(80, 24), run_before=open_case)


# Issue 16: at 120x34 (a projector, a browser) the list, the case, a step with guidance and the teaching
# points use the width they have and nothing is cut.


def test_training_list_at_120x34(snap_compare, tmp_path):
    assert snap_compare(demo_app(tmp_path), terminal_size=(120, 34))


def test_pcso_case_at_120x34(snap_compare, tmp_path):
    async def open_case(pilot):
        pilot.app.screen.open_case("OH-TRAIN-PCSO")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=(120, 34), run_before=open_case)


def test_pcso_outcome_step_with_guidance_at_120x34(snap_compare, tmp_path):
    async def open_outcome(pilot):
        pilot.app.screen.open_case("OH-TRAIN-PCSO")
        await pilot.pause()
        await pilot.press("9")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=(120, 34), run_before=open_outcome)


def test_spitting_teaching_points_at_80x24_and_120x34(snap_compare, tmp_path):
    async def open_teaching(pilot):
        pilot.app.screen.open_case("OH-TRAIN-SPIT")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path / "a"), terminal_size=(80, 24), run_before=open_teaching)
    assert snap_compare(demo_app(tmp_path / "b"), terminal_size=(120, 34), run_before=open_teaching)
