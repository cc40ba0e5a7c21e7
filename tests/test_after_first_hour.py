"""Carrying a case for weeks: suspect status, updates, outcome and VRR, senior sign-off, closing early."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ophamp_tui.data.edits import new_case
from ophamp_tui.data.models import Incident, Suspect, Victim
from ophamp_tui.data.store import Store

from .ui_helpers import SERGEANT, choose, error_of, fixed_clock, make_app, right4_done, screen_text, tick, type_text

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday 15:00 GMT


def add_case(app, *, days_ago: float = 0.25, finished: tuple[str, ...] = (), status: str = "identified"):
    occurred = NOW - timedelta(days=days_ago)
    case = new_case(
        victim=Victim(name="PCSO Dana Whit", number="5566", role="pcso"),
        incident=Incident(occurred_at=occurred, offence="racial_s29", methods=["punch"]),
        suspect=Suspect(identified=True, status=status),
        hate_crime=True,
        hate_strands=["race"],
        by=SERGEANT,
        now=occurred,
        case_id="OH-261123-TEST",
    )
    app.store.create(right4_done(case))
    for key in finished:
        app.store.update(case.id, SERGEANT, sets={f"steps.{key}.status": "done"})
    return case


async def log(pilot, fields: list[tuple[str, str, str]]) -> None:
    """Fill the log-entry dialog: (kind, key, value) with kind 'text' or 'choose'; then Ctrl+S."""
    for kind, key, value in fields:
        if kind == "choose":
            await choose(pilot, key, value)
        else:
            await type_text(pilot, key, value)
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_arrest_rui_nfa_with_vrr_discussed(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    case = add_case(app)
    async with app.run_test(size=(80, 24)) as pilot:
        pilot.app.screen.open_case(case.id)
        await pilot.pause()
        # Step 9 holds the suspect's status history.
        await pilot.press("9", "ctrl+n")
        await pilot.pause()
        await log(pilot, [("choose", "kind", "Arrested"), ("text", "at", "today 10:00")])
        status = str(pilot.app.screen.query_one("#step-status").render())
        # Hate crime: enhanced rights, so the victim must be told by the end of the next working day.
        assert "Tell victim: arrest: due by the end of Tue 24/11/2026" in status
        await pilot.press("ctrl+n")
        await pilot.pause()
        await log(pilot, [("choose", "kind", "Released under investigation (RUI)"), ("text", "at", "today 12:00")])
        status = str(pilot.app.screen.query_one("#step-status").render())
        assert "Suspect on RUI for 3h 0m." in status

        # Step 7: the OIC tells the victim; the update clears both notifications.
        await pilot.press("escape", "7", "ctrl+n")
        await pilot.pause()
        await log(
            pilot,
            [
                ("text", "at", "today 12:30"),
                ("choose", "method", "Phone"),
                ("text", "summary", "Told of arrest and release under investigation."),
            ],
        )
        assert "Phone · Told of arrest" in screen_text(pilot)  # the log, newest first
        assert "Tell victim" not in str(pilot.app.screen.query_one("#step-status").render())

        # Back to step 9: NFA, and the outcome needs the OIC's discussion and the VRR explained.
        await pilot.press("escape", "9", "ctrl+n")
        await pilot.pause()
        await log(pilot, [("choose", "kind", "No further action (NFA)"), ("text", "at", "today 13:00")])
        await choose(pilot, "outcome", "Evidential difficulties (victim supports)")
        await type_text(pilot, "decided_at", "today 13:00")
        await type_text(pilot, "victim_told_at", "today 14:00")
        await pilot.press("f2")
        await pilot.pause()
        assert (
            error_of(pilot, "nfa_discussed")
            == "Tick 'OIC discussed the decision with the victim' to mark this step done."
        )
        assert error_of(pilot, "vrr_explained").startswith("Tick 'Victims' Right to Review explained'")
        status = str(pilot.app.screen.query_one("#step-status").render())
        # NPCC scheme: within 3 months of the decision (23 Nov -> by the end of 23 Feb), later at the
        # force's discretion.
        assert (
            "Police VRR applies: the victim can ask within 3 months of the decision (by the end of Tue "
            "23/02/2027); later requests are at the force's discretion."
        ) in status
        await tick(pilot, "nfa_discussed")
        await tick(pilot, "vrr_explained")
        await choose(pilot, "vrr_requested", "Yes")
        await pilot.press("f2")
        await pilot.pause()
        assert (
            error_of(pilot, "vrr_requested_at") == "'When the review was asked for' is needed to mark this step done."
        )
        await type_text(pilot, "vrr_requested_at", "today 14:30")
        await choose(pilot, "vrr_result", "Review pending")
        await pilot.press("f2")
        await pilot.pause()
        assert "Step 10 of 10" in screen_text(pilot)

    saved = Store(tmp_path / "store").load(case.id)
    assert [e.kind for e in saved.status_history] == ["arrested", "rui", "nfa"]
    assert saved.suspect.status == "nfa"
    assert saved.updates[0].summary == "Told of arrest and release under investigation."
    assert saved.updates[0].method == "phone" and saved.updates[0].by.number == "4521"
    out = saved.steps["outcome"]
    assert out.status == "done" and out.fields["nfa_discussed"] is True and out.fields["vrr_requested"] == "yes"


async def test_charged_case_to_senior_sign_off(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    earlier = (
        "supervisor_aware",
        "welfare_contact",
        "support_handover",
        "statement",
        "crime_recorded",
        "oic_assigned",
        "kept_informed",
        "longer_term",
    )
    case = add_case(app, days_ago=20, finished=earlier, status="charged")
    async with app.run_test(size=(80, 24)) as pilot:
        pilot.app.screen.open_case(case.id)
        await pilot.pause()
        await pilot.press("9")
        await pilot.pause()
        await choose(pilot, "outcome", "Charged / summonsed")
        await type_text(pilot, "decided_at", "20/11/2026 10:00")
        await type_text(pilot, "victim_told_at", "20/11/2026 11:00")
        await pilot.press("f2")
        await pilot.pause()
        # Step 10: awaiting review; the reviewer cannot be the victim.
        assert "Step 10 of 10: Senior manager review" in screen_text(pilot)
        await type_text(pilot, "reviewer_name", "Supt Ray Cole")
        await type_text(pilot, "reviewer_number", "5566")
        assert "The victim cannot be the senior reviewer" in error_of(pilot, "reviewer_number")
        await type_text(pilot, "reviewer_number", "0101")
        await type_text(pilot, "reviewed_at", "now")
        await type_text(pilot, "findings", "Charged within 3 weeks; updates on time.")
        await pilot.press("f2")
        await pilot.pause()
        assert "Tick 'Signed off'" in error_of(pilot, "signed_off")
        await tick(pilot, "signed_off")
        await pilot.press("f2")
        await pilot.pause()
        assert "10/10 steps" in screen_text(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert "Complete" in screen_text(pilot)
    summary = Store(tmp_path / "store").summary(case.id)
    assert summary.complete is True and summary.awaiting_review is False


async def test_closing_early_needs_a_reason_and_is_recorded(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    case = add_case(app)
    async with app.run_test(size=(80, 24)) as pilot:
        pilot.app.screen.open_case(case.id)
        await pilot.pause()
        await pilot.press("c", "enter")
        await pilot.pause()
        assert "Give a reason" in screen_text(pilot)
        await pilot.press(*"Victim transferred to another force", "enter")
        await pilot.pause()
        assert "Closed early: Victim transferred to another force" in screen_text(pilot)
    saved = Store(tmp_path / "store").load(case.id)
    assert saved.closed_reason == "Victim transferred to another force"
    assert any(h.field == "closed_reason" and h.by.number == "4521" for h in saved.history)


async def test_my_cases_shows_the_cases_where_i_am_named(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    mine = add_case(app)
    other = new_case(
        victim=Victim(name="PC Lee Fry", number="8080"),
        incident=Incident(occurred_at=NOW),
        by=SERGEANT.model_copy(update={"number": "9999", "name": "PS Other"}),
        now=NOW,
        case_id="OH-261123-OTHR",
    )
    app.store.create(other)
    app.store.update(other.id, SERGEANT, sets={"steps.oic_assigned.fields.oic_number": "DC 2222"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "PC Lee Fry" in screen_text(pilot) and "PCSO Dana Whit" in screen_text(pilot)
        await pilot.press("m")
        await pilot.pause()
        text = screen_text(pilot)
        assert "PCSO Dana Whit" in text and "PC Lee Fry" not in text  # I (4521) logged Dana's case
        assert "My cases: 1 of 2 cases" in text
        # The OIC named on the other case sees it under their own identity.
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("ctrl+u", *"DC Kim Bose", "enter", "ctrl+u", *"2222", "enter")
        await pilot.pause()
        text = screen_text(pilot)
        assert "PC Lee Fry" in text and "PCSO Dana Whit" not in text
    assert mine.id != other.id


async def test_overdue_update_appears_in_the_queue_and_clears_when_logged(tmp_path):
    app = make_app(tmp_path, clock=fixed_clock(NOW))
    case = add_case(app, days_ago=10, status="arrested", finished=("welfare_contact",))  # arrested 10 days ago
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "1 overdue" in screen_text(pilot)  # the count in the header
        await pilot.press("o")
        await pilot.pause()
        text = screen_text(pilot)
        assert "Tell victim: arrest" in text and "PCSO Dana Whit" in text
        await pilot.press("enter")  # opens step 7, where updates are logged
        await pilot.pause()
        assert "Step 7 of 10: Victim kept informed" in screen_text(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        await log(
            pilot,
            [
                ("text", "at", "now"),
                ("choose", "method", "In person"),
                ("text", "summary", "Explained the arrest and next steps."),
            ],
        )
        await pilot.press("escape", "escape")
        await pilot.pause()
        text = screen_text(pilot)
        assert "Tell victim: arrest" not in text
        assert "Nothing is overdue." in text
        await pilot.press("escape")
        await pilot.pause()
        assert "overdue" not in screen_text(pilot).splitlines()[0]
    saved = Store(tmp_path / "store").load(case.id)
    assert saved.updates[-1].method == "in_person"
