"""Issue 11 item 3: the sergeant is usually the supervisor, so step 1 starts with the current user,
editable, and saved only with the step (not by merely looking at it)."""

from __future__ import annotations

from datetime import timedelta

from ophamp_tui.data.edits import new_case
from ophamp_tui.data.models import Incident, Victim

from .ui_helpers import SERGEANT, error_of, field, fixed_clock, make_app, right4_done, type_text

CLOCK = fixed_clock()


def app_with_case(tmp_path):
    app = make_app(tmp_path, clock=CLOCK)
    case = app.store.create(
        right4_done(
            new_case(
                victim=Victim(name="PC Alex Morgan", number="PC 7788"),
                incident=Incident(occurred_at=CLOCK() - timedelta(hours=2)),
                by=SERGEANT,
                now=CLOCK(),
            )
        )
    )
    return app, case.id


async def test_step_1_starts_with_the_current_user_and_saves_it_with_the_step(tmp_path):
    app, case_id = app_with_case(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "1")
        await pilot.pause()
        assert field(pilot, "supervisor_name").value == "PS Sam Taylor"
        assert field(pilot, "supervisor_number").value == "4521"
        await pilot.press("escape")  # only looked: nothing recorded
        await pilot.pause()
        assert app.store.load(case_id).steps["supervisor_aware"].fields == {}
        await pilot.press("1")
        await pilot.pause()
        await type_text(pilot, "aware_at", "today 14:00")  # saving anything saves the suggestion too
        fields = app.store.load(case_id).steps["supervisor_aware"].fields
        assert fields["supervisor_name"] == "PS Sam Taylor" and fields["supervisor_number"] == "4521"


async def test_the_suggestion_can_be_changed_and_f2_saves_it(tmp_path):
    app, case_id = app_with_case(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "1")
        await pilot.pause()
        await type_text(pilot, "supervisor_name", "PS Kay Brown")
        await type_text(pilot, "supervisor_number", "PS 3002")
        await type_text(pilot, "aware_at", "today 14:00")
        await pilot.press("f2")
        await pilot.pause()
        fields = app.store.load(case_id).steps["supervisor_aware"].fields
        assert (fields["supervisor_name"], fields["supervisor_number"]) == ("PS Kay Brown", "PS 3002")
        assert app.store.load(case_id).steps["supervisor_aware"].status == "done"


async def test_f2_alone_takes_the_suggestion(tmp_path):
    app, case_id = app_with_case(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "1", "f2")
        await pilot.pause()
        assert "needed" in error_of(pilot, "aware_at")  # the time is still needed; the names are not
        assert not error_of(pilot, "supervisor_name")
        fields = app.store.load(case_id).steps["supervisor_aware"].fields
        assert fields["supervisor_name"] == "PS Sam Taylor"
