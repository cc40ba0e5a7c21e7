"""'What you can expect': the Op Hampshire promises in plain words, for handing to the victim."""

from __future__ import annotations

from pathlib import Path

from . import atomic
from .checklist import STEPS
from .clock import fmt_local
from .models import Case
from .rules import enhanced_rights, vrr_deadline

INTRO = (
    "You have been assaulted at work. That is never 'part of the job', and what matters is the impact "
    "on you, not only any injury. You are a victim of crime and should get the same care, investigation "
    "and justice as anyone else. This is what you can expect. If something is missing, you can ask "
    "about it: that is why you are given this list."
)

OUTRO = (
    "If you feel you have not had the service or contact described here, tell your supervisor, your "
    "welfare officer or your force's Op Hampshire lead. The Police Federation or your union can support you too."
)


def _who(case: Case, step: str, prefix: str) -> str:
    fields = case.steps[step].fields
    name, number = fields.get(f"{prefix}_name"), fields.get(f"{prefix}_number")
    if not name:
        return ""
    return f"{name} ({number})" if number else str(name)


def what_to_expect(case: Case) -> str:
    """The leaflet for this case: the ten promises, and the names and dates that are known so far."""
    lines = ["WHAT YOU CAN EXPECT - Op Hampshire", "", f"For: {case.victim.name}", f"Case reference: {case.id}"]
    crime_ref = case.steps["crime_recorded"].fields.get("crime_ref")
    if crime_ref:
        lines.append(f"Crime reference: {crime_ref}")
    lines += ["", INTRO, ""]
    for sdef in STEPS:
        lines.append(f"{sdef.number}. {sdef.expect}")
    contacts = [
        ("Your investigating officer", _who(case, "oic_assigned", "oic")),
        ("Your welfare officer", _who(case, "support_handover", "welfare_officer")),
        ("Your longer-term support officer", _who(case, "longer_term", "support_officer")),
    ]
    known = [(label, who) for label, who in contacts if who]
    if known:
        lines += ["", "Who to contact:"] + [f"  {label}: {who}" for label, who in known]
    lines.append("")
    if enhanced_rights(case):
        lines.append("Because this was a hate crime, you are entitled to updates within 1 working day of "
                     "each development (arrest, interview, bail, charge or a decision not to prosecute).")
    else:
        lines.append("You will be told within 5 working days of each development (arrest, interview, "
                     "bail, release under investigation, charge or a decision not to prosecute).")
    deadline = vrr_deadline(case)
    if deadline:
        lines.append(f"You can ask for a review of the decision (Victims' Right to Review) until {fmt_local(deadline)}.")
    lines += ["", OUTRO, ""]
    return "\n".join(lines)


def export(case: Case, folder: Path) -> Path:
    """Write the leaflet as a text file in ``folder`` (readable by you only, as it names the victim)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"what-to-expect-{case.id}.txt"
    atomic.atomic_write(path, what_to_expect(case).encode("utf-8"))
    return path
