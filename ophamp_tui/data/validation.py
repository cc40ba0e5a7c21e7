"""Checking what a user entered: each check returns a message that says what to fix, or None.

Nothing here raises on bad input from a user. Which fields a step needs, and when, comes from the
checklist definitions; the named conditions on the whole case come from ``deadlines``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from . import choices as C
from .checklist import CASE_FORM, LOGS, STEPS, FieldDef, StepDef, field_path
from .clock import DateInputError, as_utc, fmt_local, from_iso, iso, parse_local
from .deadlines import CASE_CONDITIONS
from .models import Case
from .text import clean_text, normalise_number, same_number

# A little leeway so "now" typed a moment ago is not "in the future" on a slow clock.
FUTURE_LEEWAY = timedelta(minutes=5)
MAX_SHORT_TEXT = 500
MAX_LONG_TEXT = 100_000
MAX_COUNT = 999
INCIDENT_FIELD = "incident.occurred_at"


# --- people -------------------------------------------------------------------------------------


def is_victim_number(case: Case, number: str | None) -> bool:
    """Could ``number`` be the victim's own collar/staff number (see ``text.same_number``)?"""
    return same_number(number, case.victim.number)


def victim_conflict(case: Case, number: str | None, role: str) -> str | None:
    """``role`` is what the person would be, e.g. "the investigating officer"."""
    if not is_victim_number(case, number):
        return None
    if normalise_number(number) == normalise_number(case.victim.number):
        return f"{number} is the victim's own number. The victim cannot be {role}: enter a colleague's name and number."
    return (
        f"{number} may be the victim's own number ({case.victim.number}). The victim cannot be {role}. "
        "If this is someone else, enter the number with its rank (e.g. PC 1234 or PCSO 1234)."
    )


# --- dates --------------------------------------------------------------------------------------


def check_when(
    value: datetime, case: Case | None, now: datetime, *, label: str = "That time", future_ok: bool = False
) -> str | None:
    """No future dates (unless ``future_ok``); nothing dated before the incident."""
    value = as_utc(value)
    if not future_ok and value > as_utc(now) + FUTURE_LEEWAY:
        return f"{label} ({fmt_local(value)}) is in the future. Enter when it actually happened."
    if case is not None and value < case.incident.occurred_at:
        return (
            f"{label} ({fmt_local(value)}) is before the incident "
            f"({fmt_local(case.incident.occurred_at)}). Check the date."
        )
    return None


def dated_records(case: Case) -> list[tuple[str, datetime]]:
    """Everything on the case dated by the user (step dates, log entries), as (what, when)."""
    found: list[tuple[str, datetime]] = []
    for sdef in STEPS:
        fields = case.steps[sdef.key].fields
        for fdef in sdef.fields:
            if fdef.kind == "datetime" and not fdef.future_ok and not fdef.path:
                when = _when(fields.get(fdef.key))
                if when is not None:
                    found.append((f"Step {sdef.number} '{fdef.label}'", when))
    for key, logdef in LOGS.items():
        for entry in getattr(case, key):
            found.append((f"{logdef.entry_name} of {fmt_local(entry.at)}", entry.at))
    return found


def check_incident_time(value: datetime, case: Case | None, now: datetime) -> str | None:
    """The incident time can be corrected earlier or later, but not to after something dated on the case."""
    problem = check_when(value, None, now, label="The incident time")
    if problem or case is None:
        return problem
    later = [(what, when) for what, when in dated_records(case) if when < as_utc(value)]
    if later:
        what, when = min(later, key=lambda pair: pair[1])
        return (
            f"{what} ({fmt_local(when)}) is before {fmt_local(value)}. Correct that date first, "
            "or check the incident time."
        )
    return None


def _when(value: Any) -> datetime | None:
    try:
        return from_iso(value) if isinstance(value, str) else None
    except ValueError:
        return None


# --- field input --------------------------------------------------------------------------------


def parse_field(
    fdef: FieldDef, raw: Any, case: Case | None, now: datetime, *, others: dict[str, Any] | None = None
) -> tuple[Any, str | None]:
    """Turn what the user entered into the stored value, or say what to fix.

    Returns ``(value, None)`` when it can be saved, ``(None, message)`` when not. ``others`` are
    the other values of the same form (stored form), for checks between fields. Empty input is
    always accepted (it clears the field); whether the field is needed is checked when the step is
    marked done.
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
        problem = _select_problem(fdef, text, case)
        return (None, problem) if problem else (text, None)
    if fdef.kind == "datetime":
        return _parse_when(fdef, text, case, now, others or {})
    if fdef.kind == "count":
        if not text.isdigit() or int(text) > MAX_COUNT:
            return None, f"'{fdef.label}' is a whole number from 0 to {MAX_COUNT}."
        return int(text), None
    if fdef.kind == "number" and fdef.not_victim and case is not None:
        problem = victim_conflict(case, text, fdef.person or "this person")
        if problem:
            return None, problem
    if fdef.kind != "longtext" and len(text) > MAX_SHORT_TEXT:
        return None, f"'{fdef.label}' is too long: keep it under {MAX_SHORT_TEXT} characters."
    if len(text) > MAX_LONG_TEXT:
        return None, f"'{fdef.label}' is too long ({len(text):,} characters): keep it under {MAX_LONG_TEXT:,}."
    return text, None


def _select_problem(fdef: FieldDef, value: str, case: Case | None) -> str | None:
    """A choice that the law rules out for this case."""
    if case is not None and value in C.TIME_LIMIT_OUTCOMES and case.incident.offence not in C.SUMMARY_OFFENCES:
        offence = C.OFFENCE_SHORT.get(case.incident.offence, case.incident.offence)
        return (
            f"{offence} is not a summary-only offence, so no prosecution time limit applies "
            "(Magistrates' Courts Act 1980 s127 covers only summary-only offences). Choose another outcome."
        )
    return None


def _parse_when(
    fdef: FieldDef, text: str, case: Case | None, now: datetime, others: dict[str, Any]
) -> tuple[Any, str | None]:
    try:
        when = parse_local(text, now=now)
    except DateInputError as exc:
        return None, str(exc)
    problem = _check_date(fdef, when, case, now, others)
    return (None, problem) if problem else (iso(when), None)


def _check_date(fdef: FieldDef, when: datetime, case: Case | None, now: datetime, others: dict[str, Any]) -> str | None:
    if fdef.key == INCIDENT_FIELD:
        return check_incident_time(when, case, now)
    problem = check_when(when, case, now, future_ok=fdef.future_ok)
    if problem is None and fdef.not_before:
        earlier = _when(others.get(fdef.not_before))
        if earlier is not None and as_utc(when) < earlier:
            problem = (
                f"{fmt_local(when)} is before '{_sibling_label(fdef, fdef.not_before)}' "
                f"({fmt_local(earlier)}). Check the dates."
            )
    return problem


def _sibling_label(fdef: FieldDef, key: str) -> str:
    """The label of field ``key`` in the same form as ``fdef``."""
    forms = (CASE_FORM, *(s.fields for s in STEPS), *(lg.fields for lg in LOGS.values()))
    for form in forms:
        if any(f is fdef for f in form):
            return next((f.label for f in form if f.key == key), key)
    return key


def is_needed(fdef: FieldDef, values: dict[str, Any], case: Case | None, now: datetime) -> bool:
    if not fdef.is_shown(values):
        return False
    if fdef.is_required(values):
        return True
    if fdef.required_when:
        return case is not None and CASE_CONDITIONS[fdef.required_when](case, now)
    # A tick that must be given, with no condition on it, is always needed.
    return fdef.must_be_true and fdef.required_if is None


def missing(
    fdefs: tuple[FieldDef, ...],
    values: dict[str, Any],
    case: Case | None,
    now: datetime,
    *,
    purpose: str = "to mark this step done",
) -> dict[str, str]:
    """Needed fields that are empty and saved values no longer valid: field key → what to fix."""
    problems: dict[str, str] = {}
    for fdef in fdefs:
        value = values.get(fdef.key)
        needed = is_needed(fdef, values, case, now)
        if fdef.kind == "bool" and fdef.must_be_true and needed and value is not True:
            problems[fdef.key] = f"Tick '{fdef.label}' {purpose}."
        elif needed and (value is None or value == "" or value == []):
            problems[fdef.key] = f"'{fdef.label}' is needed {purpose}."
        elif value not in (None, "") and fdef.kind != "bool":
            # Re-check saved values: the victim's number or the incident time may have changed since.
            problem = recheck(fdef, value, case, now, values)
            if problem:
                problems[fdef.key] = problem
    return problems


def step_values(case: Case, sdef: StepDef) -> dict[str, Any]:
    """Every field of a step as stored, those kept elsewhere on the case included."""
    return {f.key: case.value_at(field_path(sdef.key, f)) for f in sdef.fields}


def missing_for_done(sdef: StepDef, case: Case, now: datetime) -> dict[str, str]:
    """What stops the step being marked done: field key → what to fix."""
    return missing(sdef.fields, step_values(case, sdef), case, now)


def parse_form(
    fdefs: tuple[FieldDef, ...], raws: dict[str, Any], case: Case | None, now: datetime, *, purpose: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse a whole form: the values to save, and field key → what to fix (empty when it can be saved).

    Fields hidden by their ``shown_if`` are left out of the values.
    """
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for fdef in fdefs:
        value, problem = parse_field(fdef, raws.get(fdef.key), case, now, others=values)
        values[fdef.key] = value
        if problem:
            problems[fdef.key] = problem
    for fdef in fdefs:
        if not fdef.is_shown(values):
            values.pop(fdef.key, None)
            problems.pop(fdef.key, None)
    for key, problem in missing(fdefs, values, case, now, purpose=purpose).items():
        problems.setdefault(key, problem)
    return values, problems


def recheck(
    fdef: FieldDef, value: Any, case: Case | None, now: datetime, others: dict[str, Any] | None = None
) -> str | None:
    """Is a value saved earlier still valid against the case as it is now?"""
    if case is None:
        return None
    if fdef.kind == "datetime":
        when = _when(value)
        return _check_date(fdef, when, case, now, others or {}) if when else None
    if fdef.kind == "number" and fdef.not_victim:
        return victim_conflict(case, value, fdef.person or "this person")
    if fdef.kind == "select" and isinstance(value, str):
        return _select_problem(fdef, value, case)
    return None
