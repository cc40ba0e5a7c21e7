"""Menus pick by typing while closed (``c Enter`` for Custody suite), as a web form's menus do."""

from __future__ import annotations

from datetime import UTC, datetime

from ophamp_tui.data.store import Store

from .ui_helpers import field, fixed_clock, focus, make_app, pick_many, screen_text, type_text

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


async def test_letters_pick_from_a_closed_menu_and_enter_goes_on(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        place = field(pilot, "incident.location_type")
        await focus(pilot, place)
        await pilot.press("c")
        await pilot.pause()
        assert place.value == "custody" and place.has_focus  # picked, and the field stays for a second try
        assert not place.expanded
        assert "Custody suite" in screen_text(pilot)
        await pilot.press("h")  # "ch" matches nothing: a new word, "h"
        await pilot.pause()
        assert place.value == "hospital" and place.has_focus
        await pilot.press("enter")
        await pilot.pause()
        context = field(pilot, "incident.context")
        assert context.has_focus and place.value == "hospital"
        # A menu not typed into still opens on Enter.
        await pilot.press("enter")
        await pilot.pause()
        assert context.expanded
        await pilot.press("escape")
        await pilot.pause()
        assert not context.expanded and context.value == context.NULL
        # A letter that matches nothing changes nothing.
        await pilot.press("z")
        await pilot.pause()
        assert context.value == context.NULL and context.has_focus

        await type_text(pilot, "victim.name", "PC Alex Morgan")
        await type_text(pilot, "victim.number", "PC 7788")
        await type_text(pilot, "incident.occurred_at", "today 09:30")
        await focus(pilot, field(pilot, "incident.context"))
        await pilot.press("c", "enter")
        await pick_many(pilot, "incident.methods", ["spit"])
        for key, letter in (("incident.injury", "n"), ("incident.medical", "f"), ("suspect.status", "a")):
            await focus(pilot, field(pilot, key))
            await pilot.press(letter, "enter")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "0/10 steps" in screen_text(pilot)
    store = Store(tmp_path / "store")
    [summary] = store.summaries()
    case = store.load(summary.id)
    assert (
        case.incident.location_type,
        case.incident.context,
        case.incident.injury,
        case.incident.medical,
        case.suspect.status,
    ) == ("hospital", "custody", "none", "first_aid", "arrested")


async def test_a_pick_by_typing_in_a_step_is_saved_at_once(tmp_path, make_case):
    store = Store(tmp_path / "store")
    case = make_case()
    store.create(case)
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        pilot.app.screen.open_case(case.id)
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        how = field(pilot, "contact_method")
        await focus(pilot, how)
        await pilot.press("p")
        await pilot.pause()
        assert how.has_focus
        assert how.value == "phone"
        # In the store while the cursor is still on the menu: nothing waits for the field to be left.
        assert Store(tmp_path / "store").load(case.id).steps["welfare_contact"].fields["contact_method"] == "phone"
