"""Training: which step of the checklist a scenario's teaching point is about, so the trainer can jump
to it from the teaching points (``t`` on a scenario's case). Read from the point's words: the scenario
files hold plain sentences. A point about the whole case (a repeat victim, say) is about no one step."""

from __future__ import annotations

from .checklist import StepDef, step

# First match wins: the more particular words come first (a repeat victim's "impact" is the case's).
_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("", ("repeat victim", "later case", "earlier case")),
    ("senior_review", ("senior reviewer", "senior manager", "senior review")),
    ("supervisor_aware", ("health and safety report", "hot debrief")),
    ("outcome", ("no further action", "right to review", "preferred outcome", "held to account")),
    (
        "longer_term",
        ("occupational health", "trim referral", "welfare officer", "weekly call", "longer-term", "went sick"),
    ),
    ("statement", ("statement", "vps", "impact")),
    (
        "kept_informed",
        ("each development", "keep the victim told", "keep hearing", "what was done", "released under investigation"),
    ),
    ("welfare_contact", ("part of the job", "offer support", "welfare")),
    ("crime_recorded", ("crime report", "recorded", "offence")),
    ("oic_assigned", ("investigating officer", "oic")),
)


def step_for_point(point: str) -> StepDef | None:
    """The step ``point`` is about, or None when it is about the case as a whole (or no step is named)."""
    words = point.lower()
    for key, phrases in _WORDS:
        if any(p in words for p in phrases):
            return step(key) if key else None
    return None
