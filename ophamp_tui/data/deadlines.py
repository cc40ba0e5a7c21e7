"""Victims' rights and the clocks of Op Hampshire: what is due, by when, and why.

Sources (DOMAIN.md, "Time limits"): the Code of Practice for Victims of Crime 2020 (the Victims'
Code: Right 4 support services, Right 6 information about the investigation, Right 9 the outcome),
the NPCC police Victims' Right to Review scheme, the CPS VRR scheme, the Magistrates' Courts Act
1980 s127 (summary-only offences), PACE 1984 s47ZB (pre-charge bail) and RIDDOR 2013 (injuries
keeping someone off normal duties for more than 7 days). Force welfare referrals have a
2-working-day target that is force practice, not a Victims' Code duty.

Deadlines counted in days end at the end of their London day (``Due.end_of_day``): they are shown
"by the end of Wed 18/11/2026", never as the midnight after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import choices as C
from .clock import (
    add_months,
    add_working_days,
    as_utc,
    end_of_day_after,
    fmt_by,
    fmt_duration,
    fmt_local,
    from_iso,
    to_london,
)
from .models import Case, LogEntry
from .progress import is_closed

WELFARE_CONTACT_HOURS = 24  # one force's standard: preferably within 24 hours
REFERRAL_WORKING_DAYS = 2  # force welfare referrals (practice, not the Victims' Code)
VICTIM_SUPPORT_WORKING_DAYS = 2  # Victims' Code Right 4
STANDARD_UPDATE_DAYS = 5  # Victims' Code Right 6
ENHANCED_UPDATE_DAYS = 1
POLICE_VRR_MONTHS = 3  # NPCC scheme
CPS_VRR_WORKING_DAYS = 10  # CPS scheme, "ordinarily"
SUMMARY_TIME_LIMIT_MONTHS = 6  # Magistrates' Courts Act 1980 s127
BAIL_INITIAL_MONTHS = 3  # PACE s47ZB: the applicable bail period
RIDDOR_DAYS_OFF = 7  # "over-seven-day" incapacitation
RIDDOR_REPORT_DAYS = 15  # reported within 15 days of the incident

HS_METHODS = {"spit": "spitting", "bite": "biting"}  # possible work-related ill health
# Suspect events after which the 6-month summary time limit no longer matters.
DECIDED_STATUSES = {
    "charged",
    "charge_altered",
    "ooc",
    "nfa",
    "cps_no_charge",
    "discontinued",
    "convicted",
    "acquitted",
    "sentenced",
}
# What the victim must be told of, in a few words ("Tell victim: arrest").
_EVENT_WORDS = {
    "arrested": "arrest",
    "voluntary_interview": "interview",
    "bail": "bail",
    "bail_extended": "bail extended",
    "rui": "RUI",
    "charged": "charge",
    "charge_altered": "charge altered",
    "ooc": "out-of-court",
    "nfa": "NFA",
    "cps_no_charge": "CPS no charge",
    "discontinued": "CPS discontinued",
    "convicted": "conviction",
    "acquitted": "acquittal",
    "sentenced": "sentence",
}


@dataclass(frozen=True)
class Due:
    what: str
    due_at: datetime  # the moment it becomes overdue (UTC)
    step: str  # the checklist step where it is dealt with
    end_of_day: bool = False  # counted in days: ends at the end of its London day

    def overdue(self, now: datetime) -> bool:
        return as_utc(now) >= self.due_at

    def by(self) -> str:
        """``by the end of Wed 18/11/2026`` or ``by Wed 18/11/2026 14:30``."""
        return fmt_by(self.due_at, self.end_of_day)


@dataclass(frozen=True)
class Outstanding:
    """Something the case still needs that has no clock (e.g. the health and safety report)."""

    what: str
    step: str


# --- enhanced rights (Victims' Code) ------------------------------------------------------------


def enhanced_reasons(case: Case) -> list[str]:
    """Why the victim has enhanced rights, in words; empty when they do not.

    The hate-crime flag, the offence on the case (which the crime recorder corrects at step 5), and
    the "persistently targeted" and "vulnerable or intimidated" flags.
    """
    reasons: list[str] = []
    if case.hate_crime:
        reasons.append("hate crime")
    offence = C.ENHANCED_OFFENCES.get(case.incident.offence)
    if offence and offence not in reasons:
        reasons.append(offence)
    if case.persistently_targeted:
        reasons.append("persistently targeted")
    if case.vulnerable_intimidated:
        reasons.append("vulnerable or intimidated")
    return reasons


def enhanced_rights(case: Case) -> bool:
    return bool(enhanced_reasons(case))


def enhanced_text(case: Case) -> str:
    """``Enhanced rights: sexual offence`` (every reason), or '' when the standard limits apply."""
    reasons = enhanced_reasons(case)
    return f"Enhanced rights: {', '.join(reasons)}" if reasons else ""


def update_limit_days(case: Case) -> int:
    return ENHANCED_UPDATE_DAYS if enhanced_rights(case) else STANDARD_UPDATE_DAYS


# --- the outcome and the Victims' Right to Review ---------------------------------------------


def vrr_scheme(outcome: str | None) -> str | None:
    """ "police" or "cps" where a VRR scheme covers the decision, else None."""
    if outcome in C.POLICE_VRR_OUTCOMES:
        return "police"
    if outcome in C.CPS_VRR_OUTCOMES:
        return "cps"
    return None


def vrr_deadline(case: Case) -> Due | None:
    """By when the victim should ask for a review (police: 3 months from the decision, later at the
    force's discretion; CPS: ordinarily 10 working days from being told); None if no scheme applies."""
    fields = case.steps["outcome"].fields
    scheme = vrr_scheme(_str(fields.get("outcome")))
    decided = from_iso(_str(fields.get("decided_at")))
    if scheme is None or decided is None:
        return None
    if scheme == "police":
        return Due("Police VRR request", end_of_day_after(decided, months=POLICE_VRR_MONTHS), "outcome", True)
    told = from_iso(_str(fields.get("victim_told_at"))) or decided
    return Due("CPS VRR request", add_working_days(told, CPS_VRR_WORKING_DAYS), "outcome", True)


def vrr_words(case: Case) -> str:
    """What the review scheme means for this outcome, for the OIC (step 9)."""
    fields = case.steps["outcome"].fields
    outcome = _str(fields.get("outcome"))
    deadline = vrr_deadline(case)
    scheme = vrr_scheme(outcome)
    if scheme == "police" and deadline:
        return (
            f"Police VRR applies: the victim can ask within 3 months of the decision ({deadline.by()}); "
            "later requests are at the force's discretion."
        )
    if scheme == "cps" and deadline:
        return (
            f"CPS VRR applies: the victim should ordinarily ask within 10 working days of being told ({deadline.by()})."
        )
    if outcome in C.NFA_OUTCOMES:
        why = {
            "evidential_not_supports": "the victim did not support the prosecution",
            "no_suspect": "no suspect was identified",
            "time_expired": "the time limit expired",
        }.get(outcome, "this decision")
        return f"No Victims' Right to Review ({why}), but the OIC still explains the decision to the victim."
    return ""


def case_ended(case: Case) -> bool:
    """Over for the victim: routine updates stop (they go on until the trial, the sentence, or the end
    of any review, not just until a charge)."""
    if is_closed(case):
        return True
    fields = case.steps["outcome"].fields
    outcome = _str(fields.get("outcome"))
    if not outcome or not fields.get("victim_told_at"):
        return False
    if outcome == "charged":
        return False  # awaiting court
    if outcome == "convicted" and not fields.get("sentenced_at"):
        return False
    if outcome in C.VRR_OUTCOMES and fields.get("vrr_requested") in ("yes", "considering"):
        return fields.get("vrr_result") in ("upheld", "overturned")
    return True


# --- the suspect: RUI and pre-charge bail -----------------------------------------------------


def _events(case: Case) -> list[LogEntry]:
    return sorted(case.status_history, key=lambda e: e.at)


def status_since(case: Case) -> datetime | None:
    """When the suspect's current status began (a bail period counts from the first bail, extensions
    included): how long on RUI or bail."""
    current = case.suspect.status
    group = C.BAIL_STATUSES if current in C.BAIL_STATUSES else {current}
    since: datetime | None = None
    for event in _events(case):
        if event.kind in group:
            since = since or event.at
        else:
            since = None
    return since


def rui_since(case: Case) -> datetime | None:
    """When the suspect was released under investigation, if that is their current status."""
    return status_since(case) if case.suspect.status == "rui" else None


def rui_duration(case: Case, now: datetime) -> timedelta | None:
    since = rui_since(case)
    return None if since is None else as_utc(now) - since


def bail_until(case: Case) -> datetime | None:
    """When the suspect's pre-charge bail ends, if they are on bail: 3 months from the bail unless a
    date was given, then each extension's date."""
    if case.suspect.status not in C.BAIL_STATUSES:
        return None
    end: datetime | None = None
    for event in _events(case):
        if event.kind == "bail":
            end = event.until or add_months(event.at, BAIL_INITIAL_MONTHS)
        elif event.kind == "bail_extended":
            end = event.until or end
        else:
            end = None
    return end


def suspect_words(case: Case, now: datetime) -> str:
    """``on RUI for 56d 3h`` or ``on bail for 12d 1h, until Fri 19/02/2027 10:00``; '' otherwise."""
    since = status_since(case)
    if since is None:
        return ""
    if case.suspect.status == "rui":
        return f"on RUI for {fmt_duration(as_utc(now) - since)}"
    until = bail_until(case)
    if until is not None:
        return f"on pre-charge bail for {fmt_duration(as_utc(now) - since)}, until {fmt_local(until, with_day=True)}"
    return ""


# --- health and safety, RIDDOR ------------------------------------------------------------------


def hs_reason(case: Case) -> str:
    """Why a health and safety report is mandatory ('injury', 'spitting'...), or '' when it is not."""
    reasons = [word for method, word in HS_METHODS.items() if method in case.incident.methods]
    if case.incident.injury not in ("", "none"):
        reasons.insert(0, "injury")
    return ", ".join(reasons)


def hs_report_needed(case: Case, now: datetime | None = None) -> bool:
    return bool(hs_reason(case))


def days_off(case: Case, now: datetime) -> int | None:
    """Whole days off normal duties (not counting the day it began), or None if not recorded."""
    fields = case.steps["longer_term"].fields
    start = from_iso(_str(fields.get("sick_from")))
    if fields.get("sick_leave") is not True or start is None:
        return None
    end = from_iso(_str(fields.get("sick_until"))) or as_utc(now)
    return max((to_london(end).date() - to_london(start).date()).days, 0)


def riddor_needed(case: Case, now: datetime) -> bool:
    """Off normal duties for more than 7 days: reportable under RIDDOR."""
    off = days_off(case, now)
    return off is not None and off > RIDDOR_DAYS_OFF


def _riddor_due(case: Case) -> Due | None:
    fields = case.steps["longer_term"].fields
    start = from_iso(_str(fields.get("sick_from")))
    if fields.get("sick_leave") is not True or start is None or fields.get("riddor_at"):
        return None
    back = from_iso(_str(fields.get("sick_until")))
    if back is not None and (to_london(back).date() - to_london(start).date()).days <= RIDDOR_DAYS_OFF:
        return None  # back within 7 days: not reportable
    due = max(
        end_of_day_after(case.incident.occurred_at, days=RIDDOR_REPORT_DAYS),
        end_of_day_after(start, days=RIDDOR_DAYS_OFF + 1),
    )
    return Due("RIDDOR report (off 7+ days)", due, "longer_term", True)


# Named conditions on the whole case, for FieldDef.required_when.
CASE_CONDITIONS: dict[str, Callable[[Case, datetime], bool]] = {
    "hs_report_needed": hs_report_needed,
    "riddor_needed": riddor_needed,
}


def outstanding(case: Case) -> list[Outstanding]:
    """What the case still needs that has no clock."""
    if is_closed(case):
        return []
    items: list[Outstanding] = []
    reason = hs_reason(case)
    step1, step5 = case.steps["supervisor_aware"].fields, case.steps["crime_recorded"].fields
    if reason and not step1.get("hs_report"):
        items.append(Outstanding(f"Health & safety report (mandatory: {reason})", "supervisor_aware"))
    elif reason and step5.get("crime_ref") and step5.get("hs_crossref") is not True:
        items.append(Outstanding("Cross-reference the health & safety report to the crime", "crime_recorded"))
    return items


# --- every clock --------------------------------------------------------------------------------


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _told_after(update_times: list[datetime], at: datetime) -> bool:
    return any(t >= at for t in update_times)


def obligations(case: Case, now: datetime | None = None) -> list[Due]:
    """Everything still outstanding that has a time limit, soonest first.

    ``now`` is not needed: every deadline is an absolute time, so the case list can keep them and
    decide what is overdue later.
    """
    if is_closed(case):
        return []
    dues: list[Due] = []
    steps = case.steps
    incident = case.incident.occurred_at
    if not steps["welfare_contact"].status.finished:
        dues.append(
            Due("Welfare contact with the victim", incident + timedelta(hours=WELFARE_CONTACT_HOURS), "welfare_contact")
        )
    limit = update_limit_days(case)
    update_times = sorted(u.at for u in case.updates)
    for event in case.status_history:
        if event.kind in C.NOTIFIABLE_STATUSES and not _told_after(update_times, event.at):
            words = _EVENT_WORDS.get(event.kind, C.label(C.SUSPECT_STATUSES, event.kind).lower())
            dues.append(Due(f"Tell victim: {words}", add_working_days(event.at, limit), "kept_informed", True))
    out = steps["outcome"].fields
    decided = from_iso(_str(out.get("decided_at")))
    if out.get("outcome") and decided and not out.get("victim_told_at"):
        dues.append(Due("Tell victim the outcome", add_working_days(decided, limit), "outcome", True))
    for ref in case.referrals:
        if ref.done_at is None and ref.kind != "victim_support":
            service = C.REFERRAL_SHORT.get(ref.kind, ref.kind)
            dues.append(
                Due(f"Referral: {service}", add_working_days(ref.at, REFERRAL_WORKING_DAYS), "longer_term", True)
            )
    lt = steps["longer_term"].fields
    support_made = any(r.kind == "victim_support" and r.done_at for r in case.referrals)
    if not support_made and lt.get("victim_support_declined") is not True:
        dues.append(
            Due(
                "Right 4: victim support",
                add_working_days(case.created_at, VICTIM_SUPPORT_WORKING_DAYS),
                "longer_term",
                True,
            )
        )
    freq = int(_str(steps["kept_informed"].fields.get("frequency")) or 0)
    if freq and not case_ended(case):
        oic_at = from_iso(_str(steps["oic_assigned"].fields.get("assigned_at")))
        last = max([*update_times, oic_at or case.created_at])
        dues.append(Due("Routine update to the victim", end_of_day_after(last, days=freq), "kept_informed", True))
    every = _str(lt.get("contact_every"))
    if lt.get("sick_leave") is True and every and not lt.get("sick_until"):
        contacts = [c.at for c in case.welfare_contacts]
        last = max([*contacts, steps["longer_term"].at or case.created_at])
        dues.append(Due("Welfare contact (sick leave)", end_of_day_after(last, days=int(every)), "longer_term", True))
    riddor = _riddor_due(case)
    if riddor is not None:
        dues.append(riddor)
    until = bail_until(case)
    if until is not None:
        dues.append(Due("Pre-charge bail ends", until, "outcome"))
    if (
        case.incident.offence in C.SUMMARY_OFFENCES
        and case.suspect.status not in DECIDED_STATUSES
        and not out.get("outcome")
    ):
        dues.append(
            Due(
                "Charge by 6-month limit (s127)",
                end_of_day_after(incident, months=SUMMARY_TIME_LIMIT_MONTHS),
                "outcome",
                True,
            )
        )
    return sorted(dues, key=lambda d: d.due_at)


def overdue(case: Case, now: datetime) -> list[Due]:
    return [d for d in obligations(case) if d.overdue(now)]
