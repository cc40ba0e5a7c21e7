"""'What you can expect': the Op Hampshire promises in plain words, for handing to the victim.

The Victims' Code rights are cited by number where they apply (Code of Practice for Victims of
Crime in England and Wales, 2020): Right 2 (the crime recorded), Right 4 (victim support
services), Right 6 (information about the investigation and prosecution, including the right to
review), Right 7 (the Victim Personal Statement), Right 9 (the outcome), Right 12 (complaints).
"""

from __future__ import annotations

from pathlib import Path

from . import atomic
from .checklist import STEPS
from .clock import fmt_local_date
from .deadlines import enhanced_reasons, rui_since, vrr_deadline, vrr_scheme
from .models import Case

INTRO = (
    "You have been assaulted at work. That is never 'part of the job', and what matters is the impact "
    "on you, not only any injury. You are a victim of crime and should get the same care, investigation "
    "and justice as anyone else, including your rights under the Victims' Code. This is what you can "
    "expect. If something is missing, you can ask about it: that is why you are given this list."
)

DEVELOPMENTS = (
    "an arrest, an interview, release on bail or under investigation (RUI), a change to bail, a charge, "
    "a decision not to charge, or the CPS dropping or changing the charge"
)

OUTRO = (
    "If you feel you have not had the service or contact described here, tell your supervisor, your "
    "welfare officer or your force's Op Hampshire lead. You can also complain (Victims' Code Right 12). "
    "The Police Federation or your union can support you too."
)


def _who(case: Case, step: str, prefix: str) -> str:
    fields = case.steps[step].fields
    name, number = fields.get(f"{prefix}_name"), fields.get(f"{prefix}_number")
    if not name:
        return ""
    return f"{name} ({number})" if number else str(name)


def _updates(case: Case) -> str:
    reasons = enhanced_reasons(case)
    if reasons:
        return (
            f"You are entitled to enhanced rights ({', '.join(reasons)}), so you will be told within 1 working "
            f"day of each development: {DEVELOPMENTS} (Victims' Code Right 6). You will also be told the "
            "outcome, and any sentence (Right 9)."
        )
    return (
        f"You will be told within 5 working days of each development: {DEVELOPMENTS} (Victims' Code "
        "Right 6). You will also be told the outcome, and any sentence (Right 9)."
    )


def _rui(case: Case) -> str:
    """What release under investigation means for the victim, while the suspect is on it."""
    since = rui_since(case)
    if since is None:
        return ""
    return (
        f"The suspect was released under investigation (RUI) on {fmt_local_date(since)}. RUI has no time "
        "limit and no conditions, so the investigation can take a while: you will still be told of each "
        "development, and you can ask your investigating officer how it is going at any time."
    )


def _review(case: Case) -> str:
    deadline = vrr_deadline(case)
    if deadline is None:
        return ""
    if vrr_scheme(case.steps["outcome"].fields.get("outcome")) == "police":  # type: ignore[arg-type]
        return (
            "You can ask the police to review the decision not to charge (the Victims' Right to Review, "
            f"Victims' Code Right 6). Ask within 3 months of the decision, that is {deadline.by()}; a later "
            "request can still be considered at the force's discretion."
        )
    return (
        "You can ask the CPS to review its decision (the CPS Victims' Right to Review scheme, Victims' Code "
        f"Right 6). Ask within 10 working days of being told of it, that is {deadline.by()}; a later request "
        "can still be considered in some circumstances."
    )


def what_to_expect(case: Case) -> str:
    """The leaflet for this case: the ten promises, and the names and dates that are known so far."""
    lines = ["WHAT YOU CAN EXPECT - Op Hampshire", "", f"For: {case.victim.name}", f"Case reference: {case.id}"]
    if case.fictional:  # a training scenario or a seeded case: a handout must never pass for a real one
        lines[:0] = ["TRAINING - FICTIONAL CASE, NOT A REAL VICTIM", ""]
    crime_ref = case.steps["crime_recorded"].fields.get("crime_ref")
    if crime_ref:
        lines.append(f"Crime reference: {crime_ref}")
    lines += ["", INTRO, ""]
    for sdef in STEPS:
        rights = f" (Victims' Code {sdef.rights})" if sdef.rights else ""
        lines.append(f"{sdef.number}. {sdef.expect}{rights}")
    contacts = [
        ("Your investigating officer", _who(case, "oic_assigned", "oic")),
        ("Your welfare officer", _who(case, "support_handover", "welfare_officer")),
        ("Your longer-term support officer", _who(case, "longer_term", "support_officer")),
    ]
    known = [(label, who) for label, who in contacts if who]
    if known:
        lines += ["", "Who to contact:"] + [f"  {label}: {who}" for label, who in known]
    lines += ["", _updates(case)]
    rui = _rui(case)
    if rui:
        lines.append(rui)
    if case.steps["longer_term"].fields.get("victim_support_declined") is True:
        lines.append(
            "You said you did not want your details passed to victim support services (Victims' Code "
            "Right 4). You can change your mind at any time: ask your investigating officer."
        )
    else:
        lines.append(
            "Your details are passed to victim support services within 2 working days of the crime "
            "being reported, unless you do not want that (Victims' Code Right 4)."
        )
    lines.append(
        "Your force's welfare support (Occupational Health, trauma support (TRiM), the Police Federation "
        "or your union, the employee assistance programme) is arranged within 2 working days of the "
        "need being found."
    )
    review = _review(case)
    if review:
        lines.append(review)
    lines += ["", OUTRO, ""]
    return "\n".join(lines)


def export(case: Case, folder: Path) -> Path:
    """Write the leaflet as a text file in ``folder`` (readable by you only, as it names the victim)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"what-to-expect-{case.id}.txt"
    atomic.atomic_write(path, what_to_expect(case).encode("utf-8"))
    return path
