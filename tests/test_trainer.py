"""Issue 16 items 4 and 6: the trainer's controls inside the app, and pictures from every screen."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime

import pytest

from ophamp_tui.app import OpHampApp
from ophamp_tui.data.identity import save_identity
from ophamp_tui.data.scenarios import install_training
from ophamp_tui.pictures import png_converter

from .ui_helpers import SERGEANT, fixed_clock, make_app, screen_text

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def demo_app(tmp_path, *, identity=True) -> OpHampApp:
    if identity:
        save_identity(tmp_path / "config", SERGEANT)
    store = install_training(tmp_path / "training", NOW, clock=fixed_clock(NOW))
    return OpHampApp(store, config_dir=tmp_path / "config", clock=fixed_clock(NOW), training=True)


async def settle(pilot, times: int = 3) -> None:
    for _ in range(times):
        await pilot.pause()


async def wait_for(pilot, check, tries: int = 100) -> None:
    for _ in range(tries):
        if check():
            return
        await pilot.pause(0.05)
    assert check()


async def open_teaching(pilot) -> None:
    pilot.app.screen.open_case("OH-TRAIN-SPIT")
    await pilot.pause()
    await pilot.press("t")
    await pilot.pause()


async def open_help(pilot) -> None:
    await pilot.press("f1")
    await pilot.pause()


async def first_start(pilot) -> None:
    await pilot.pause()


@pytest.mark.parametrize(
    ("opener", "screen_name", "identity"),
    [(open_teaching, "TeachingScreen", True), (open_help, "HelpScreen", True), (first_start, "IdentityScreen", False)],
)
async def test_f12_and_ctrl_q_work_on_every_dialog(tmp_path, opener, screen_name, identity):
    app = demo_app(tmp_path, identity=identity)
    async with app.run_test(size=(80, 24)) as pilot:
        await opener(pilot)
        assert type(app.screen).__name__ == screen_name
        await pilot.press("f12")
        folder = app.training_output
        await wait_for(pilot, lambda: any(folder.glob("*.svg")))
        [svg] = list(folder.glob("*.svg"))
        assert OpHampApp.TRAINING_BANNER in svg.read_text(encoding="utf-8").replace("&#160;", " ")
        assert "—" not in svg.name and "·" not in svg.name and svg.name.isascii()
        if png_converter():
            await wait_for(pilot, lambda: svg.with_suffix(".png").exists())
            png = svg.with_suffix(".png")
            assert png.read_bytes().startswith(b"\x89PNG")
            assert stat.S_IMODE(png.stat().st_mode) == 0o600
        assert type(app.screen).__name__ == screen_name  # the picture did not close the dialog
        await pilot.press("ctrl+q")
        await settle(pilot)
    assert app.return_code == 0 and not app.is_running


async def test_palette_has_one_screenshot(tmp_path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"screensh")
        await settle(pilot, 5)
        assert screen_text(pilot).count("Screenshot") == 1


async def test_live_screenshot_asks_for_a_folder_once_and_saves_svg_and_png(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    folder = tmp_path / "pictures"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f12")
        await pilot.pause()
        assert "Save a picture of this screen" in screen_text(pilot)
        await pilot.press("ctrl+u", "ctrl+k", *str(folder), "enter")
        await wait_for(pilot, lambda: any(folder.glob("*.svg")))
        if png_converter():
            await wait_for(pilot, lambda: any(folder.glob("*.png")))
        [svg] = list(folder.glob("*.svg"))
        assert "Save a picture" not in svg.read_text(encoding="utf-8").replace("&#160;", " ")


async def palette(pilot, command: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*command)
    await wait_for(pilot, lambda: screen_text(pilot).count(command) >= 2)  # typed, and found
    await pilot.press("enter")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ != "CommandPalette")
    await settle(pilot)


async def test_scenario_picker_opens_a_scenario_by_title(tmp_path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await palette(pilot, "Open scenario")
        text = screen_text(pilot)
        assert "Open a training scenario" in text
        assert "Hate-crime assault on a PCSO" in text
        await pilot.press("down", "down", "enter")  # the third, by title
        await settle(pilot)
        assert app.screen.case_id == "OH-TRAIN-PCSO"
        assert "OH-TRAIN-PCSO" in screen_text(pilot)


async def test_palette_has_no_trainer_commands_live(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    async with app.run_test(size=(80, 24)):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Open scenario" not in titles and "Reset all scenarios" not in titles


async def test_reset_this_scenario_warns_others_and_keeps_other_cases(tmp_path):
    app = demo_app(tmp_path)
    # A learner's ophamp on another computer has the same store open.
    sessions = tmp_path / "training" / "sessions"
    sessions.mkdir(mode=0o700)
    record = {"host": "classroom-pc-7", "pid": 4242, "started": "2026-11-23T14:00:00Z", "training": True}
    (sessions / "classroom-pc-7-4242.json").write_text(json.dumps(record | {"name": "PC Lee Learner", "number": "999"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        store = app.store
        pcso_before = store.load("OH-TRAIN-PCSO")
        spit = store.load("OH-TRAIN-SPIT")
        changed = store.update("OH-TRAIN-SPIT", SERGEANT, sets={"closed_reason": "class closed it"})
        store.update("OH-TRAIN-PCSO", SERGEANT, sets={"closed_reason": "another group"})
        assert changed.rev == spit.rev + 1
        app.screen.open_case("OH-TRAIN-SPIT")
        await pilot.pause()
        await palette(pilot, "Reset this scenario")
        text = screen_text(pilot)
        assert "Spitting in custody" in text and "PC Lee Learner" in text  # who else has it open
        await pilot.press("tab", "enter")  # past "Keep it" (the default) to "Reset it"
        await settle(pilot, 5)
        assert store.load("OH-TRAIN-SPIT").closed_reason == ""
        assert store.load("OH-TRAIN-SPIT").rev == spit.rev
        assert store.load("OH-TRAIN-PCSO").closed_reason == "another group"  # untouched
        assert store.load("OH-TRAIN-PCSO").rev == pcso_before.rev + 1
        assert app.screen.case_id == "OH-TRAIN-SPIT"  # back on it, as it was


async def test_reset_all_from_the_palette(tmp_path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        store = app.store
        store.update("OH-TRAIN-PCSO", SERGEANT, sets={"closed_reason": "another group"})
        await palette(pilot, "Reset all scenarios")
        assert "Put every scenario back" in screen_text(pilot)
        await pilot.press("escape")  # changed their mind: nothing happens
        await settle(pilot)
        assert store.load("OH-TRAIN-PCSO").closed_reason == "another group"
        await palette(pilot, "Reset all scenarios")
        await pilot.press("tab", "enter")
        await settle(pilot, 5)
        assert store.load("OH-TRAIN-PCSO").closed_reason == ""
        assert "scenarios are back as they were" in str([n.message for n in app._notifications])  # noqa: SLF001


async def test_learner_mode_hides_answers_until_revealed(tmp_path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 34)) as pilot:
        await pilot.pause()
        app.screen.open_case("OH-TRAIN-SICK")  # its weekly welfare call is overdue, whatever the day
        await pilot.pause()
        shown = screen_text(pilot)
        assert "▶" in shown and "OVERDUE" in shown
        await palette(pilot, "Learner mode")
        hidden = screen_text(pilot)
        assert "▶" not in hidden and "OVERDUE" not in hidden and "Learner mode" in hidden
        await pilot.press("1")
        await settle(pilot)
        assert not app.screen.query_one("#guidance").display
        assert "What the victim can expect" not in screen_text(pilot)
        await pilot.press("ctrl+o")  # the trainer reveals
        await settle(pilot)
        assert app.screen.query_one("#guidance").display
        assert "What the victim can expect" in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert "▶" in screen_text(pilot) and "OVERDUE" in screen_text(pilot)


async def test_guidance_hidden_with_f4_stays_hidden_across_f8_and_f9(tmp_path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 34)) as pilot:
        await pilot.pause()
        app.screen.open_case("OH-TRAIN-SPIT")
        await pilot.pause()
        await pilot.press("2")
        await settle(pilot)
        assert app.screen.query_one("#guidance").display
        await pilot.press("f4")
        await pilot.pause()
        assert not app.screen.query_one("#guidance").display
        for key, step in (("f9", "Step 3"), ("f8", "Step 2"), ("f8", "Step 1")):
            await pilot.press(key)
            await settle(pilot)
            assert step in screen_text(pilot)
            assert not app.screen.query_one("#guidance").display
        await pilot.press("f4", "f9")
        await settle(pilot)
        assert app.screen.query_one("#guidance").display


async def test_teaching_points_name_their_step_and_enter_opens_it(tmp_path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_teaching(pilot)
        text = screen_text(pilot)
        assert "Teaching points: Spitting in custody" in text and "(the morning" in text  # wrapped, not cut
        assert "→ Step 8: Longer-term support" in text
        await pilot.press("down", "down", "enter")  # the Occupational Health referral point
        await settle(pilot)
        assert "Step 8 of 10: Longer-term support" in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.case_id == "OH-TRAIN-SPIT"


async def test_learner_mode_hides_overdue_on_the_list_and_in_the_queues(tmp_path):
    app = demo_app(tmp_path)
    async with app.run_test(size=(120, 34)) as pilot:
        await settle(pilot)
        text = screen_text(pilot)
        assert "with something overdue" in text and "!" in line_with(text, "Tarrowmere")
        await palette(pilot, "Learner mode")
        await settle(pilot)
        text = screen_text(pilot)
        assert "with something overdue" not in text
        assert all("!" not in line for line in text.splitlines() if "Tarrowmere" in line)
        await pilot.press("o")
        await settle(pilot)
        assert "Hidden in learner mode" in screen_text(pilot)
        assert "Welfare contact (sick leave)" not in screen_text(pilot)
        await pilot.press("ctrl+o")  # the trainer reveals: the queue shows it at once
        await settle(pilot)
        assert "Welfare contact (sick leave)" in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert "with something overdue" in screen_text(pilot)


def line_with(text: str, words: str) -> str:
    return next(line for line in text.splitlines() if words in line)
