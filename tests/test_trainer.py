"""Issue 16 items 4 and 6: the trainer's controls inside the app, and pictures from every screen."""

from __future__ import annotations

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
