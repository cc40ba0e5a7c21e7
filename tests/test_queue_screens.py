"""The work queues as a user meets them: O and R on the case list, Enter to the step, Escape back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ophamp_tui.data.checklist import STEP_KEYS
from ophamp_tui.data.edits import new_case
from ophamp_tui.data.models import Incident, Victim
from ophamp_tui.screens.case import CaseScreen
from ophamp_tui.screens.home import HomeScreen
from ophamp_tui.screens.overdue import OverdueScreen
from ophamp_tui.screens.review_queue import ReviewQueueScreen
from ophamp_tui.screens.step import StepScreen

from .ui_helpers import SERGEANT, choose, fixed_clock, make_app, right4_done, screen_text, type_text

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Mon 15:00 GMT
HOSTILE = "PC [b]Alex[/] O'Brien"  # user text that would break markup


def add_case(app, *, name="PC Alex Morgan", number="7788", days_ago=3, case_id=None, offence="abh_s47"):
    case = new_case(
        victim=Victim(name=name, number=number),
        incident=Incident(occurred_at=NOW - timedelta(days=days_ago), offence=offence, methods=["punch"]),
        by=SERGEANT,
        now=NOW - timedelta(days=days_ago),
        case_id=case_id,
    )
    app.store.create(right4_done(case))
    return case


async def test_overdue_welfare_contact_is_listed_dealt_with_and_gone(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    case = add_case(app, name=HOSTILE, days_ago=3, case_id="OH-261120-AAAA")  # contact was due 2 days ago
    add_case(app, name="PCSO Jo Reed", number="2", days_ago=0.5, case_id="OH-261123-BBBB")  # not due yet
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(pilot.app.screen, OverdueScreen)
        text = screen_text(pilot)
        assert "1 time limit passed on 1 open case" in text
        assert "Welfare contact with the victim" in text
        assert HOSTILE in text  # shown literally, in the table and in the line under it
        assert "OH-261120-AAAA" in text and "2d 0h" in text
        assert "Jo Reed" not in text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, StepScreen)
        assert pilot.app.screen.sdef.key == "welfare_contact"
        assert "OVERDUE" in screen_text(pilot)
        # Record the contact as the sergeant would, and mark the step done.
        await type_text(pilot, "contact_at", "yesterday 10:00")
        await choose(pilot, "contact_method", "Phone")
        await type_text(pilot, "how_are_you", "Sore jaw, shaken; back on duty Thursday.")
        await choose(pilot, "medical", "First aid")
        await pilot.press("f2")
        await pilot.pause()
        assert app.store.load(case.id).steps["welfare_contact"].status == "done"
        await pilot.press("escape")  # step 3 (where F2 moved on to) -> the case
        await pilot.pause()
        assert isinstance(pilot.app.screen, CaseScreen)
        await pilot.press("escape")  # the case -> the queue, rebuilt
        await pilot.pause()
        assert isinstance(pilot.app.screen, OverdueScreen)
        text = screen_text(pilot)
        assert "Nothing is overdue." in text and "Welfare contact with the victim" not in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HomeScreen)


async def test_most_overdue_first_and_enter_opens_the_highlighted_one(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    add_case(app, name="Newer Case", number="1", days_ago=2, case_id="OH-261121-AAAA")
    add_case(app, name="Older Case", number="2", days_ago=9, case_id="OH-261114-BBBB")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        text = screen_text(pilot)
        assert text.index("Older Case") < text.index("Newer Case")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, StepScreen)
        assert pilot.app.screen.case_id == "OH-261121-AAAA"


async def test_case_with_steps_1_to_9_finished_is_in_the_review_queue(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    ready = add_case(app, name=HOSTILE, days_ago=40, case_id="OH-261014-AAAA", offence="aew_s1")
    add_case(app, name="PCSO Jo Reed", number="2", days_ago=10, case_id="OH-261113-BBBB")  # steps still open
    app.store.update(ready.id, SERGEANT, sets={f"steps.{k}.status": "done" for k in STEP_KEYS if k != "senior_review"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ReviewQueueScreen)
        text = screen_text(pilot)
        assert "1 case with steps 1-9 finished" in text
        assert HOSTILE in text and "AEW Act s1" in text and "9/10" in text and "OH-261014-AAAA" in text
        assert "Jo Reed" not in text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, StepScreen)
        assert pilot.app.screen.sdef.key == "senior_review"
        assert "Step 10 of 10: Senior manager review" in screen_text(pilot)
        await pilot.press("escape", "escape")  # the review -> the case -> the queue
        await pilot.pause()
        assert isinstance(pilot.app.screen, ReviewQueueScreen)


async def test_empty_queues_say_so_and_escape_goes_back(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    add_case(app, days_ago=0.2)  # welfare contact not due for hours yet; steps open
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        assert "Nothing is overdue." in screen_text(pilot)
        await pilot.press("enter")  # nothing to open: nothing happens
        await pilot.pause()
        assert isinstance(pilot.app.screen, OverdueScreen)
        await pilot.press("escape", "r")
        await pilot.pause()
        assert "No cases are waiting for senior review." in screen_text(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HomeScreen)


async def test_a_case_deleted_meanwhile_is_reported_not_a_crash(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    case = add_case(app, days_ago=3, case_id="OH-261120-AAAA")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("o")
        await pilot.pause()
        app.store.case_path(case.id).unlink()  # e.g. removed by another ophamp or by hand
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, OverdueScreen)
        text = screen_text(pilot)
        assert "cannot be opened" in text and "Nothing is overdue." in text
