"""Short lines of context shown beside a step's form: elapsed times, rights, deadlines, what is due."""

from __future__ import annotations

from datetime import datetime

from .clock import as_utc, fmt_duration, from_iso
from .deadlines import (
    days_off,
    enhanced_text,
    hs_reason,
    obligations,
    outstanding,
    riddor_needed,
    suspect_words,
    vrr_words,
)
from .models import Case


def _when(value: object) -> datetime | None:
    return from_iso(value) if isinstance(value, str) and value else None


def step_facts(case: Case, key: str, now: datetime) -> list[str]:
    """What a supervisor should see at this step before filling it in."""
    facts: list[str] = []
    fields = case.steps[key].fields
    incident = case.incident.occurred_at
    if key == "supervisor_aware":
        aware = _when(fields.get("aware_at"))
        if aware:
            facts.append(f"Supervisor knew {fmt_duration(aware - incident)} after the incident.")
        else:
            facts.append(f"Incident was {fmt_duration(as_utc(now) - incident)} ago.")
    if key == "crime_recorded" and hs_reason(case):
        ref = case.steps["supervisor_aware"].fields.get("hs_report")
        facts.append(
            f"Health & safety report {ref} (step 1): cross-reference it to this crime."
            if ref
            else "The health & safety report (step 1) is not made yet: it must be cross-referenced here."
        )
    if key == "longer_term":
        off = days_off(case, now)
        if off is not None:
            facts.append(
                f"Off normal duties {off} day{'s' if off != 1 else ''}."
                + (
                    " Over 7 days: report under RIDDOR within 15 days of the incident."
                    if riddor_needed(case, now)
                    else ""
                )
            )
    if key == "outcome":
        words = vrr_words(case)
        if words:
            facts.append(words)
        suspect = suspect_words(case, now)
        if suspect:
            facts.append(f"Suspect {suspect}.")
    enhanced = enhanced_text(case)
    if enhanced and key in ("kept_informed", "outcome"):
        facts.append(f"{enhanced}: each development told within 1 working day.")
    for item in outstanding(case):
        if item.step == key:
            facts.append(f"Outstanding: {item.what}.")
    for due in obligations(case):
        # Telling the victim about the suspect is logged at step 7 but follows the events of step 9.
        if due.step == key or (key == "outcome" and due.what.startswith("Tell victim")):
            state = "OVERDUE, was due" if due.overdue(now) else "due"
            facts.append(f"{due.what}: {state} {due.by()}.")
    return facts
