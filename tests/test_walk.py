"""A whole shift, driven as a sergeant would at 80x24: identity, new case, all ten steps, restart."""

from __future__ import annotations

from datetime import UTC, datetime

from ophamp_tui.data.clock import from_iso
from ophamp_tui.data.store import Store

from .ui_helpers import choose, error_of, field, fixed_clock, make_app, pick_many, screen_text, tick, type_text

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 15:00 GMT


def london(day_time: str) -> datetime:
    """'today HH:MM' on the fixed day, as stored (UTC; November is GMT)."""
    hh, mm = day_time.split()[1].split(":")
    return datetime(2026, 11, 23, int(hh), int(mm), tzinfo=UTC)


async def new_case(pilot) -> None:
    await pilot.press("n")
    await pilot.pause()
    await type_text(pilot, "victim.name", "PC Alex Morgan")
    await type_text(pilot, "victim.number", "PC 7788")
    await choose(pilot, "victim.role", "PCSO")
    await type_text(pilot, "incident.occurred_at", "today 09:30")
    await type_text(pilot, "incident.location", "Custody suite, Northgate")
    await choose(pilot, "incident.location_type", "Custody suite")
    await choose(pilot, "incident.context", "Custody")
    await choose(pilot, "incident.offence", "Assault/battery on an emergency worker (AEW Act 2018 s1)")
    await pick_many(pilot, "incident.methods", ["spit"])
    await choose(pilot, "incident.injury", "None")
    await choose(pilot, "incident.medical", "First aid")
    await pick_many(pilot, "incident.impact", ["psychological", "family"])
    await type_text(pilot, "incident.impact_notes", "Worried about blood test results; partner upset.")
    await choose(pilot, "suspect.status", "Arrested")
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_whole_shift_then_restart(tmp_path):
    clock = fixed_clock(NOW)
    app = make_app(tmp_path, identity=None, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Who is using ophamp?" in screen_text(pilot)
        await pilot.press(*"PS Sam Taylor", "enter", *"4521", "enter")
        await pilot.pause()
        assert "PS Sam Taylor (4521)" in screen_text(pilot)
        assert "No cases yet" in screen_text(pilot)
        assert "press N" in screen_text(pilot)

        await new_case(pilot)
        text = screen_text(pilot)
        assert "PC Alex Morgan (PC 7788), PCSO" in text
        assert "Suspect: arrested" in text
        assert "0/10 steps" in text

        # Step 1 is the next step; Enter opens it.
        await pilot.press("enter")
        await pilot.pause()
        assert "Step 1 of 10: Supervisor aware" in screen_text(pilot)
        assert "Why this matters" in screen_text(pilot)
        await type_text(pilot, "supervisor_name", "PS Sam Taylor")
        await type_text(pilot, "supervisor_number", "4521")
        await type_text(pilot, "aware_at", "today 09:45")
        await tick(pilot, "inspector_told")
        await pilot.press("f2")
        await pilot.pause()
        # Spitting is possible work-related ill health: the health and safety report is mandatory.
        assert "'Health & safety report ref' is needed" in error_of(pilot, "hs_report")
        await type_text(pilot, "hs_report", "HS-2231")
        await pilot.press("f2")
        await pilot.pause()

        # Step 2: welfare contact.
        assert "Step 2 of 10: Welfare contact" in screen_text(pilot)
        await type_text(pilot, "contact_at", "today 10:05")
        await choose(pilot, "contact_method", "In person")
        await type_text(pilot, "how_are_you", "Shaken, angry; wants to go home.")
        await choose(pilot, "medical", "First aid")
        await pilot.press("f2")
        await pilot.pause()

        # Step 3: not applicable, with a reason.
        assert "Step 3 of 10" in screen_text(pilot)
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press(*"Back on duty next day; nothing to hand over", "enter")
        await pilot.pause()

        # Step 4: the victim cannot take their own statement; dates cannot be in the future.
        assert "Step 4 of 10: Statement taken" in screen_text(pilot)
        await type_text(pilot, "taker_name", "PC Jo Reed")
        await type_text(pilot, "taker_number", "PC 7788")
        assert "PC 7788 is the victim's own number" in error_of(pilot, "taker_number")
        assert "victim's own number" in screen_text(pilot)
        await type_text(pilot, "taker_number", "3310")
        await type_text(pilot, "statement_at", "today 16:30")
        assert "is in the future" in error_of(pilot, "statement_at")
        await type_text(pilot, "statement_at", "today 08:00")
        assert "is before the incident" in error_of(pilot, "statement_at")
        await type_text(pilot, "statement_at", "today 11:00")
        await type_text(pilot, "impact", "Cannot sleep; anxious about the blood tests.")
        await choose(pilot, "vps", "Offered and declined")
        await pilot.press("f2")
        await pilot.pause()
        assert error_of(pilot, "vps_declined_reason") == "'Why declined' is needed to mark this step done."
        await type_text(pilot, "vps_declined_reason", "Wants to think about it after the tests")
        await pilot.press("f2")
        await pilot.pause()

        # Step 5: crime recorded by someone else.
        assert "Step 5 of 10: Crime recorded" in screen_text(pilot)
        await type_text(pilot, "crime_ref", "CR/12345/26")
        await choose(pilot, "offence", "Assault/battery on an emergency worker (AEW Act 2018 s1)")
        await type_text(pilot, "recorder_name", "Dee Marsh")
        await type_text(pilot, "recorder_number", "S9921")
        await type_text(pilot, "recorded_at", "today 12:00")
        pilot.app.screen.query_one("#step-form").scroll_home(animate=False)  # the status, at the top
        await pilot.pause()
        assert "Health & safety report HS-2231" in screen_text(pilot)
        await tick(pilot, "hs_crossref")
        await pilot.press("f2")
        await pilot.pause()

        # Step 6: the victim cannot be the OIC; the victim is told who it is.
        assert "Step 6 of 10" in screen_text(pilot)
        await type_text(pilot, "oic_name", "DC Priya Shah")
        await type_text(pilot, "oic_number", "7788")
        assert "The victim cannot be the investigating officer" in error_of(pilot, "oic_number")
        await type_text(pilot, "oic_number", "2051")
        await type_text(pilot, "assigned_at", "today 12:30")
        await pilot.press("f2")
        await pilot.pause()
        assert error_of(pilot, "victim_told") == "Tick 'Victim told who the OIC is' to mark this step done."
        await tick(pilot, "victim_told")
        await pilot.press("f2")
        await pilot.pause()

        # Step 7: kept informed.
        assert "Step 7 of 10: Victim kept informed" in screen_text(pilot)
        await choose(pilot, "frequency", "Weekly")
        await pilot.press("f2")
        await pilot.pause()

        # Step 8: not applicable.
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press(*"Victim declined longer-term support", "enter")
        await pilot.pause()

        # Step 9: outcome.
        assert "Step 9 of 10: Outcome explained" in screen_text(pilot)
        await choose(pilot, "outcome", "Charged / summonsed")
        await type_text(pilot, "decided_at", "today 13:00")
        await type_text(pilot, "victim_told_at", "today 13:20")
        await pilot.press("f2")
        await pilot.pause()

        # Step 10: senior review, not by the victim.
        assert "Step 10 of 10: Senior manager review" in screen_text(pilot)
        await type_text(pilot, "reviewer_name", "Ch Insp Lee Ward")
        await type_text(pilot, "reviewer_number", "0412")
        await type_text(pilot, "reviewed_at", "today 14:30")
        await type_text(pilot, "findings", "Good early welfare; VPS decline recorded properly.")
        await tick(pilot, "signed_off")
        await pilot.press("f2")
        await pilot.pause()

        # Back on the overview: all ten finished.
        text = screen_text(pilot)
        assert "10/10 steps" in text
        assert "All steps finished." in text
        await pilot.press("escape")
        await pilot.pause()
        assert "Complete" in screen_text(pilot)
        await pilot.press("ctrl+q")

    # Restart on the same store: remembered identity, and every value is there.
    app2 = make_app(tmp_path, identity=None, clock=clock)
    async with app2.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(pilot)
        assert "Who is using" not in text
        assert "PS Sam Taylor (4521)" in text
        assert "PC Alex Morgan" in text
        await pilot.press("enter")  # open the case
        await pilot.pause()
        await pilot.press("4")  # step 4
        await pilot.pause()
        assert "Step 4 of 10" in screen_text(pilot)
        assert field(pilot, "taker_number").value == "3310"
        assert field(pilot, "statement_at").value == "23/11/2026 11:00"

    store = Store(tmp_path / "store")
    [summary] = store.summaries()
    case = store.load(summary.id)
    assert summary.complete is True
    assert case.victim.name == "PC Alex Morgan" and case.victim.number == "PC 7788" and case.victim.role == "pcso"
    assert case.incident.occurred_at == london("today 09:30")
    assert case.incident.location == "Custody suite, Northgate"
    assert (case.incident.offence, case.incident.methods, case.incident.injury, case.incident.medical) == (
        "aew_s1",
        ["spit"],
        "none",
        "first_aid",
    )
    assert (case.incident.location_type, case.incident.context) == ("custody", "custody")
    assert case.incident.impact == ["psychological", "family"]
    assert case.incident.impact_notes == "Worried about blood test results; partner upset."
    assert case.suspect.identified is True and case.suspect.status == "arrested"
    f = {k: case.steps[k].fields for k in case.steps}
    assert f["supervisor_aware"] == {
        "supervisor_name": "PS Sam Taylor",
        "supervisor_number": "4521",
        "aware_at": "2026-11-23T09:45:00+00:00",
        "inspector_told": True,
        "hs_report": "HS-2231",
    }
    assert f["crime_recorded"]["hs_crossref"] is True
    assert f["welfare_contact"]["how_are_you"] == "Shaken, angry; wants to go home."
    assert f["welfare_contact"]["contact_method"] == "in_person"
    assert case.steps["support_handover"].status == "not_applicable"
    assert case.steps["support_handover"].na_reason == "Back on duty next day; nothing to hand over"
    assert f["statement"]["taker_number"] == "3310"
    assert from_iso(f["statement"]["statement_at"]) == london("today 11:00")
    assert f["statement"]["vps"] == "declined"
    assert f["statement"]["vps_declined_reason"] == "Wants to think about it after the tests"
    assert f["crime_recorded"]["crime_ref"] == "CR/12345/26"
    assert f["oic_assigned"]["oic_number"] == "2051" and f["oic_assigned"]["victim_told"] is True
    assert f["kept_informed"]["frequency"] == "7"
    assert case.steps["longer_term"].na_reason == "Victim declined longer-term support"
    assert f["outcome"]["outcome"] == "charged"
    assert f["senior_review"]["signed_off"] is True
    assert all(case.steps[k].status in ("done", "not_applicable") for k in case.steps)
    assert all(case.steps[k].by.number == "4521" for k in case.steps)
    # Every change is in the history under the sergeant's identity; no change is recorded twice.
    fields_changed = [h.field for h in case.history]
    assert "steps.statement.fields.taker_number" in fields_changed
    assert all(h.by.number == "4521" for h in case.history)
