"""The law the clocks and rights follow, one rule per test, each naming its source.

Written from the rules themselves (DOMAIN.md "Time limits" and "Rules the app enforces", corrected
against the Acts, the Victims' Code 2020 and the VRR schemes), not from what the code returns.
Dates are worked out by hand in the comments.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ophamp_tui.data import choices as C
from ophamp_tui.data import deadlines, validation
from ophamp_tui.data.checklist import LOGS, step
from ophamp_tui.data.clock import fmt_by, iso
from ophamp_tui.data.edits import apply
from ophamp_tui.data.leaflet import what_to_expect
from ophamp_tui.data.models import Actor, LogEntry, StepRecord, StepStatus
from ophamp_tui.data.summary import earlier_cases, summarise, victim_cases

UTC = UTC


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


NOW = utc(2026, 6, 10, 12, 0)  # Wed 10 June 2026, 13:00 BST
INCIDENT = utc(2026, 6, 8, 8, 0)  # Mon 8 June, 09:00 BST
OIC = Actor(name="DC Lee Marsh", number="DC 7001", role="oic")


def log(at: datetime, **kw) -> LogEntry:
    return LogEntry(at=at, by=OIC, recorded_at=at, **kw)


def whats(case, now: datetime = NOW) -> list[str]:
    return [d.what for d in deadlines.obligations(case, now)]


def due(case, prefix: str) -> deadlines.Due:
    [found] = [d for d in deadlines.obligations(case) if d.what.startswith(prefix)]
    return found


def with_step(case, key: str, **fields) -> None:
    case.steps[key] = StepRecord(status=StepStatus.IN_PROGRESS, fields=fields)


# --- 1. the 6-month time limit ------------------------------------------------------------------


def test_aew_act_s1_is_triable_either_way_so_has_no_six_month_limit(make_case):
    """Assaults on Emergency Workers (Offences) Act 2018 s1(2): triable either way, so the
    Magistrates' Courts Act 1980 s127 six-month limit (summary offences only) does not apply."""
    case = make_case(occurred_at=utc(2026, 1, 15, 10), offence="aew_s1")
    assert not [w for w in whats(case) if "Charge by 6-month" in w]
    assert "aew_s1" not in C.SUMMARY_OFFENCES


@pytest.mark.parametrize("offence", ["pa_s89", "public_order"])
def test_police_act_s89_and_public_order_are_summary_only_with_six_months(make_case, offence):
    """Police Act 1996 s89 and Public Order Act 1986 s4/4A/5 are summary-only: proceedings within
    6 months of the offence (MCA 1980 s127). 15 Jan -> by the end of 15 July."""
    case = make_case(occurred_at=utc(2026, 1, 15, 10), offence=offence)
    assert due(case, "Charge by 6-month").by() == "by the end of Wed 15/07/2026"


@pytest.mark.parametrize("offence", ["aew_s1", "abh_s47", "gbh_s18"])
def test_time_limit_expired_cannot_be_the_outcome_of_an_offence_without_one(make_case, offence):
    """MCA 1980 s127 covers summary-only offences: 'prosecution time limit expired' is refused for others."""
    case = make_case(offence=offence)
    value, problem = validation.parse_field(step("outcome").field("outcome"), "time_expired", case, NOW)
    assert value is None and "s127" in problem and "not a summary-only offence" in problem
    summary_only = make_case(offence="pa_s89")
    assert validation.parse_field(step("outcome").field("outcome"), "time_expired", summary_only, NOW) == (
        "time_expired",
        None,
    )


# --- 2. enhanced rights -------------------------------------------------------------------------

ARREST = utc(2026, 6, 8, 10)  # Monday: 1 working day -> end of Tue 9 June; 5 -> end of Mon 15 June


def arrested(case):
    case, _ = apply(case, OIC, ARREST, appends={"status_history": log(ARREST, kind="arrested")})
    return case


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"offence": "sexual"}, "sexual offence"),
        ({"offence": "gbh_s18"}, "wounding/GBH with intent"),
        ({"offence": "racial_s29"}, "hate crime"),
        ({"hate_crime": True, "hate_strands": ["disability"]}, "hate crime"),
        ({"persistently_targeted": True}, "persistently targeted"),
        ({"vulnerable_intimidated": True}, "vulnerable or intimidated"),
    ],
)
def test_enhanced_rights_give_one_working_day_and_say_why(make_case, kwargs, reason):
    """Victims' Code 2020, enhanced rights: victims of the most serious crime (hate crime, sexual
    offences, GBH with intent), persistently targeted victims, and vulnerable or intimidated victims
    are told of each development within 1 working day instead of 5 (Right 6)."""
    case = arrested(make_case(occurred_at=INCIDENT, **kwargs))
    assert deadlines.enhanced_reasons(case) == [reason]
    assert deadlines.enhanced_text(case) == f"Enhanced rights: {reason}"
    assert due(case, "Tell victim: arrest").by() == "by the end of Tue 09/06/2026"


def test_standard_rights_give_five_working_days(make_case):
    """Victims' Code Right 6: 5 working days for other victims (Mon 8 -> end of Mon 15 June)."""
    case = arrested(make_case(occurred_at=INCIDENT, offence="abh_s47"))
    assert deadlines.enhanced_reasons(case) == []
    assert due(case, "Tell victim: arrest").by() == "by the end of Mon 15/06/2026"


def test_the_offence_corrected_at_step_5_decides_enhanced_rights(make_case):
    """The offence recorded at step 5 counts: it is the case's offence, corrected in one place."""
    case = make_case(occurred_at=INCIDENT, offence="abh_s47")
    offence = step("crime_recorded").field("offence")
    assert offence.path == "incident.offence"
    case, _ = apply(case, OIC, NOW, sets={offence.path: "sexual"})
    assert deadlines.enhanced_text(case) == "Enhanced rights: sexual offence"


def test_every_reason_is_given_not_just_hate_crime(make_case):
    case = make_case(offence="gbh_s18", hate_crime=True, hate_strands=["race"], vulnerable_intimidated=True)
    assert deadlines.enhanced_text(case) == (
        "Enhanced rights: hate crime, wounding/GBH with intent, vulnerable or intimidated"
    )


# --- 3. the Victims' Right to Review --------------------------------------------------------------


def test_a_cps_decision_not_to_charge_gets_the_cps_ten_working_day_route(make_case):
    """CPS VRR scheme: a CPS pre-charge decision not to charge can be reviewed; ordinarily asked
    within 10 working days of being told. Told Wed 3 June -> by the end of Wed 17 June."""
    case = make_case(occurred_at=utc(2026, 5, 1, 9))
    case.steps["outcome"].fields = {
        "outcome": "cps_no_charge",
        "decided_at": iso(utc(2026, 6, 1, 10)),
        "victim_told_at": iso(utc(2026, 6, 3, 10)),
    }
    assert deadlines.vrr_scheme("cps_no_charge") == "cps"
    assert deadlines.vrr_deadline(case).by() == "by the end of Wed 17/06/2026"
    assert "CPS VRR applies" in deadlines.vrr_words(case)


@pytest.mark.parametrize("outcome", ["evidential_not_supports", "time_expired", "no_suspect"])
def test_no_vrr_where_the_npcc_scheme_does_not_reach_but_the_oic_still_explains(make_case, outcome):
    """NPCC VRR scheme: not for a victim who withdrew support, a time limit that expired, or no
    suspect identified. The OIC still discusses the decision with the victim."""
    case = make_case(offence="pa_s89")
    assert deadlines.vrr_scheme(outcome) is None
    sdef = step("outcome")
    values = {"outcome": outcome, "decided_at": iso(utc(2026, 6, 9, 10)), "victim_told_at": iso(utc(2026, 6, 9, 12))}
    case.steps["outcome"] = StepRecord(status=StepStatus.IN_PROGRESS, fields=values)
    problems = validation.missing_for_done(sdef, case, NOW)
    assert set(problems) == {"nfa_discussed"}
    assert "No Victims' Right to Review" in deadlines.vrr_words(case)


def test_cps_altering_the_charge_is_told_within_the_limit(make_case):
    """Victims' Code Right 6: the victim is told when the CPS alters the charge, within 5 working days
    (1 for enhanced rights). Altered Tue 9 June -> end of Tue 16 June."""
    case = make_case(occurred_at=INCIDENT, offence="abh_s47")
    altered = utc(2026, 6, 9, 10)
    case, _ = apply(case, OIC, altered, appends={"status_history": log(altered, kind="charge_altered")})
    assert due(case, "Tell victim: charge altered").by() == "by the end of Tue 16/06/2026"
    assert "charge_altered" in C.NOTIFIABLE_STATUSES


# --- 4. pre-charge bail ---------------------------------------------------------------------------


def test_pre_charge_bail_runs_three_months_and_each_extension_is_recorded(make_case):
    """PACE 1984 s47ZB: the initial pre-charge bail period is 3 months; extensions (inspector,
    superintendent, court) set a new end date, each recorded in the suspect's log."""
    case = make_case(occurred_at=INCIDENT, offence="abh_s47")
    bailed = utc(2026, 6, 8, 14)
    case, _ = apply(case, OIC, bailed, appends={"status_history": log(bailed, kind="bail")})
    assert case.suspect.status == "bail"
    assert due(case, "Pre-charge bail ends").due_at == utc(2026, 9, 8, 14)  # 3 months on, same London time
    extended = utc(2026, 9, 1, 10)
    case, _ = apply(
        case, OIC, extended, appends={"status_history": log(extended, kind="bail_extended", until=utc(2026, 12, 8, 15))}
    )
    assert due(case, "Pre-charge bail ends").due_at == utc(2026, 12, 8, 15)
    assert deadlines.status_since(case) == bailed  # bail age counts from the first bail
    assert "on pre-charge bail for" in deadlines.suspect_words(case, utc(2026, 10, 1))
    # An extension needs its new date.
    fdef = next(f for f in LOGS["status_history"].fields if f.key == "until")
    values, problems = validation.parse_form(
        LOGS["status_history"].fields, {"kind": "bail_extended", "at": "today 10:00"}, case, NOW, purpose="to save it"
    )
    assert "until" in problems and fdef.future_ok


def test_rui_and_bail_age_show_in_the_queues(make_case):
    from ophamp_tui.data.queues import overdue_items, review_items

    case = make_case(occurred_at=utc(2026, 3, 1, 9), offence="abh_s47")
    case, _ = apply(case, OIC, utc(2026, 3, 1, 12), appends={"status_history": log(utc(2026, 3, 1, 12), kind="rui")})
    items = overdue_items([summarise(case)], NOW)
    assert items and all(i.suspect == "RUI 101d 0h" for i in items)  # 1 March 12:00 -> 10 June 12:00 UTC
    for key in case.steps:
        if key != "senior_review":
            case.steps[key].status = StepStatus.DONE
    assert review_items([summarise(case)], NOW)[0].suspect == "RUI 101d 0h"


# --- 5. routine updates go on until the case ends -------------------------------------------------


def test_routine_updates_continue_after_charge_until_the_case_ends(make_case):
    """Victims' Code Right 6 (and DOMAIN.md): routine updates at the agreed frequency continue until
    the case ends (the trial, the sentence, or the end of any review), not just until a charge."""
    case = make_case(occurred_at=INCIDENT, offence="abh_s47")
    case.steps["kept_informed"].fields = {"frequency": "7"}
    told = iso(utc(2026, 6, 9, 12))
    case.steps["outcome"].fields = {"outcome": "charged", "decided_at": told, "victim_told_at": told}
    assert "Routine update to the victim" in whats(case)
    case.steps["outcome"].fields = {"outcome": "convicted", "decided_at": told, "victim_told_at": told}
    assert "Routine update to the victim" in whats(case)  # awaiting sentence
    case.steps["outcome"].fields["sentenced_at"] = told
    assert "Routine update to the victim" not in whats(case)
    # A review asked for keeps the updates going until its result.
    case.steps["outcome"].fields = {
        "outcome": "not_public_interest",
        "decided_at": told,
        "victim_told_at": told,
        "vrr_requested": "yes",
        "vrr_result": "pending",
    }
    assert "Routine update to the victim" in whats(case)
    case.steps["outcome"].fields["vrr_result"] = "upheld"
    assert "Routine update to the victim" not in whats(case)


# --- 6. correcting the incident time --------------------------------------------------------------


def test_the_incident_time_can_be_corrected_earlier(make_case):
    """DOMAIN.md rules: the incident time can be corrected, earlier or later; only the steps and logs
    may not be dated before the incident."""
    case = make_case(occurred_at=INCIDENT)
    field = next(
        f
        for f in __import__("ophamp_tui.data.checklist", fromlist=["CASE_FORM"]).CASE_FORM
        if f.key == "incident.occurred_at"
    )
    assert validation.parse_field(field, "07/06/2026 22:00", case, NOW) == (iso(utc(2026, 6, 7, 21)), None)
    # Later is fine too, as long as nothing recorded on the case comes before it.
    case.steps["supervisor_aware"].fields = {"aware_at": iso(utc(2026, 6, 8, 9))}
    assert validation.parse_field(field, "08/06/2026 09:30", case, NOW)[1] is None
    value, problem = validation.parse_field(field, "08/06/2026 11:00", case, NOW)
    assert value is None and "Step 1 'When the supervisor learned of it'" in problem


# --- 7. health and safety, RIDDOR -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "needed"),
    [
        ({"injury": "none", "methods": ["push_pull"]}, False),
        ({"injury": "minor", "methods": ["punch"]}, True),
        ({"injury": "none", "methods": ["spit"]}, True),
        ({"injury": "none", "methods": ["kick", "bite"]}, True),
    ],
)
def test_health_and_safety_report_is_required_with_injury_or_possible_ill_health(make_case, kwargs, needed):
    """Force guidance (DOMAIN.md): a health and safety report is mandatory where there is injury or
    possible work-related ill health (spitting, biting), and is cross-referenced to the crime report."""
    case = make_case(occurred_at=INCIDENT)
    case.incident.injury, case.incident.methods = kwargs["injury"], kwargs["methods"]
    with_step(
        case,
        "supervisor_aware",
        supervisor_name="PS Kay",
        supervisor_number="PS 4521",
        aware_at=iso(INCIDENT + timedelta(minutes=5)),
    )
    problems = validation.missing_for_done(step("supervisor_aware"), case, NOW)
    assert ("hs_report" in problems) is needed
    assert bool(deadlines.outstanding(case)) is needed
    with_step(
        case,
        "crime_recorded",
        crime_ref="CR/1/26",
        recorder_name="S Lane",
        recorder_number="S 5000",
        recorded_at=iso(INCIDENT + timedelta(hours=2)),
    )
    assert ("hs_crossref" in validation.missing_for_done(step("crime_recorded"), case, NOW)) is needed


def test_riddor_when_off_normal_duties_more_than_seven_days(make_case):
    """RIDDOR 2013 reg 4(2): an injury keeping someone off normal duties for more than 7 consecutive
    days (not counting the day of the incident) is reported within 15 days of the incident."""
    case = make_case(occurred_at=INCIDENT, offence="abh_s47")
    with_step(case, "longer_term", sick_leave=True, sick_from=iso(utc(2026, 6, 8, 12)), contact_every="7")
    riddor = due(case, "RIDDOR")
    assert riddor.by() == "by the end of Tue 23/06/2026"  # 8 June + 15 days
    assert not deadlines.riddor_needed(case, utc(2026, 6, 15, 12))  # 7 days off: not yet
    assert deadlines.riddor_needed(case, utc(2026, 6, 16, 12))  # 8 days: reportable
    assert "riddor_at" in validation.missing_for_done(step("longer_term"), case, utc(2026, 6, 16, 12))
    # Back within 7 days: nothing to report.
    case.steps["longer_term"].fields["sick_until"] = iso(utc(2026, 6, 12, 8))
    assert not [w for w in whats(case) if w.startswith("RIDDOR")]


# --- 8. repeat victims ----------------------------------------------------------------------------


def test_a_pcso_and_a_pc_with_the_same_digits_are_different_people(make_case):
    """DOMAIN.md repeat victims: match on the collar/warrant number as entered; a PCSO 7716 and a PC
    7716 are different people, so neither is a repeat victim of the other, nor blocked as the OIC."""
    pcso = make_case(victim_number="PCSO 7716", occurred_at=utc(2026, 1, 5, 10), case_id="OH-A")
    pc = make_case(victim_number="PC 7716", occurred_at=INCIDENT, case_id="OH-B")
    assert earlier_cases(pc, [summarise(pcso)]) == []
    assert validation.parse_field(step("oic_assigned").field("oic_number"), "PC 7716", pcso, NOW) == ("PC 7716", None)
    again = make_case(victim_number="pcso7716", occurred_at=INCIDENT, case_id="OH-C")
    assert [s.id for s in earlier_cases(again, [summarise(pcso), summarise(pc)])] == ["OH-A"]


def test_the_warrant_number_matches_a_victim_whose_collar_number_changed(make_case):
    first = make_case(victim_number="PC 1200", occurred_at=utc(2026, 1, 5, 10), case_id="OH-A")
    first.victim.staff_no = "W 884120"
    later = make_case(victim_number="PS 3300", occurred_at=INCIDENT, case_id="OH-B")  # promoted since
    later.victim.staff_no = "w884120"
    assert [s.id for s in earlier_cases(later, [summarise(first)])] == ["OH-A"]
    assert [s.id for s in victim_cases([summarise(first)], "PS 3300", "W884120")] == ["OH-A"]


# --- 9. the victim in their own case's roles -----------------------------------------------------


@pytest.mark.parametrize(
    ("step_key", "field_key", "role"),
    [
        ("supervisor_aware", "supervisor_number", "the supervisor"),
        ("supervisor_aware", "inspector_number", "the inspector"),
        ("support_handover", "welfare_officer_number", "the welfare officer"),
        ("longer_term", "support_officer_number", "the longer-term support officer"),
    ],
)
def test_the_victim_cannot_be_their_own_supervisor_or_welfare_or_support_officer(make_case, step_key, field_key, role):
    """DOMAIN.md rules: the victim cannot be recorded as their own supervisor, welfare officer or
    support officer (compared by collar/staff number)."""
    case = make_case(victim_number="PC 1234")
    value, problem = validation.parse_field(step(step_key).field(field_key), "pc1234", case, NOW)
    assert value is None and f"cannot be {role}" in problem


def test_a_referral_cannot_be_made_before_the_need_for_it(make_case):
    case = make_case(occurred_at=INCIDENT)
    raws = {"kind": "trim", "at": "09/06/2026 10:00", "done_at": "09/06/2026 09:00"}
    _, problems = validation.parse_form(LOGS["referrals"].fields, raws, case, NOW, purpose="to save it")
    assert set(problems) == {"done_at"} and "before 'When the need was identified'" in problems["done_at"]


# --- 10. deadlines read on the right day ----------------------------------------------------------


def test_a_working_day_deadline_is_shown_as_the_end_of_its_day():
    """A working-day limit ends at the end of its London day: 'by the end of Wed 18/11/2026', never
    '19/11/2026 00:00' (which reads a day late)."""
    midnight_after = utc(2026, 11, 19, 0, 0)  # 00:00 GMT on Thu 19 November
    assert fmt_by(midnight_after, True) == "by the end of Wed 18/11/2026"
    assert fmt_by(utc(2026, 6, 18, 23, 0), True) == "by the end of Thu 18/06/2026"  # midnight BST


# --- 11. the victim leaflet ----------------------------------------------------------------------


def test_the_leaflet_says_what_the_vrr_schemes_say_and_cites_the_rights(make_case):
    """The NPCC scheme: within 3 months, later at the force's discretion; the CPS scheme: ordinarily
    within 10 working days. Victims' Code rights cited by number (Rights 2, 4, 6, 7, 9, 12)."""
    case = make_case(occurred_at=utc(2026, 3, 1, 9))
    case.steps["outcome"].fields = {
        "outcome": "not_public_interest",
        "decided_at": iso(utc(2026, 6, 1, 10)),
        "victim_told_at": iso(utc(2026, 6, 2, 10)),
    }
    text = " ".join(what_to_expect(case).split())
    assert "within 3 months of the decision, that is by the end of Tue 01/09/2026" in text
    assert "force's discretion" in text
    for right in ("Right 2", "Right 4", "Right 6", "Right 7", "Right 9", "Right 12"):
        assert right in text
    assert "until" not in text.split("Right to Review")[1][:200]  # no hard "until <date> <time>"
    case.steps["outcome"].fields["outcome"] = "cps_discontinued"
    text = " ".join(what_to_expect(case).split())
    assert "within 10 working days of being told of it, that is by the end of Tue 16/06/2026" in text


def test_victim_support_services_have_their_own_right_4_clock_and_welfare_referrals_are_force_practice(make_case):
    """Victims' Code Right 4: details passed to victim support services within 2 working days of the
    crime being reported, unless the victim declines. Occupational Health, TRiM, Federation and EAP
    keep a 2-working-day target but are not a Victims' Code duty."""
    case = make_case(occurred_at=INCIDENT)  # reported Mon 8 June -> by the end of Wed 10 June
    assert due(case, "Right 4: victim support").by() == "by the end of Wed 10/06/2026"
    case.referrals.append(log(INCIDENT, kind="victim_support", done_at=INCIDENT + timedelta(hours=3)))
    assert not [w for w in whats(case) if "Right 4" in w]
    other = make_case(occurred_at=INCIDENT)
    other.steps["longer_term"].fields = {"victim_support_declined": True}
    assert not [w for w in whats(other) if "Right 4" in w]
    other.referrals.append(log(INCIDENT, kind="trim"))
    assert [w for w in whats(other) if w.startswith("Referral")] == ["Referral: TRiM"]
    assert "Victims' Code" not in C.label(C.REFERRAL_SERVICES, "trim")
    assert "Victims' Code" not in (step("longer_term").limit.split("Right 4")[1])


# --- 12. entered once ----------------------------------------------------------------------------


def test_medical_care_and_offence_are_stored_once(make_case):
    """Asked at step 2 and step 5 and on the case: one stored value, shown and corrected in one place."""
    case = make_case(occurred_at=INCIDENT)
    assert step("welfare_contact").field("medical").path == "incident.medical"
    assert step("crime_recorded").field("offence").path == "incident.offence"
    case, _ = apply(case, OIC, NOW, sets={"incident.medical": "ae"})
    assert validation.step_values(case, step("welfare_contact"))["medical"] == "ae"
    assert "medical" not in case.steps["welfare_contact"].fields
