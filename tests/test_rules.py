"""The Op Hampshire rules: who may do what, dates, what a step needs, victims' rights and clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ophamp_tui.data import choices as C
from ophamp_tui.data import deadlines, progress, summary, validation
from ophamp_tui.data.checklist import STEP_KEYS, STEPS, step
from ophamp_tui.data.clock import iso
from ophamp_tui.data.edits import apply
from ophamp_tui.data.models import Actor, LogEntry, StepRecord, StepStatus

UTC = UTC


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


NOW = utc(2026, 6, 10, 12, 0)  # Wed 13:00 BST
INCIDENT = utc(2026, 6, 8, 8, 0)  # Mon 09:00 BST
OIC = Actor(name="DC Lee Marsh", number="DC 7001", role="oic")


def field(step_key: str, field_key: str):
    return step(step_key).field(field_key)


def finish(case, *keys: str, status: StepStatus = StepStatus.DONE) -> None:
    for key in keys:
        case.steps[key].status = status
        if status is StepStatus.NOT_APPLICABLE:
            case.steps[key].na_reason = "Not needed"


def log(at: datetime, **kw) -> LogEntry:
    return LogEntry(at=at, by=OIC, recorded_at=at, **kw)


def due_for(case, what_prefix: str, now: datetime = NOW) -> list[deadlines.Due]:
    return [d for d in deadlines.obligations(case, now) if d.what.startswith(what_prefix)]


def right4_done(case) -> None:
    """The victim's details went to victim support services at once (Victims' Code Right 4), so that
    clock is not running: tests of other clocks see only theirs."""
    case.referrals.append(log(case.incident.occurred_at, kind="victim_support", done_at=case.incident.occurred_at))


def missing_for_done(sdef, rec: StepRecord, case, now: datetime = NOW) -> dict[str, str]:
    """What stops ``sdef`` being marked done when its record is ``rec``."""
    case.steps[sdef.key] = rec
    return validation.missing_for_done(sdef, case, now)


# --- the victim cannot do the work on their own case ---------------------------------------------

ROLE_FIELDS = [
    ("oic_assigned", "oic_number", "the investigating officer"),
    ("crime_recorded", "recorder_number", "the person recording the crime"),
    ("statement", "taker_number", "the statement taker"),
    ("senior_review", "reviewer_number", "the senior reviewer"),
]


@pytest.mark.parametrize(("step_key", "field_key", "role"), ROLE_FIELDS)
@pytest.mark.parametrize("typed", ["PC 1234", "pc1234", "1234", " 1234 ", "Pc-1234"])
def test_victim_cannot_take_a_role_on_their_own_case(make_case, step_key, field_key, role, typed):
    case = make_case(victim_number="PC 1234")
    value, problem = validation.parse_field(field(step_key, field_key), typed, case, NOW)
    assert value is None
    assert problem is not None
    assert f"cannot be {role}" in problem
    assert "victim's own number" in problem


@pytest.mark.parametrize("victim_number", ["1234", "pc 1234", "PC1234"])
def test_victim_number_is_compared_normalised_both_ways(make_case, victim_number):
    case = make_case(victim_number=victim_number)
    _, problem = validation.parse_field(field("oic_assigned", "oic_number"), "PC 1234", case, NOW)
    assert problem is not None
    assert validation.is_victim_number(case, "1234")


@pytest.mark.parametrize(("step_key", "field_key", "role"), ROLE_FIELDS)
def test_a_colleague_can_take_the_role(make_case, step_key, field_key, role):
    case = make_case(victim_number="PC 1234")
    assert validation.parse_field(field(step_key, field_key), "PC 12345", case, NOW) == ("PC 12345", None)
    assert validation.parse_field(field(step_key, field_key), "DC 7001", case, NOW) == ("DC 7001", None)


def test_victim_number_check_needs_a_number(make_case):
    case = make_case(victim_number="PC 1234")
    assert not validation.is_victim_number(case, "")
    assert not validation.is_victim_number(case, None)
    assert validation.victim_conflict(case, "4321", "the investigating officer") is None


# --- dates ----------------------------------------------------------------------------------------


def test_datetime_field_is_stored_as_utc_iso(make_case):
    case = make_case(occurred_at=INCIDENT)
    assert validation.parse_field(field("oic_assigned", "assigned_at"), "today 10:00", case, NOW) == (
        "2026-06-10T09:00:00+00:00",
        None,
    )
    assert validation.parse_field(field("oic_assigned", "assigned_at"), "now", case, NOW) == (iso(NOW), None)


def test_no_future_dates(make_case):
    case = make_case(occurred_at=INCIDENT)
    value, problem = validation.parse_field(field("statement", "statement_at"), "today 18:00", case, NOW)
    assert value is None
    assert "is in the future" in problem
    assert "10/06/2026 18:00" in problem


def test_a_moment_ahead_is_allowed_for_a_slow_clock(make_case):
    case = make_case(occurred_at=INCIDENT)
    # 13:04 BST is four minutes after "now" (13:00 BST); 13:06 is beyond the leeway.
    assert validation.parse_field(field("statement", "statement_at"), "today 13:04", case, NOW)[1] is None
    assert "future" in validation.parse_field(field("statement", "statement_at"), "today 13:06", case, NOW)[1]


def test_nothing_dated_before_the_incident(make_case):
    case = make_case(occurred_at=INCIDENT)
    value, problem = validation.parse_field(field("welfare_contact", "contact_at"), "08/06/2026 08:59", case, NOW)
    assert value is None
    assert "before the incident (08/06/2026 09:00)" in problem
    # The incident time itself is fine.
    assert validation.parse_field(field("welfare_contact", "contact_at"), "08/06/2026 09:00", case, NOW) == (
        iso(INCIDENT),
        None,
    )


def test_bad_date_text_gives_the_clock_message(make_case):
    case = make_case()
    value, problem = validation.parse_field(field("statement", "statement_at"), "29/03/2026 01:30", case, NOW)
    assert value is None
    assert "did not happen" in problem
    value, problem = validation.parse_field(field("statement", "statement_at"), "tomorrowish", case, NOW)
    assert value is None and "Could not read" in problem


def test_check_when_directly():
    assert validation.check_when(NOW, None, NOW) is None
    assert "future" in validation.check_when(NOW + timedelta(hours=1), None, NOW, label="Contact")
    assert validation.check_when(NOW + timedelta(hours=1), None, NOW, label="Contact").startswith("Contact (")


# --- other field kinds ----------------------------------------------------------------------------


def test_select_must_be_a_listed_choice(make_case):
    case = make_case()
    fdef = field("support_handover", "handover_needed")
    assert validation.parse_field(fdef, "yes", case, NOW) == ("yes", None)
    for bad in ("maybe", "Yes", "YES ", "true"):
        value, problem = validation.parse_field(fdef, bad, case, NOW)
        assert value is None
        assert problem == "Choose one of the options for 'Duties to hand over?'."


def test_every_select_accepts_exactly_its_choices(make_case):
    case = make_case(offence="pa_s89")  # summary-only, so "time limit expired" is a lawful outcome
    for sdef in STEPS:
        for fdef in sdef.fields:
            if fdef.kind != "select":
                continue
            for value, _label in fdef.choices:
                assert validation.parse_field(fdef, value, case, NOW) == (value, None)
            assert validation.parse_field(fdef, "not-a-choice", case, NOW)[0] is None


def test_empty_input_clears_the_field(make_case):
    case = make_case()
    for fdef in (field("statement", "taker_name"), field("statement", "statement_at"), field("statement", "vps")):
        assert validation.parse_field(fdef, "", case, NOW) == (None, None)
        assert validation.parse_field(fdef, "   ", case, NOW) == (None, None)
        assert validation.parse_field(fdef, None, case, NOW) == (None, None)


def test_bool_fields(make_case):
    case = make_case()
    fdef = field("oic_assigned", "victim_told")
    assert validation.parse_field(fdef, True, case, NOW) == (True, None)
    assert validation.parse_field(fdef, False, case, NOW) == (False, None)


def test_text_is_cleaned_and_limited(make_case):
    case = make_case()
    one_line = field("support_handover", "handed_to")
    assert validation.parse_field(one_line, "PS \x1b[31mKay\nBrown", case, NOW) == ("PS Kay Brown", None)
    value, problem = validation.parse_field(one_line, "x" * 501, case, NOW)
    assert value is None and "too long" in problem
    long = field("statement", "impact")
    assert validation.parse_field(long, "line one\nline two\x07", case, NOW) == ("line one\nline two", None)
    assert validation.parse_field(long, "y" * 2000, case, NOW) == ("y" * 2000, None)


# --- what a step needs before it is done ----------------------------------------------------------


def record(**fields) -> StepRecord:
    return StepRecord(status=StepStatus.IN_PROGRESS, fields=fields)


def test_missing_lists_the_required_fields(make_case):
    case = make_case()
    problems = missing_for_done(step("welfare_contact"), StepRecord(), case, NOW)
    # Medical care is asked on the case (always answered there) and shown here: one value, not two.
    assert set(problems) == {"contact_at", "contact_method", "how_are_you"}
    assert problems["how_are_you"] == "'How are they?' is needed to mark this step done."


def good_statement(**over):
    values = dict(
        taker_name="PC Jo Rudd",
        taker_number="5555",
        statement_at=iso(INCIDENT + timedelta(hours=3)),
        impact="Anxious at work.",
        vps="taken",
    )
    values.update(over)
    return record(**values)


def test_statement_complete(make_case):
    assert missing_for_done(step("statement"), good_statement(), make_case(), NOW) == {}


def test_vps_declined_needs_a_reason(make_case):
    case = make_case()
    problems = missing_for_done(step("statement"), good_statement(vps="declined"), case, NOW)
    assert list(problems) == ["vps_declined_reason"]
    assert (
        missing_for_done(
            step("statement"), good_statement(vps="declined", vps_declined_reason="Wants to think about it"), case, NOW
        )
        == {}
    )
    # Only "declined" asks for a reason.
    assert missing_for_done(step("statement"), good_statement(vps="later"), case, NOW) == {}


def test_handover_needed_needs_who(make_case):
    case = make_case()
    sdef = step("support_handover")
    assert list(missing_for_done(sdef, record(support_needed="no", handover_needed="yes"), case, NOW)) == ["handed_to"]
    assert missing_for_done(sdef, record(support_needed="no", handover_needed="no"), case, NOW) == {}
    assert (
        missing_for_done(sdef, record(support_needed="no", handover_needed="yes", handed_to="PS Kay"), case, NOW) == {}
    )


def test_sick_leave_needs_a_contact_frequency(make_case):
    case = make_case()
    sdef = step("longer_term")
    assert missing_for_done(sdef, record(), case, NOW) == {}
    assert list(missing_for_done(sdef, record(sick_leave=True), case, NOW)) == ["sick_from", "contact_every"]
    off = iso(INCIDENT + timedelta(days=1))
    assert missing_for_done(sdef, record(sick_leave=True, sick_from=off, contact_every="7"), case, NOW) == {}


@pytest.mark.parametrize("told", [None, False])
def test_oic_victim_told_must_be_ticked(make_case, told):
    case = make_case()
    values = dict(oic_name="DC Lee", oic_number="7001", assigned_at=iso(INCIDENT + timedelta(hours=2)))
    if told is not None:
        values["victim_told"] = told
    problems = missing_for_done(step("oic_assigned"), record(**values), case, NOW)
    assert list(problems) == ["victim_told"]
    assert problems["victim_told"].startswith("Tick 'Victim told who the OIC is'")
    assert missing_for_done(step("oic_assigned"), record(**{**values, "victim_told": True}), case, NOW) == {}


def test_senior_review_must_be_signed_off(make_case):
    case = make_case()
    values = dict(reviewer_name="Ch Insp Hollis", reviewer_number="301", reviewed_at=iso(NOW), findings="Fine.")
    assert list(missing_for_done(step("senior_review"), record(**values), case, NOW)) == ["signed_off"]
    assert missing_for_done(step("senior_review"), record(**values, signed_off=False), case, NOW) != {}
    assert missing_for_done(step("senior_review"), record(**values, signed_off=True), case, NOW) == {}


def outcome_values(outcome: str, **over):
    values = dict(outcome=outcome, decided_at=iso(utc(2026, 6, 9, 10)), victim_told_at=iso(utc(2026, 6, 9, 15)))
    values.update(over)
    return values


@pytest.mark.parametrize("outcome", sorted(C.VRR_OUTCOMES))
def test_outcomes_under_a_vrr_scheme_need_the_discussion_and_vrr(make_case, outcome):
    """NPCC police VRR scheme (decisions not to charge an identified suspect) and CPS VRR scheme
    (decisions not to charge, to discontinue or to offer no evidence)."""
    case = make_case()
    problems = missing_for_done(step("outcome"), record(**outcome_values(outcome)), case, NOW)
    assert set(problems) == {"nfa_discussed", "vrr_explained"}
    assert "Tick" in problems["vrr_explained"]
    half = outcome_values(outcome, nfa_discussed=True)
    assert set(missing_for_done(step("outcome"), record(**half), case, NOW)) == {"vrr_explained"}
    both = outcome_values(outcome, nfa_discussed=True, vrr_explained=True)
    assert missing_for_done(step("outcome"), record(**both), case, NOW) == {}


@pytest.mark.parametrize("outcome", sorted(C.NFA_OUTCOMES - C.VRR_OUTCOMES))
def test_decisions_outside_the_vrr_schemes_are_still_explained_without_vrr(make_case, outcome):
    """The NPCC scheme does not cover a victim who withdrew support, no suspect identified, or a time
    limit that ran out; the OIC still explains the decision (DOMAIN.md, rules)."""
    case = make_case(offence="pa_s89")
    problems = missing_for_done(step("outcome"), record(**outcome_values(outcome)), case, NOW)
    assert set(problems) == {"nfa_discussed"}
    done = outcome_values(outcome, nfa_discussed=True)
    assert missing_for_done(step("outcome"), record(**done), case, NOW) == {}


@pytest.mark.parametrize("outcome", sorted({v for v, _ in C.OUTCOMES} - C.NFA_OUTCOMES - {"convicted"}))
def test_other_outcomes_do_not_need_the_vrr_ticks(make_case, outcome):
    case = make_case()
    assert missing_for_done(step("outcome"), record(**outcome_values(outcome)), case, NOW) == {}


def test_a_conviction_needs_the_sentence_date(make_case):
    """Victims' Code Right 9: the victim is told the outcome, sentence included."""
    case = make_case()
    assert list(missing_for_done(step("outcome"), record(**outcome_values("convicted")), case, NOW)) == ["sentenced_at"]
    done = outcome_values("convicted", sentenced_at=iso(utc(2026, 6, 9, 14)))
    assert missing_for_done(step("outcome"), record(**done), case, NOW) == {}


def test_saved_values_are_rechecked_when_the_case_changes(make_case):
    case = make_case(victim_number="PC 9999", occurred_at=INCIDENT)
    values = dict(
        oic_name="DC Lee", oic_number="PC 1234", assigned_at=iso(INCIDENT + timedelta(hours=2)), victim_told=True
    )
    assert missing_for_done(step("oic_assigned"), record(**values), case, NOW) == {}
    # The victim's number is corrected to the OIC's: the OIC can no longer be them.
    case.victim.number = "PC 1234"
    problems = missing_for_done(step("oic_assigned"), record(**values), case, NOW)
    assert list(problems) == ["oic_number"]
    assert "cannot be the investigating officer" in problems["oic_number"]
    # The incident time is corrected to later than the assignment.
    case.victim.number = "PC 9999"
    case.incident.occurred_at = INCIDENT + timedelta(hours=5)
    problems = missing_for_done(step("oic_assigned"), record(**values), case, NOW)
    assert list(problems) == ["assigned_at"]
    assert "before the incident" in problems["assigned_at"]


def test_a_saved_future_date_is_caught(make_case):
    case = make_case()
    values = dict(
        reviewer_name="Ch Insp Hollis",
        reviewer_number="301",
        reviewed_at=iso(NOW + timedelta(days=1)),
        findings="Fine.",
        signed_off=True,
    )
    problems = missing_for_done(step("senior_review"), record(**values), case, NOW)
    assert list(problems) == ["reviewed_at"]
    assert "future" in problems["reviewed_at"]


# --- progress -------------------------------------------------------------------------------------


def test_progress_of_a_new_case(make_case):
    case = make_case()
    assert progress.progress(case) == (0, 10)
    assert progress.next_step(case).key == "supervisor_aware"
    assert not progress.is_complete(case)
    assert not progress.awaiting_review(case)
    assert not progress.is_closed(case)


def test_progress_counts_done_and_not_applicable(make_case):
    case = make_case()
    finish(case, "supervisor_aware", "welfare_contact")
    finish(case, "support_handover", status=StepStatus.NOT_APPLICABLE)
    case.steps["statement"].status = StepStatus.IN_PROGRESS
    assert progress.progress(case) == (3, 10)
    assert progress.next_step(case).key == "statement"


def test_next_step_is_the_first_unfinished_even_out_of_order(make_case):
    case = make_case()
    finish(case, *STEP_KEYS[1:5])
    assert progress.next_step(case).key == "supervisor_aware"


def test_awaiting_review_then_complete(make_case):
    case = make_case()
    finish(case, *[k for k in STEP_KEYS if k != "senior_review"])
    assert progress.progress(case) == (9, 10)
    assert progress.next_step(case).key == "senior_review"
    assert progress.awaiting_review(case)
    assert not progress.is_complete(case)

    # Marked done but not signed off: still not complete.
    case.steps["senior_review"].status = StepStatus.DONE
    assert progress.progress(case) == (10, 10)
    assert progress.next_step(case) is None
    assert not progress.is_complete(case)
    assert progress.awaiting_review(case)

    case.steps["senior_review"].fields = {"signed_off": True}
    assert progress.is_complete(case)
    assert progress.is_closed(case)
    assert not progress.awaiting_review(case)
    assert deadlines.obligations(case, NOW) == []


def test_review_not_applicable_is_not_complete(make_case):
    case = make_case()
    finish(case, *[k for k in STEP_KEYS if k != "senior_review"])
    finish(case, "senior_review", status=StepStatus.NOT_APPLICABLE)
    assert not progress.is_complete(case)


def test_closed_early_is_not_awaiting_review_and_has_no_clocks(make_case):
    case = make_case()
    finish(case, *[k for k in STEP_KEYS if k != "senior_review"])
    case.closed_reason = "Duplicate of OH-260607-ABCD"
    assert progress.is_closed(case)
    assert not progress.is_complete(case)
    assert not progress.awaiting_review(case)
    assert deadlines.obligations(case, NOW) == []
    assert deadlines.overdue(case, NOW + timedelta(days=400)) == []


# --- victims' right to review ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "scheme"),
    [
        ("evidential_supports", "police"),
        ("evidential_not_supports", None),  # the victim withdrew support: not covered (NPCC scheme)
        ("not_public_interest", "police"),
        ("time_expired", None),  # not covered (NPCC scheme)
        ("cps_no_charge", "cps"),  # CPS pre-charge decision not to charge (CPS scheme)
        ("cps_discontinued", "cps"),
        ("charged", None),
        ("caution", None),
        ("community_resolution", None),
        ("no_suspect", None),
        ("convicted", None),
        ("acquitted", None),
        (None, None),
        ("", None),
    ],
)
def test_vrr_scheme_and_required(outcome, scheme):
    """NPCC police VRR scheme and CPS VRR scheme: which decisions each covers."""
    assert deadlines.vrr_scheme(outcome) == scheme
    assert (outcome in C.VRR_OUTCOMES) is (scheme is not None)


def test_police_vrr_deadline_is_three_calendar_months(make_case):
    case = make_case(occurred_at=utc(2026, 1, 10, 9))
    case.steps["outcome"].fields = {"outcome": "not_public_interest", "decided_at": iso(utc(2026, 1, 31, 10))}
    # 31 Jan + 3 months = 30 April (clamped to the end of April): by the end of that day (BST).
    due = deadlines.vrr_deadline(case)
    assert due.due_at == utc(2026, 4, 30, 23) and due.by() == "by the end of Thu 30/04/2026"
    # When the victim was told does not move the police deadline.
    case.steps["outcome"].fields = {**case.steps["outcome"].fields, "victim_told_at": iso(utc(2026, 2, 20, 10))}
    assert deadlines.vrr_deadline(case).due_at == utc(2026, 4, 30, 23)


def test_cps_vrr_deadline_is_ten_working_days_from_when_the_victim_was_told(make_case):
    case = make_case(occurred_at=utc(2026, 5, 1, 9))
    # Decided Mon 1 June, victim told Wed 3 June: 10 working days runs to the end of Wed 17 June (BST).
    case.steps["outcome"].fields = {
        "outcome": "cps_discontinued",
        "decided_at": iso(utc(2026, 6, 1, 10)),
        "victim_told_at": iso(utc(2026, 6, 3, 10)),
    }
    assert deadlines.vrr_deadline(case).due_at == utc(2026, 6, 17, 23)
    assert deadlines.vrr_deadline(case).by() == "by the end of Wed 17/06/2026"


def test_cps_vrr_deadline_without_victim_told_counts_from_the_decision(make_case):
    case = make_case(occurred_at=utc(2026, 5, 1, 9))
    case.steps["outcome"].fields = {"outcome": "cps_discontinued", "decided_at": iso(utc(2026, 6, 1, 10))}
    assert deadlines.vrr_deadline(case).due_at == utc(2026, 6, 15, 23)


def test_cps_vrr_deadline_over_christmas(make_case):
    case = make_case(occurred_at=utc(2026, 11, 1, 9))
    case.steps["outcome"].fields = {
        "outcome": "cps_discontinued",
        "decided_at": iso(utc(2026, 12, 22, 10)),
        "victim_told_at": iso(utc(2026, 12, 24, 12)),
    }
    # 29, 30, 31 Dec; 4, 5, 6, 7, 8, 11, 12 Jan (25, 28 Dec and 1 Jan are bank holidays).
    assert deadlines.vrr_deadline(case).due_at == utc(2027, 1, 13, 0)
    assert deadlines.vrr_deadline(case).by() == "by the end of Tue 12/01/2027"


def test_no_vrr_deadline_without_a_vrr_outcome_or_decision(make_case):
    case = make_case()
    assert deadlines.vrr_deadline(case) is None
    case.steps["outcome"].fields = {"outcome": "charged", "decided_at": iso(NOW)}
    assert deadlines.vrr_deadline(case) is None
    case.steps["outcome"].fields = {"outcome": "not_public_interest"}
    assert deadlines.vrr_deadline(case) is None


# --- enhanced rights ------------------------------------------------------------------------------


def test_hate_crime_gives_enhanced_rights(make_case):
    assert deadlines.enhanced_rights(make_case(hate_crime=True, hate_strands=["race"]))
    assert deadlines.update_limit_days(make_case(hate_crime=True, hate_strands=["race"])) == 1
    assert not deadlines.enhanced_rights(make_case())
    assert deadlines.update_limit_days(make_case()) == 5


# --- repeat victims -------------------------------------------------------------------------------


def test_earlier_cases_finds_the_same_victim_before_this_incident(make_case):
    first = make_case(victim_number="PC 1234", occurred_at=utc(2025, 3, 1, 10), case_id="OH-250301-AAAA")
    second = make_case(victim_number="pc1234", occurred_at=utc(2025, 11, 5, 10), case_id="OH-251105-BBBB")
    later = make_case(victim_number="1234", occurred_at=utc(2026, 6, 9, 10), case_id="OH-260609-CCCC")
    other = make_case(victim_number="PC 4321", occurred_at=utc(2025, 5, 1, 10), case_id="OH-250501-DDDD")
    summaries = [summary.summarise(c) for c in (later, other, second, first)]
    now_case = make_case(victim_number="PC 1234", occurred_at=INCIDENT, case_id="OH-NOW")
    found = summary.earlier_cases(now_case, summaries)
    assert [s.id for s in found] == ["OH-250301-AAAA", "OH-251105-BBBB"]
    # The case itself (same time) is not an earlier case.
    assert [s.id for s in summary.earlier_cases(first, summaries)] == []
    assert (
        summary.earlier_cases(make_case(victim_number="PC 4321", occurred_at=INCIDENT), summaries)[0].id
        == "OH-250501-DDDD"
    )


# --- obligations and overdue ----------------------------------------------------------------------


def test_welfare_contact_due_24_hours_after_the_incident(make_case):
    case = make_case(occurred_at=INCIDENT, offence="abh_s47")
    right4_done(case)
    dues = deadlines.obligations(case, NOW)
    assert [(d.what, d.due_at, d.step) for d in dues] == [
        ("Welfare contact with the victim", INCIDENT + timedelta(hours=24), "welfare_contact")
    ]
    assert not dues[0].overdue(INCIDENT + timedelta(hours=23, minutes=59))
    assert dues[0].overdue(INCIDENT + timedelta(hours=24))
    assert [d.what for d in deadlines.overdue(case, NOW)] == ["Welfare contact with the victim"]
    finish(case, "welfare_contact")
    assert deadlines.obligations(case, NOW) == []


@pytest.mark.parametrize(("hate", "deadline"), [(False, utc(2026, 6, 15, 23)), (True, utc(2026, 6, 9, 23))])
def test_arrest_must_be_told_within_5_or_1_working_days(make_case, sergeant, hate, deadline):
    case = make_case(occurred_at=INCIDENT, offence="abh_s47", hate_crime=hate, hate_strands=["race"] if hate else [])
    finish(case, "welfare_contact")
    arrest = utc(2026, 6, 8, 10)  # Monday
    case, _ = apply(case, OIC, arrest, appends={"status_history": log(arrest, kind="arrested")})
    dues = due_for(case, "Tell victim")
    assert [(d.what, d.due_at, d.step) for d in dues] == [("Tell victim: arrest", deadline, "kept_informed")]
    assert dues[0].overdue(deadline)
    assert not dues[0].overdue(deadline - timedelta(seconds=1))

    # An update dated before the arrest does not count.
    case, _ = apply(case, OIC, arrest, appends={"updates": log(arrest - timedelta(minutes=30), summary="Early")})
    assert len(due_for(case, "Tell victim")) == 1
    # An update after it clears it.
    told = utc(2026, 6, 9, 8)
    case, _ = apply(case, OIC, told, appends={"updates": log(told, method="phone", summary="Told of arrest")})
    assert due_for(case, "Tell victim") == []


def test_each_notifiable_event_needs_its_own_update(make_case):
    case = make_case(occurred_at=INCIDENT, offence="abh_s47")
    finish(case, "welfare_contact")
    case.status_history = [log(utc(2026, 6, 8, 10), kind="arrested"), log(utc(2026, 6, 9, 10), kind="rui")]
    case.updates = [log(utc(2026, 6, 8, 18), summary="Told of arrest")]
    dues = due_for(case, "Tell victim")
    assert [(d.what, d.due_at) for d in dues] == [("Tell victim: RUI", utc(2026, 6, 16, 23))]
    # Not every status change is an event to tell the victim about.
    case.status_history = [log(utc(2026, 6, 8, 10), kind="identified")]
    assert due_for(case, "Tell victim") == []


def test_outcome_must_be_told_within_the_limit(make_case):
    case = make_case(occurred_at=INCIDENT, offence="abh_s47")
    finish(case, "welfare_contact")
    case.steps["outcome"].fields = {"outcome": "charged", "decided_at": iso(utc(2026, 6, 9, 10))}
    dues = due_for(case, "Tell victim the outcome")
    assert [(d.due_at, d.step) for d in dues] == [(utc(2026, 6, 16, 23), "outcome")]
    case.steps["outcome"].fields = {**case.steps["outcome"].fields, "victim_told_at": iso(utc(2026, 6, 9, 12))}
    assert due_for(case, "Tell victim the outcome") == []


def test_referral_within_2_working_days(make_case):
    case = make_case(occurred_at=utc(2026, 6, 5, 8), offence="abh_s47")
    finish(case, "welfare_contact")
    need = utc(2026, 6, 5, 10)  # Friday
    right4_done(case)
    case.referrals = [*case.referrals, log(need, kind="trim")]
    dues = due_for(case, "Referral")
    assert [(d.what, d.due_at, d.step) for d in dues] == [("Referral: TRiM", utc(2026, 6, 9, 23), "longer_term")]
    assert [d.what for d in deadlines.overdue(case, NOW)] == ["Referral: TRiM"]
    case.referrals = [*case.referrals[:1], log(need, kind="trim", done_at=utc(2026, 6, 8, 9))]
    assert due_for(case, "Referral") == []


def test_routine_updates_at_the_agreed_frequency(make_case):
    case = make_case(occurred_at=INCIDENT, offence="abh_s47")
    finish(case, "welfare_contact")
    case.steps["oic_assigned"].fields = {"assigned_at": iso(utc(2026, 6, 8, 12))}
    case.steps["kept_informed"].fields = {"frequency": "14"}
    right4_done(case)
    # 14 days from Mon 8 June: by the end of Mon 22 June (a day count ends at the end of its London day).
    assert [d.by() for d in due_for(case, "Routine update")] == ["by the end of Mon 22/06/2026"]
    assert [d.due_at for d in due_for(case, "Routine update")] == [utc(2026, 6, 22, 23)]
    case.updates = [log(utc(2026, 6, 12, 9), summary="Weekly call")]
    assert [d.due_at for d in due_for(case, "Routine update")] == [utc(2026, 6, 26, 23)]
    assert deadlines.overdue(case, utc(2026, 6, 26, 23))[0].what == "Routine update to the victim"
    assert deadlines.overdue(case, utc(2026, 6, 26, 22, 59)) == []
    # "Only when something happens" sets no routine clock.
    case.steps["kept_informed"].fields = {"frequency": "0"}
    assert due_for(case, "Routine update") == []
    # Nor once the case has ended for the victim (here, a caution they have been told about).
    case.steps["kept_informed"].fields = {"frequency": "7"}
    case.steps["outcome"].fields = {"outcome": "caution", "decided_at": iso(NOW), "victim_told_at": iso(NOW)}
    assert due_for(case, "Routine update") == []


def test_routine_update_without_an_oic_counts_from_when_the_case_was_made(make_case):
    case = make_case(occurred_at=INCIDENT, offence="abh_s47", created_at=INCIDENT + timedelta(hours=1))
    case.steps["kept_informed"].fields = {"frequency": "7"}
    assert [d.due_at for d in due_for(case, "Routine update")] == [utc(2026, 6, 15, 23)]  # end of Mon 15 June


def test_sick_leave_welfare_contacts(make_case):
    case = make_case(occurred_at=INCIDENT, offence="abh_s47")
    finish(case, "welfare_contact")
    lt = case.steps["longer_term"]
    lt.at = utc(2026, 6, 9, 9)
    lt.fields = {"sick_leave": True, "contact_every": "7"}
    assert [(d.what, d.due_at, d.step) for d in due_for(case, "Welfare contact (sick")] == [
        ("Welfare contact (sick leave)", utc(2026, 6, 16, 23), "longer_term")
    ]
    case.welfare_contacts = [log(utc(2026, 6, 15, 11), method="phone", summary="Call")]
    assert [d.due_at for d in due_for(case, "Welfare contact (sick")] == [utc(2026, 6, 22, 23)]
    # Back on normal duties: the contact clock stops.
    lt.fields = {
        "sick_leave": True,
        "contact_every": "7",
        "sick_from": iso(utc(2026, 6, 9, 8)),
        "sick_until": iso(utc(2026, 6, 12, 8)),
    }
    assert due_for(case, "Welfare contact (sick") == []
    lt.fields = {"sick_leave": False, "contact_every": "7"}
    assert due_for(case, "Welfare contact (sick") == []


@pytest.mark.parametrize("offence", sorted(C.SUMMARY_OFFENCES))
def test_six_month_time_limit_for_summary_offences(make_case, offence):
    """Magistrates' Courts Act 1980 s127: summary-only offences (Police Act 1996 s89, Public Order Act
    s4/4A/5) need proceedings within 6 months of the offence; the day of the offence is not counted."""
    occurred = utc(2026, 1, 15, 10)  # GMT
    case = make_case(occurred_at=occurred, offence=offence)
    finish(case, "welfare_contact")
    dues = due_for(case, "Charge by 6-month")
    assert [(d.due_at, d.step) for d in dues] == [(utc(2026, 7, 15, 23), "outcome")]  # end of 15 July (BST)
    assert dues[0].by() == "by the end of Wed 15/07/2026"
    assert not dues[0].overdue(utc(2026, 7, 15, 22, 59))
    assert dues[0].overdue(utc(2026, 7, 15, 23))


def test_no_six_month_limit_for_indictable_offences_or_once_decided(make_case):
    case = make_case(occurred_at=utc(2026, 1, 15, 10), offence="abh_s47")
    assert due_for(case, "Charge by 6-month") == []
    case = make_case(occurred_at=utc(2026, 1, 15, 10), offence="pa_s89")
    case.suspect.status = "charged"
    assert due_for(case, "Charge by 6-month") == []
    case = make_case(occurred_at=utc(2026, 1, 15, 10), offence="pa_s89")
    case.steps["outcome"].fields = {"outcome": "no_suspect"}
    assert due_for(case, "Charge by 6-month") == []


def test_obligations_soonest_first(make_case):
    case = make_case(occurred_at=INCIDENT, offence="pa_s89")
    case.referrals = [log(utc(2026, 6, 8, 10), kind="eap")]
    case.steps["kept_informed"].fields = {"frequency": "28"}
    dues = deadlines.obligations(case, NOW)
    assert [d.what for d in dues] == [
        "Welfare contact with the victim",
        "Referral: EAP",
        "Right 4: victim support",
        "Routine update to the victim",
        "Charge by 6-month limit (s127)",
    ]
    assert [d.due_at for d in dues] == sorted(d.due_at for d in dues)
    assert [d.what for d in deadlines.overdue(case, NOW)] == ["Welfare contact with the victim"]


# --- RUI ------------------------------------------------------------------------------------------


def test_rui_since_and_duration(make_case):
    case = make_case(occurred_at=INCIDENT)
    assert deadlines.rui_since(case) is None
    case.status_history = [log(utc(2026, 6, 8, 10), kind="arrested"), log(utc(2026, 6, 8, 20), kind="rui")]
    case.suspect.status = "rui"
    assert deadlines.rui_since(case) == utc(2026, 6, 8, 20)
    assert deadlines.rui_duration(case, NOW) == timedelta(days=1, hours=16)
    case.suspect.status = "charged"
    assert deadlines.rui_duration(case, NOW) is None


# --- the index summary ----------------------------------------------------------------------------


def test_summarise_a_new_case(make_case):
    case = make_case(victim_number="PC 1234", occurred_at=INCIDENT, case_id="OH-260608-TEST")
    s = summary.summarise(case)
    assert s.id == "OH-260608-TEST"
    assert s.rev == 0
    assert s.victim_name == "Sam Okafor"
    assert s.victim_number == "PC1234"
    assert s.occurred_at == INCIDENT
    assert s.offence == "aew_s1"
    assert s.hate is False and s.enhanced == []
    assert (s.done, s.total) == (0, 10)
    assert s.next_step == "supervisor_aware"
    assert s.complete is False and s.closed is False and s.awaiting_review is False
    assert s.outcome == ""
    assert (s.dues[0].what, s.dues[0].due_at, s.dues[0].step) == (
        "Welfare contact with the victim",
        INCIDENT + timedelta(hours=24),
        "welfare_contact",
    )
    # Common assault on an emergency worker has no 6-month clock (it is triable either way).
    assert [d.what for d in s.dues] == ["Welfare contact with the victim", "Right 4: victim support"]
    # Only real numbers, normalised: no blank entry for the people not yet named.
    assert s.people == ["PS4521"]


def test_summarise_lists_the_people_on_the_case(make_case):
    case = make_case(victim_number="PC 1234")
    case.steps["supervisor_aware"].fields = {"supervisor_number": "PS 4521"}
    case.steps["oic_assigned"].fields = {"oic_number": "dc7001"}
    case.steps["longer_term"].fields = {"support_officer_number": "PC 3003"}
    case.steps["senior_review"].fields = {"reviewer_number": "Supt 12"}
    finish(case, *[k for k in STEP_KEYS if k != "senior_review"])
    case.steps["outcome"].fields = {"outcome": "caution"}
    s = summary.summarise(case)
    assert s.people == ["DC7001", "PC3003", "PS4521", "SUPT12"]
    assert s.awaiting_review is True
    assert s.next_step == "senior_review"
    assert s.outcome == "caution"
    assert (s.done, s.total) == (9, 10)


def test_summarise_is_json_safe(make_case):
    case = make_case(hate_crime=True, hate_strands=["religion"])
    s = summary.summarise(case)
    assert summary.CaseSummary.model_validate_json(s.model_dump_json()) == s
    assert s.hate is True and s.enhanced == ["hate crime"]


def test_racially_aggravated_offence_gives_enhanced_rights_without_the_flag(make_case):
    case = make_case(offence="racial_s29")
    assert case.hate_crime is False
    assert deadlines.enhanced_rights(case) is True
    assert deadlines.update_limit_days(case) == 1
    assert deadlines.update_limit_days(make_case(offence="abh_s47")) == 5
