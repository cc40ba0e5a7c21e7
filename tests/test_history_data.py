"""The case history in words (data/history.py): labels, values, order. Changes made through edits.apply."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ophamp_tui.data.edits import apply
from ophamp_tui.data.history import HistoryRow, describe, history_rows, shorten
from ophamp_tui.data.models import Actor, HistoryEntry, LogEntry

# 15:00 UTC in November is 15:00 in London (GMT); in June it is 16:00 (BST).
WINTER = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
SUMMER = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)
INSPECTOR = Actor(name="Insp Kay Lowe", number="0099", role="inspector")


def changed(case, by, now, **kwargs) -> list[HistoryRow]:
    """The rows for the entries one change adds, in the order they were written."""
    updated, _ = apply(case, by, now, **kwargs)
    return [describe(e) for e in updated.history[len(case.history) :]]


def test_step_field_select_shows_labels_and_who_and_london_time(make_case, sergeant):
    case, _ = apply(make_case(), sergeant, SUMMER, sets={"steps.statement.fields.vps": "later"})
    [row] = changed(case, INSPECTOR, SUMMER, sets={"steps.statement.fields.vps": "declined"})
    assert row.what == "Step 4 Statement taken: Victim Personal Statement"
    assert row.brief == "4. Victim Personal Statement"
    assert (row.old, row.new) == ("Offered, to follow", "Offered and declined")
    assert row.who == "Insp Kay Lowe (0099)"
    assert row.when == "10/06/2026 16:00"  # BST
    assert row.kind == "set" and row.field == "steps.statement.fields.vps"


def test_case_fields_use_the_case_form_labels(make_case, sergeant):
    rows = changed(
        make_case(),
        sergeant,
        WINTER,
        sets={
            "victim.name": "PC Sam O'Kafor",
            "incident.offence": "abh_s47",
            "hate_crime": True,
            "hate_strands": ["race", "religion"],
            "incident.occurred_at": datetime(2026, 11, 20, 23, 30, tzinfo=UTC),
        },
    )
    got = {r.what: (r.old, r.new) for r in rows}
    assert got["Victim's name"] == ("Sam Okafor", "PC Sam O'Kafor")
    assert got["Offence"] == ("Assault/battery on an emergency worker (AEW Act 2018 s1)", "ABH (OAPA 1861 s47)")
    assert got["Hate crime (hostility shown)"] == ("No", "Yes")
    assert got["Hostility based on"] == ("—", "Race, Religion")
    assert got["When it happened"] == ("08/06/2026 09:00", "20/11/2026 23:30")


def test_step_status_by_at_and_reason(make_case, sergeant):
    rows = changed(
        make_case(),
        sergeant,
        WINTER,
        sets={
            "steps.support_handover.status": "not_applicable",
            "steps.support_handover.na_reason": "Back on duty; no duties to hand over",
            "steps.support_handover.by": sergeant.model_dump(mode="json"),
            "steps.support_handover.at": WINTER,
        },
    )
    got = {r.what: (r.old, r.new) for r in rows}
    assert got["Step 3 status"] == ("Not started", "Not applicable")
    assert got["Step 3 reason not applicable"] == ("—", "Back on duty; no duties to hand over")
    assert got["Step 3 status set by"] == ("—", "PS Dana Holt (PS 4521)")
    assert got["Step 3 status set at"] == ("—", "23/11/2026 15:00")
    assert [r.brief for r in rows][0] == "3. Status"


def test_bools_none_and_empty_text(make_case, sergeant):
    case, _ = apply(make_case(), sergeant, WINTER, sets={"steps.oic_assigned.fields.victim_told": True})
    [row] = changed(case, sergeant, WINTER, sets={"steps.oic_assigned.fields.victim_told": False})
    assert (row.old, row.new) == ("Yes", "No")
    [cleared] = changed(make_case(), sergeant, WINTER, sets={"incident.location": ""})
    assert (cleared.old, cleared.new) == ("Custody suite", "—")


def test_log_entries_added_are_summarised(make_case, sergeant):
    update = LogEntry(at=WINTER - timedelta(hours=2), by=INSPECTOR, method="phone", summary="Told of arrest")
    status = LogEntry(at=WINTER, by=sergeant, kind="bail", summary="")
    referral = LogEntry(at=WINTER, by=sergeant, kind="trim", summary="Asked for TRiM")
    rows = changed(
        make_case(), sergeant, WINTER, appends={"updates": update, "status_history": status, "referrals": referral}
    )
    got = {r.what: r for r in rows}
    assert got["Victim update added"].new == "Phone: Told of arrest"
    assert got["Victim update added"].old == "—" and got["Victim update added"].kind == "added"
    assert got["Victim update added"].brief == "Victim update"
    full = got["Victim update added"].new_full
    assert "When: 23/11/2026 13:00" in full and "By: Insp Kay Lowe (0099)" in full and "Told of arrest" in full
    assert got["Suspect status change added"].new == "Pre-charge bail"
    assert got["Referral added"].new == "Trauma support (TRiM): Asked for TRiM"


def test_case_created_and_unknown_paths():
    at = WINTER
    created = describe(HistoryEntry(at=at, by=INSPECTOR, rev=0, field="case", new="created"))
    assert (created.what, created.kind, created.old, created.new) == ("Case created", "created", "—", "")
    seeded = describe(HistoryEntry(at=at, by=INSPECTOR, rev=0, field="case", new="created (fictional)"))
    assert seeded.new == "created (fictional)"
    # A path this version does not know (an older or newer ophamp): shown as stored, never an error.
    odd = describe(HistoryEntry(at=at, by=INSPECTOR, rev=3, field="steps.gone.fields.x", old="a", new="b"))
    assert (odd.what, odd.old, odd.new) == ("steps.gone.fields.x", "a", "b")
    bad_time = describe(HistoryEntry(at=at, by=INSPECTOR, rev=3, field="steps.statement.at", new="not a time"))
    assert bad_time.new == "not a time"
    bad_log = describe(HistoryEntry(at=at, by=INSPECTOR, rev=3, field="updates+", new="{broken"))
    assert bad_log.new == "{broken"


def test_log_entry_field_edits_are_named():
    row = describe(
        HistoryEntry(
            at=WINTER, by=INSPECTOR, rev=4, field="referrals.0.done_at", old=None, new="2026-11-24T10:00:00+00:00"
        )
    )
    assert row.what == "Referral 1: When the referral was made"
    assert row.new == "24/11/2026 10:00"


def test_long_text_is_cut_for_the_list_but_kept_in_full(make_case, sergeant):
    impact = "Not sleeping.\n" + "Worried about going back on the same beat. " * 5
    [row] = changed(make_case(), sergeant, WINTER, sets={"steps.statement.fields.impact": impact})
    assert len(row.new) == 80 and row.new.endswith("…") and "\n" not in row.new
    assert row.new_full == impact
    assert shorten("a\n\n b") == "a b"


def test_hostile_text_is_kept_as_it_is(make_case, sergeant):
    hostile = "[/] O'Brien [b [@click=app.quit]x"
    [row] = changed(make_case(), sergeant, WINTER, sets={"victim.name": hostile})
    assert row.new == hostile and row.new_full == hostile


def test_history_rows_newest_first(make_case, sergeant):
    case = make_case()
    case, _ = apply(case, sergeant, WINTER, sets={"victim.name": "First"})
    case, _ = apply(case, INSPECTOR, WINTER + timedelta(minutes=5), sets={"victim.name": "Second"})
    rows = history_rows(case)
    assert [r.new for r in rows] == ["Second", "First", ""]
    assert [r.what for r in rows][-1] == "Case created"
    assert rows[0].who == "Insp Kay Lowe (0099)" and rows[0].when == "23/11/2026 15:05"
