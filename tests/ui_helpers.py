"""Driving the app the way a person does: focus a field, type, pick, press keys."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from textual import events
from textual.widgets import Checkbox, Input, Select, SelectionList, TextArea

from ophamp_tui.app import OpHampApp
from ophamp_tui.data.identity import save_identity
from ophamp_tui.data.models import Actor
from ophamp_tui.data.store import Store
from ophamp_tui.widgets.fields import dom_id

SERGEANT = Actor(name="PS Sam Taylor", number="4521", role="sergeant")


def make_app(tmp_path: Path, *, identity: Actor | None = SERGEANT, clock=None) -> OpHampApp:
    config = tmp_path / "config"
    if identity is not None and not (config / "identity.json").exists():
        save_identity(config, identity)
    kwargs = {"clock": clock} if clock else {}
    store = Store(tmp_path / "store", **kwargs)
    return OpHampApp(store, config_dir=config, **kwargs)


def right4_done(case):
    """The victim's details went to victim support services at once (Victims' Code Right 4), so that
    clock is not running and a test sees only the clocks it is about. Returns the case."""
    from ophamp_tui.data.models import LogEntry

    at = case.incident.occurred_at
    case.referrals.append(LogEntry(at=at, by=case.created_by, recorded_at=at, kind="victim_support", done_at=at))
    return case


def fixed_clock(when: datetime = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)):
    return lambda: when


def field(pilot, key: str):
    return pilot.app.screen.query_one("#" + dom_id(key))


async def focus(pilot, widget) -> None:
    widget.scroll_visible(animate=False)
    widget.focus()
    await pilot.pause()


async def type_text(pilot, key: str, text: str, *, enter: bool = True) -> None:
    """Clear a text field, type ``text`` and (by default) press Enter, as a user would."""
    w = field(pilot, key)
    await focus(pilot, w)
    if isinstance(w, TextArea):
        if w.text:
            await pilot.press("f7", "delete")  # select all, delete
        await paste(pilot, text)
        await pilot.press("tab")
    else:
        assert isinstance(w, Input), w
        await pilot.press("ctrl+u", "ctrl+k")
        if len(text) > 60:
            await paste(pilot, text)
        else:
            await pilot.press(*text)
        if enter:
            await pilot.press("enter")
    await pilot.pause()


async def paste(pilot, text: str) -> None:
    """What a terminal sends when the user pastes: one Paste event to the focused widget."""
    pilot.app.post_message(events.Paste(text))  # as the terminal driver does; the app forwards it
    await pilot.pause()


async def choose(pilot, key: str, label: str) -> None:
    """Open a Select, type the start of the option and press Enter."""
    w = field(pilot, key)
    assert isinstance(w, Select), w
    await focus(pilot, w)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*label)
    await pilot.press("enter")
    await pilot.pause()
    chosen = [v for text, v in w._options if str(text) == label]  # noqa: SLF001
    assert w.value in chosen, f"{key}: wanted {label!r}, got {w.value!r}"


async def tick(pilot, key: str, value: bool = True) -> None:
    w = field(pilot, key)
    assert isinstance(w, Checkbox), w
    await focus(pilot, w)
    if w.value != value:
        await pilot.press("space")
    await pilot.pause()
    assert w.value is value


async def pick_many(pilot, key: str, values: list[str]) -> None:
    """Tick options of a SelectionList with the cursor and space."""
    w = field(pilot, key)
    assert isinstance(w, SelectionList), w
    await focus(pilot, w)
    for index in range(w.option_count):
        option = w.get_option_at_index(index)
        w.highlighted = index
        if (option.value in values) != (option.value in w.selected):
            await pilot.press("space")
    await pilot.pause()
    assert sorted(w.selected) == sorted(values)


def screen_text(pilot) -> str:
    """Everything the terminal shows now, as plain text: what a person reads."""
    app = pilot.app
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))  # noqa: SLF001
    return console.export_text()


def error_of(pilot, key: str) -> str:
    """The inline error shown under a field ('' when none), as the user reads it."""
    row = pilot.app.screen.query_one("#" + dom_id(key) + "-row")
    if not row.has_class("-invalid"):
        return ""
    return str(row.query_one(".field-error").render()).replace("\n", " ")


def toasts(pilot) -> str:
    """The notifications on screen (title and message), as the user reads them. Needs notifications=True.

    Read from the notifications themselves, because the toasts wrap long words (file paths) anywhere;
    the screen is checked to really show a toast.
    """
    notes = pilot.app._notifications  # noqa: SLF001
    if len(notes):
        assert "▌" in screen_text(pilot), "a notification that is not on screen"
    return " ".join(f"{n.title} {n.message}" for n in notes)


async def wait_for(pilot, text: str, timeout: float = 10) -> str:
    """Wait until ``text`` is on the screen (for what appears after a refresh); the screen then."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        shown = screen_text(pilot)
        if text in shown:
            return shown
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} not on the screen within {timeout} s:\n{shown}")
        await pilot.pause(0.05)
