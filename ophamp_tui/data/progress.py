"""How far a case has got: steps finished, the next step, awaiting review, complete, closed."""

from __future__ import annotations

from .checklist import STEPS, StepDef
from .models import Case, StepStatus

REVIEW_STEP = "senior_review"


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
    review = case.steps[REVIEW_STEP]
    return all(case.steps[s.key].status.finished for s in STEPS) and (
        review.status is StepStatus.DONE and review.fields.get("signed_off") is True
    )


def is_closed(case: Case) -> bool:
    return bool(case.closed_reason) or is_complete(case)


def awaiting_review(case: Case) -> bool:
    if is_closed(case):
        return False
    return all(case.steps[s.key].status.finished for s in STEPS if s.key != REVIEW_STEP)
