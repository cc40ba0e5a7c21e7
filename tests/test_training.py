"""Trainer mode: its own store, an unmistakable banner, guidance for every step, the victim leaflet, pictures."""

from __future__ import annotations

import stat
from datetime import UTC, datetime

import pytest

from ophamp_tui import __main__ as cli
from ophamp_tui.app import OpHampApp
from ophamp_tui.data.checklist import STEPS
from ophamp_tui.data.seed import fictional_cases
from ophamp_tui.data.store import Store

from .ui_helpers import fixed_clock, make_app, screen_text, toasts

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
BANNER = OpHampApp.TRAINING_BANNER


def seeded(tmp_path, *, training: bool) -> OpHampApp:
    store = Store(tmp_path / "store", clock=fixed_clock(NOW))
    store.create_many(fictional_cases(12, seed=3, now=NOW))
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    app.training = training
    if training:
        app.title = f"{BANNER} · Op Hampshire"
    return app


async def visit_every_screen(pilot) -> list[str]:
    """Go through each screen a user can reach and return the header line of each."""
    headers: list[str] = []

    async def look(*keys: str) -> None:
        await pilot.press(*keys)
        await pilot.pause()
        headers.append(screen_text(pilot).splitlines()[0])

    await look()  # home
    await look("n")  # new case
    await look("escape", "o")  # overdue queue
    await look("escape", "r")  # review queue
    await look("escape")
    case_id = sorted(s.id for s in pilot.app.store.summaries())[0]
    pilot.app.screen.open_case(case_id)
    await look()  # case
    await look("1")  # step form
    await look("f1")  # help over the step
    await look("escape", "escape", "e")  # case details
    await look("escape", "h")  # history
    await look("escape", "v")  # what the victim can expect
    await look("escape", "c")  # close early (a dialog)
    await look("escape", "u")  # switch user
    return headers


@pytest.mark.parametrize("training", [True, False])
async def test_banner_on_every_screen_in_training_and_none_live(tmp_path, training):
    app = seeded(tmp_path, training=training)
    async with app.run_test(size=(80, 24)) as pilot:
        headers = await visit_every_screen(pilot)
    assert len(headers) == 13
    for header in headers:
        assert (BANNER in header) is training, header


def test_every_step_has_guidance_for_the_classroom():
    for sdef in STEPS:
        assert len(sdef.why) > 80 and len(sdef.expect) > 20, sdef.key


async def test_guidance_panel_toggles_with_f4(tmp_path):
    app = seeded(tmp_path, training=True)
    async with app.run_test(size=(80, 24)) as pilot:
        pilot.app.screen.open_case(sorted(s.id for s in app.store.summaries())[0])
        await pilot.press("4")
        await pilot.pause()
        assert "Why this matters" in screen_text(pilot)
        await pilot.press("f4")
        await pilot.pause()
        assert "Why this matters" not in screen_text(pilot)
        await pilot.press("f4")
        await pilot.pause()
        assert "Why this matters" in screen_text(pilot)


async def test_what_to_expect_is_shown_and_exported_as_text(tmp_path):
    app = seeded(tmp_path, training=True)
    case_id = sorted(s.id for s in app.store.summaries())[0]
    victim = app.store.load(case_id).victim.name
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        pilot.app.screen.open_case(case_id)
        await pilot.press("v")
        await pilot.pause()
        text = screen_text(pilot)
        assert "WHAT YOU CAN EXPECT" in text and victim in text
        assert "A local supervisor knows you have been assaulted." in text
        screen = pilot.app.screen
        await pilot.press("x")  # training asks for no folder: it writes into its own
        await pilot.pause()
        assert pilot.app.screen is screen
        assert "Saved" in toasts(pilot)
    folder = app.training_output
    assert folder is not None and tmp_path in folder.parents
    exported = folder / f"what-to-expect-{case_id}.txt"
    body = exported.read_text(encoding="utf-8")
    assert victim in body and "10. Local senior managers review your case" in body
    assert body.startswith("TRAINING - FICTIONAL CASE, NOT A REAL VICTIM")  # a handout never passes for real
    assert stat.S_IMODE(exported.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


async def test_screenshot_in_training_goes_into_its_own_folder(tmp_path):
    app = seeded(tmp_path, training=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f12")  # no question: training has its own folder
        await pilot.pause()
        await pilot.pause()
    folder = app.training_output
    [svg] = list(folder.glob("*.svg"))
    assert BANNER in svg.read_text(encoding="utf-8").replace("&#160;", " ")
    assert stat.S_IMODE(svg.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_demo_uses_its_own_store_whatever_store_or_env_say(tmp_path, monkeypatch):
    live = tmp_path / "live"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("OPHAMP_STORE", str(live))
    opened: list[OpHampApp] = []
    monkeypatch.setattr(OpHampApp, "run", lambda self: opened.append(self))
    assert cli.main(["--store", str(live), "demo"]) == 0
    [app] = opened
    assert app.training is True
    assert not live.exists()  # the live store was never created, let alone written
    assert (tmp_path / "data") in app.store.root.parents
    assert len(app.store) >= 4  # the scenarios


async def test_teaching_points_for_a_scenario_in_training_only(tmp_path):
    from ophamp_tui.data.identity import save_identity
    from ophamp_tui.data.scenarios import install_training

    from .ui_helpers import SERGEANT

    save_identity(tmp_path / "config", SERGEANT)
    store = install_training(tmp_path / "training", NOW, clock=fixed_clock(NOW))
    app = OpHampApp(store, config_dir=tmp_path / "config", clock=fixed_clock(NOW), training=True)
    async with app.run_test(size=(80, 24)) as pilot:
        pilot.app.screen.open_case("OH-TRAIN-PCSO")
        await pilot.pause()
        assert "t Teaching" in screen_text(pilot)
        await pilot.press("t")
        await pilot.pause()
        text = screen_text(pilot)
        assert "Teaching points: Hate-crime assault on a PCSO" in text
    live = seeded(tmp_path / "live", training=False)
    async with live.run_test(size=(80, 24)) as pilot:
        pilot.app.screen.open_case(sorted(s.id for s in live.store.summaries())[0])
        await pilot.pause()
        assert "Teaching" not in screen_text(pilot)


async def test_a_case_logged_in_training_has_a_training_reference(tmp_path):
    """(Live references are OH-<date>-..., checked by the new-case walk in test_walk.py.)"""
    from .ui_helpers import choose, pick_many, type_text

    app = make_app(tmp_path, clock=fixed_clock(NOW))
    app.training = True
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await type_text(pilot, "victim.name", "PC Alex Morgan")
        await type_text(pilot, "victim.number", "PC 7788")
        await type_text(pilot, "incident.occurred_at", "today 09:30")
        await pick_many(pilot, "incident.methods", ["spit"])
        await choose(pilot, "incident.injury", "None")
        await choose(pilot, "incident.medical", "None")
        await pilot.press("ctrl+s")
        await pilot.pause()
        ids = app.store.case_ids()
    assert len(ids) == 1 and ids[0].startswith("OH-TRAIN-"), ids
