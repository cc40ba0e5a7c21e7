"""Hostile text through every text field and every view that shows it: shown literally, never acted on."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.widgets import Input

from ophamp_tui.data.checklist import NEW_CASE_FORM, STEPS
from ophamp_tui.data.models import Actor
from ophamp_tui.data.store import Store
from ophamp_tui.data.text import clean_text
from ophamp_tui.widgets.fields import FieldRow

from .ui_helpers import choose, field, fixed_clock, make_app, paste, pick_many, screen_text

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
MARKUP = "[/] O'Brien [b [@click=app.quit]x [bold red]$name{0}%s"
HOSTILE = MARKUP + " \x1b[31mred\x1b[0m \x1b]0;pwned\x07 \u202eevil\u202c \x00\x07\x9b2J 🚓"
CLEAN = clean_text(HOSTILE)
LONG = ("Impact on family life, sleep and confidence. " * 1200)[:50_000]  # ~50 KB in a long text box


async def put(pilot, key: str, text: str) -> None:
    w = field(pilot, key)
    w.scroll_visible(animate=False)
    w.focus()
    await pilot.pause()
    if isinstance(w, Input):
        await pilot.press("ctrl+u", "ctrl+k")
    elif w.text:
        await pilot.press("f7")  # select all: the paste replaces it
    await paste(pilot, text)
    await pilot.press("tab")  # leaving the field saves it
    await pilot.pause()


def test_cleaning_keeps_markup_but_drops_controls():
    assert MARKUP in CLEAN
    assert "\x1b" not in CLEAN and "\x00" not in CLEAN and "\u202e" not in CLEAN and "\x9b" not in CLEAN
    assert "🚓" in CLEAN


async def test_hostile_text_everywhere(tmp_path):
    hostile_user = Actor(name="PS " + MARKUP, number="[b]99", role="sergeant")
    app = make_app(tmp_path, identity=hostile_user, clock=fixed_clock(NOW))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert "PS [/] O'Brien [b" in screen_text(pilot)  # the header shows the name literally
        await pilot.press("n")
        await pilot.pause()
        for fdef in NEW_CASE_FORM:
            if fdef.kind in ("text", "number", "longtext") and fdef.shown_if is None:
                await put(pilot, fdef.key, HOSTILE)
        await put(pilot, "incident.impact_notes", LONG)
        w = field(pilot, "incident.occurred_at")
        w.focus()
        await pilot.press(*"today 10:00", "tab")
        for key, label in [
            ("incident.offence", "ABH (OAPA 1861 s47)"),
            ("incident.injury", "None"),
            ("incident.medical", "None"),
        ]:
            await choose(pilot, key, label)
        await pick_many(pilot, "incident.methods", ["push_pull"])
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "[/] O'Brien [b" in screen_text(pilot)  # case overview

        for sdef in STEPS:
            await pilot.press(str(sdef.number % 10))
            await pilot.pause()
            for row in list(pilot.app.screen.query(FieldRow)):
                if not row.display:
                    continue
                if row.fdef.kind in ("text", "longtext"):
                    await put(pilot, row.fdef.key, HOSTILE)
                elif row.fdef.kind == "number":  # a colleague's number, not the victim's
                    await put(pilot, row.fdef.key, HOSTILE + " 2")
            # Every value is shown back literally in its field, and nothing stopped the step closing.
            for row in pilot.app.screen.query(FieldRow):
                assert not row.has_class("-invalid"), row.fdef.key
                if row.fdef.kind == "text":
                    assert row.control.value == CLEAN, row.fdef.key
                elif row.fdef.kind == "number":
                    assert row.control.value == CLEAN + " 2", row.fdef.key
                elif row.fdef.kind == "longtext":
                    assert row.control.text == CLEAN, row.fdef.key
            assert "[/] O'Brien [b" in screen_text(pilot)
            await pilot.press("f3")  # not applicable, with a hostile reason
            await pilot.pause()
            assert "not applicable?" in screen_text(pilot)
            await paste(pilot, HOSTILE)
            await pilot.press("enter")
            await pilot.pause()
            if sdef.number < len(STEPS):
                await pilot.press("escape")
                await pilot.pause()
        text = screen_text(pilot)
        assert "10/10 steps" in text and "[/] O'Brien [b" in text
        await pilot.press("f1")
        await pilot.pause()
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert "[/] O'Brien [b" in screen_text(pilot)  # home list
        assert pilot.app.is_running  # [@click=app.quit] did not quit

    store = Store(tmp_path / "store")
    [summary] = store.summaries()
    case = store.load(summary.id)
    assert case.victim.name == CLEAN
    assert case.incident.impact_notes == LONG.strip()
    assert case.steps["statement"].fields["impact"] == CLEAN
    assert case.steps["senior_review"].na_reason == CLEAN
    assert all(h.by.name == clean_text(hostile_user.name) for h in case.history)
    raw = (tmp_path / "store" / "cases" / f"{case.id}.json").read_bytes()
    assert b"\x1b" not in raw and b"\\u001b" not in raw and "\u202e".encode() not in raw
