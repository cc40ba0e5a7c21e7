"""The rules of Op Hampshire as plain functions: no Textual, no store.

Every check returns a message that says what to fix, or ``None``; nothing here
raises on bad input from a user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from . import choices as C
from .checklist import STEPS, FieldDef, StepDef, step
from .clock import (
    DateInputError,
    add_months,
    add_working_days,
    as_utc,
    fmt_local,
    from_iso,
    iso,
    parse_local,
)
from .models import Case, StepRecord, StepStatus
from .text import clean_text, normalise_number

# A little leeway so "now" typed a moment ago is not "in the future" on a slow clock.
FUTURE_LEEWAY = timedelta(minutes=5)
WELFARE_CONTACT_HOURS = 24
REFERRAL_WORKING_DAYS = 2
STANDARD_UPDATE_DAYS = 5
ENHANCED_UPDATE_DAYS = 1
POLICE_VRR_MONTHS = 3
CPS_VRR_WORKING_DAYS = 10
SUMMARY_TIME_LIMIT_MONTHS = 6
MAX_SHORT_TEXT = 500
MAX_LONG_TEXT = 100_000


# --- people -------------------------------------------------------------------------------------


def is_victim_number(case: Case, number: str | None) -> bool:
    n = normalise_number(number)
    return bool(n) and n == normalise_number(case.victim.number)


def victim_conflict(case: Case, number: str | None, role: str) -> str | None:
    """``role`` is what the person would be, e.g. "the investigating officer"."""
    if is_victim_number(case, number):
        return (
            f"{number} is the victim's own number. The victim cannot be {role}: "
            "enter a colleague's name and number."
        )
    return None


_ROLE_WORDS = {
    "taker_number": "the statement taker",
    "recorder_number": "the person recording the crime",
    "oic_number": "the investigating officer",
    "reviewer_number": "the senior reviewer",
}


# --- dates --------------------------------------------------------------------------------------


def check_when(value: datetime, case: Case | None, now: datetime, *, label: str = "That time") -> str | None:
    """No future dates; nothing dated before the incident."""
    value = as_utc(value)
    if value > as_utc(now) + FUTURE_LEEWAY:
        return f"{label} ({fmt_local(value)}) is in the future. Enter when it actually happened."
    if case is not None and value < case.incident.occurred_at:
        return (
            f"{label} ({fmt_local(value)}) is before the incident "
            f"({fmt_local(case.incident.occurred_at)}). Check the date."
        )
    return None


# --- field input --------------------------------------------------------------------------------


def parse_field(fdef: FieldDef, raw: Any, case: Case | None, now: datetime) -> tuple[Any, str | None]:
    """Turn what the user entered into the stored value, or say what to fix.

    Returns ``(value, None)`` when it can be saved, ``(None, message)`` when not.
    Empty input is always accepted (it clears the field); whether the field is
    needed is checked when the step is marked done.
    """
    if fdef.kind == "bool":
        return bool(raw), None
    if fdef.kind == "multi":
        allowed = {v for v, _ in fdef.choices}
        picked = [str(v) for v in (raw or [])]
        if any(v not in allowed for v in picked):
            return None, f"Choose only from the options for '{fdef.label}'."
        return [v for v, _ in fdef.choices if v in picked], None
    text = "" if raw is None else clean_text(str(raw), multiline=fdef.kind == "longtext", max_len=None)
    if text == "":
        return None, None
    if fdef.kind == "select":
        if text not in {v for v, _ in fdef.choices}:
            return None, f"Choose one of the options for '{fdef.label}'."
        return text, None
    if fdef.kind == "datetime":
        try:
            when = parse_local(text, now=now)
        except DateInputError as exc:
            return None, str(exc)
        problem = check_when(when, case, now)
        return (None, problem) if problem else (iso(when), None)
    if fdef.kind == "number" and fdef.not_victim and case is not None:
        problem = victim_conflict(case, text, _ROLE_WORDS.get(fdef.key, "this person"))
        if problem:
            return None, problem
    if fdef.kind != "longtext" and len(text) > MAX_SHORT_TEXT:
        return None, f"'{fdef.label}' is too long: keep it under {MAX_SHORT_TEXT} characters."
    if len(text) > MAX_LONG_TEXT:
        return None, f"'{fdef.label}' is too long ({len(text):,} characters): keep it under {MAX_LONG_TEXT:,}."
    return text, None


def missing_for_done(sdef: StepDef, record: StepRecord, case: Case, now: datetime) -> dict[str, str]:
    """What stops the step being marked done: field key → what to fix."""
    return missing(sdef.fields, record.fields, case, now)


def missing(
    fdefs: tuple[FieldDef, ...], values: dict, case: Case | None, now: datetime, *, purpose: str = "to mark this step done"
) -> dict[str, str]:
    """Needed fields that are empty and saved values no longer valid: field key → what to fix."""
    problems: dict[str, str] = {}
    for fdef in fdefs:
        value = values.get(fdef.key)
        needed = fdef.is_required(values)
        if fdef.must_be_true and needed is False and fdef.required_if is None:
            needed = True
        if fdef.kind == "bool" and fdef.must_be_true and needed and value is not True:
            problems[fdef.key] = f"Tick '{fdef.label}' {purpose}."
        elif needed and (value is None or value == "" or value == []):
            problems[fdef.key] = f"'{fdef.label}' is needed {purpose}."
        elif value not in (None, "") and fdef.kind != "bool":
            # Re-check saved values: the victim's number or the incident time may have changed since.
            problem = recheck(fdef, value, case, now)
            if problem:
                problems[fdef.key] = problem
    return problems


def parse_form(
    fdefs: tuple[FieldDef, ...], raws: dict[str, Any], case: Case | None, now: datetime, *, purpose: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse a whole form: the values to save, and field key → what to fix (empty when it can be saved)."""
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for fdef in fdefs:
        value, problem = parse_field(fdef, raws.get(fdef.key), case, now)
        values[fdef.key] = value
        if problem:
            problems[fdef.key] = problem
    for key, problem in missing(fdefs, values, case, now, purpose=purpose).items():
        problems.setdefault(key, problem)
    return values, problems


def recheck(fdef: FieldDef, value: Any, case: Case | None, now: datetime) -> str | None:
    """Is a value saved earlier still valid against the case as it is now?"""
    if case is None:
        return None
    if fdef.kind == "datetime":
        when = from_iso(value) if isinstance(value, str) else None
        return check_when(when, case, now) if when else None
    if fdef.kind == "number" and fdef.not_victim:
        return victim_conflict(case, value, _ROLE_WORDS.get(fdef.key, "this person"))
    return None


# --- progress -----------------------------------------------------------------------------------


def progress(case: Case) -> tuple[int, int]:
    finished = sum(1 for s in STEPS if case.steps[s.key].status.finished)
    return finished, len(STEPS)


def next_step(case: Case) -> StepDef | None:
    for sdef in STEPS:
        if not case.steps[sdef.key].status.finished:
            return sdef
    return None


def is_complete(case: Case) -> bool:
    """Every step done or not applicable, and the senior review signed off."""
    review = case.steps["senior_review"]
    return all(case.steps[s.key].status.finished for s in STEPS) and (
        review.status is StepStatus.DONE and review.fields.get("signed_off") is True
    )


def is_closed(case: Case) -> bool:
    return bool(case.closed_reason) or is_complete(case)


def awaiting_review(case: Case) -> bool:
    if is_closed(case):
        return False
    return all(case.steps[s.key].status.finished for s in STEPS if s.key != "senior_review")


# --- victims' rights ----------------------------------------------------------------------------


def enhanced_rights(case: Case) -> bool:
    """Hate crime puts the victim in the enhanced-rights group (Victims' Code).

    A racially or religiously aggravated offence is a hate crime whether or not the flag was ticked.
    """
    return case.hate_crime or case.incident.offence == "racial_s29"


def update_limit_days(case: Case) -> int:
    return ENHANCED_UPDATE_DAYS if enhanced_rights(case) else STANDARD_UPDATE_DAYS


def vrr_scheme(outcome: str | None) -> str | None:
    if outcome in C.POLICE_NFA_OUTCOMES:
        return "police"
    if outcome in C.CPS_VRR_OUTCOMES:
        return "cps"
    return None


def vrr_required(outcome: str | None) -> bool:
    return vrr_scheme(outcome) is not None


def vrr_deadline(case: Case) -> datetime | None:
    """The last day the victim can ask for a review, or None if VRR does not apply."""
    fields = case.steps["outcome"].fields
    scheme = vrr_scheme(fields.get("outcome"))
    decided = from_iso(fields.get("decided_at"))
    if scheme is None or decided is None:
        return None
    if scheme == "police":
        return add_months(decided, POLICE_VRR_MONTHS)
    told = from_iso(fields.get("victim_told_at")) or decided
    return add_working_days(told, CPS_VRR_WORKING_DAYS)


def rui_since(case: Case) -> datetime | None:
    """When the suspect was released under investigation, if that is their current status."""
    if case.suspect.status != "rui":
        return None
    for entry in reversed(case.status_history):
        if entry.kind == "rui":
            return entry.at
    return None


def rui_duration(case: Case, now: datetime) -> timedelta | None:
    since = rui_since(case)
    return None if since is None else as_utc(now) - since


# --- repeat victims -----------------------------------------------------------------------------


def earlier_cases(victim_number: str, occurred_at: datetime, others: list[dict]) -> list[dict]:
    """Other cases (index summaries) of the same victim, from before this incident."""
    n = normalise_number(victim_number)
    if not n:
        return []
    at = iso(occurred_at) or ""
    return sorted(
        (s for s in others if s.get("victim_number") == n and s.get("occurred_at", "") < at),
        key=lambda s: s.get("occurred_at", ""),
    )


# --- clocks: what is due and what is overdue ----------------------------------------------------


@dataclass(frozen=True)
class Due:
    what: str
    due_at: datetime
    step: str

    def overdue(self, now: datetime) -> bool:
        return as_utc(now) >= self.due_at


def _status_label(kind: str) -> str:
    return C.label(C.SUSPECT_STATUSES, kind).lower()


def obligations(case: Case, now: datetime) -> list[Due]:
    """Everything still outstanding that has a time limit, soonest first."""
    if is_closed(case):
        return []
    dues: list[Due] = []
    steps = case.steps
    if not steps["welfare_contact"].status.finished:
        dues.append(
            Due("Welfare contact with the victim", case.incident.occurred_at + timedelta(hours=WELFARE_CONTACT_HOURS), "welfare_contact")
        )
    limit = update_limit_days(case)
    update_times = sorted(u.at for u in case.updates)
    for event in case.status_history:
        if event.kind in C.NOTIFIABLE_STATUSES and not any(t >= event.at for t in update_times):
            dues.append(Due(f"Tell victim: suspect {_status_label(event.kind)}", add_working_days(event.at, limit), "kept_informed"))
    out = steps["outcome"].fields
    decided = from_iso(out.get("decided_at"))
    if out.get("outcome") and decided and not out.get("victim_told_at"):
        dues.append(Due("Tell victim the outcome", add_working_days(decided, limit), "outcome"))
    for ref in case.referrals:
        if ref.done_at is None:
            service = C.label(C.REFERRAL_SERVICES, ref.kind)
            dues.append(Due(f"Referral: {service}", add_working_days(ref.at, REFERRAL_WORKING_DAYS), "longer_term"))
    freq = int(steps["kept_informed"].fields.get("frequency") or 0)
    if freq and not out.get("victim_told_at"):
        oic_at = from_iso(steps["oic_assigned"].fields.get("assigned_at"))
        last = max([*update_times, oic_at or case.created_at])
        dues.append(Due("Routine update to the victim", last + timedelta(days=freq), "kept_informed"))
    lt = steps["longer_term"]
    every = lt.fields.get("contact_every")
    if lt.fields.get("sick_leave") is True and every:
        contacts = [c.at for c in case.welfare_contacts]
        last = max([*contacts, lt.at or case.created_at])
        dues.append(Due("Welfare contact (sick leave)", last + timedelta(days=int(every)), "longer_term"))
    if (
        case.incident.offence in C.SUMMARY_OFFENCES
        and case.suspect.status not in {"charged", "ooc", "nfa"}
        and not out.get("outcome")
    ):
        dues.append(
            Due("Charge decision (6-month summary time limit)", add_months(case.incident.occurred_at, SUMMARY_TIME_LIMIT_MONTHS), "outcome")
        )
    return sorted(dues, key=lambda d: d.due_at)


def overdue(case: Case, now: datetime) -> list[Due]:
    return [d for d in obligations(case, now) if d.overdue(now)]


# --- the index summary --------------------------------------------------------------------------

PEOPLE_FIELDS = (
    ("supervisor_aware", "supervisor_number"),
    ("supervisor_aware", "inspector_number"),
    ("support_handover", "welfare_officer_number"),
    ("oic_assigned", "oic_number"),
    ("longer_term", "support_officer_number"),
)


def summarise(case: Case, now: datetime) -> dict:
    """The small record the case list and the queues read, without opening the case."""
    done, total = progress(case)
    nxt = next_step(case)
    people = sorted(
        ({normalise_number(case.steps[s].fields.get(f)) for s, f in PEOPLE_FIELDS}
         | {normalise_number(case.created_by.number)})
        - {""}  # (set minus binds tighter than union: without the brackets a blank got through)
    )
    return {
        "id": case.id,
        "rev": case.rev,
        "victim_name": case.victim.name,
        "victim_number": normalise_number(case.victim.number),
        "occurred_at": iso(case.incident.occurred_at),
        "offence": case.incident.offence,
        "injury": case.incident.injury,
        "hate": case.hate_crime,
        "done": done,
        "total": total,
        "next_step": nxt.key if nxt else "",
        "complete": is_complete(case),
        "closed": bool(case.closed_reason),
        "awaiting_review": awaiting_review(case),
        "suspect_status": case.suspect.status,
        "outcome": case.steps["outcome"].fields.get("outcome") or "",
        "dues": [[d.what, iso(d.due_at), d.step] for d in obligations(case, now)],
        "people": people,
    }


def step_title(key: str) -> str:
    return step(key).title if key else "Complete"


# --- what a step screen shows beside the form ---------------------------------------------------


def step_facts(case: Case, key: str, now: datetime) -> list[str]:
    """Short lines of context for a step: elapsed times, deadlines, what is due."""
    from .clock import fmt_duration

    facts: list[str] = []
    fields = case.steps[key].fields
    incident = case.incident.occurred_at
    if key == "supervisor_aware":
        aware = from_iso(fields.get("aware_at"))
        if aware:
            facts.append(f"Supervisor knew {fmt_duration(aware - incident)} after the incident.")
        else:
            facts.append(f"Incident was {fmt_duration(as_utc(now) - incident)} ago.")
    if key == "outcome":
        deadline = vrr_deadline(case)
        if deadline:
            scheme = "Police" if vrr_scheme(fields.get("outcome")) == "police" else "CPS"
            facts.append(f"{scheme} VRR: the victim can ask for a review until {fmt_local(deadline)}.")
        since = rui_since(case)
        if since:
            facts.append(f"Suspect on RUI for {fmt_duration(as_utc(now) - since)}.")
    if enhanced_rights(case) and key in ("kept_informed", "outcome"):
        facts.append("Enhanced rights (hate crime): updates within 1 working day.")
    for due in obligations(case, now):
        # Telling the victim about the suspect is logged at step 7 but follows the status changes of step 9.
        if due.step == key or (key == "outcome" and due.what.startswith("Tell victim")):
            state = "OVERDUE" if due.overdue(now) else "due"
            facts.append(f"{due.what}: {state} {fmt_local(due.due_at)}.")
    return facts
