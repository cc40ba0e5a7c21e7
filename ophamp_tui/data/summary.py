"""The small record of a case that the case list, the queues and the repeat-victim lookup read,
without opening the case file. The store keeps one per case in its index.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .checklist import person_fields
from .clock import as_utc
from .deadlines import Due, enhanced_reasons, obligations, status_since
from .models import Case
from .progress import awaiting_review, is_complete, next_step, progress
from .text import _split as split_number
from .text import normalise_number, same_victim

# Bump when what a summary holds, or how it is worked out, changes: older indexes are rebuilt.
SUMMARY_VERSION = 4


class DueSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    what: str
    due_at: datetime
    step: str
    end_of_day: bool = False

    def as_due(self) -> Due:
        return Due(self.what, self.due_at, self.step, self.end_of_day)

    def overdue(self, now: datetime) -> bool:
        return as_utc(now) >= self.due_at


class CaseSummary(BaseModel):
    """What the lists need of a case. A damaged case file gives a summary with ``damaged`` set."""

    model_config = ConfigDict(extra="ignore")

    id: str
    rev: int = 0
    damaged: str = ""  # why the case file cannot be read; everything else is then empty
    victim_name: str = ""
    victim_number: str = ""  # as entered, rank kept
    victim_staff_no: str = ""
    occurred_at: datetime | None = None
    offence: str = ""
    injury: str = ""
    hate: bool = False
    enhanced: list[str] = Field(default_factory=list)  # why the victim has enhanced rights
    done: int = 0
    total: int = 0
    next_step: str = ""  # the key of the first unfinished step ('' when all are)
    complete: bool = False
    closed: bool = False  # closed early
    awaiting_review: bool = False
    suspect_status: str = ""
    suspect_since: datetime | None = None  # when the current status began (RUI and bail age)
    outcome: str = ""
    dues: list[DueSummary] = Field(default_factory=list)
    people: list[str] = Field(default_factory=list)  # collar/staff numbers of everyone with a role
    linked: list[str] = Field(default_factory=list)
    fictional: bool = False
    # The case file this was made from (the index is a cache, checked against it).
    file_mtime_ns: int = 0
    file_size: int = 0

    @field_validator("occurred_at", "suspect_since")
    @classmethod
    def _utc(cls, v: datetime | None) -> datetime | None:
        return None if v is None else as_utc(v)

    @property
    def state(self) -> str:
        """ "damaged", "closed" (early), "complete", "review" (awaiting senior review) or "open"."""
        if self.damaged:
            return "damaged"
        if self.closed:
            return "closed"
        if self.complete:
            return "complete"
        return "review" if self.awaiting_review else "open"

    @property
    def is_open(self) -> bool:
        return self.state in ("open", "review")

    def overdue(self, now: datetime) -> list[DueSummary]:
        return [d for d in self.dues if d.overdue(now)] if self.is_open else []

    def same_victim_as(self, number: str, staff_no: str = "") -> bool:
        return not self.damaged and same_victim(self.victim_number, self.victim_staff_no, number, staff_no)

    @classmethod
    def damaged_file(cls, case_id: str, why: str) -> CaseSummary:
        return cls(id=case_id, damaged=why)


def summarise(case: Case) -> CaseSummary:
    """The summary of a case. Every deadline in it is an absolute time, so it stays true as time passes."""
    done, total = progress(case)
    nxt = next_step(case)
    numbers = {normalise_number(case.value_at(f"steps.{s}.fields.{f.key}")) for s, f in person_fields()}
    numbers.add(normalise_number(case.created_by.number))
    numbers.discard("")
    return CaseSummary(
        id=case.id,
        rev=case.rev,
        victim_name=case.victim.name,
        victim_number=normalise_number(case.victim.number),
        victim_staff_no=normalise_number(case.victim.staff_no),
        occurred_at=case.incident.occurred_at,
        offence=case.incident.offence,
        injury=case.incident.injury,
        hate=case.hate_crime,
        enhanced=enhanced_reasons(case),
        done=done,
        total=total,
        next_step=nxt.key if nxt else "",
        complete=is_complete(case),
        closed=bool(case.closed_reason),
        awaiting_review=awaiting_review(case),
        suspect_status=case.suspect.status,
        suspect_since=status_since(case),
        outcome=str(case.steps["outcome"].fields.get("outcome") or ""),
        dues=[
            DueSummary(what=d.what, due_at=d.due_at, step=d.step, end_of_day=d.end_of_day) for d in obligations(case)
        ],
        people=sorted(numbers),
        linked=list(case.incident.linked),
        fictional=case.fictional,
    )


def _could_be_victim(summaries: list[CaseSummary], number: str, staff_no: str) -> list[CaseSummary]:
    """The summaries ``same_victim_as(number, staff_no)`` may hold for, from a quick look at their stored
    (already normalised) numbers: the full check then runs on a few cases, not on all 10,000 (~40 ms).

    Where both have a warrant number, a match is the same one. Otherwise it is the same collar/staff
    number, or the same part from its first digit on (``text.same_number``): either way the stored
    number ends with that part of this one (or with all of it, if it has no digits)."""
    staff = normalise_number(staff_no) if staff_no else ""
    norm = normalise_number(number)
    tail = split_number(norm)[1] or norm
    return [s for s in summaries
            if (s.victim_staff_no == staff if staff_no and s.victim_staff_no
                else bool(tail) and s.victim_number.endswith(tail))]


def earlier_cases(case: Case, summaries: list[CaseSummary]) -> list[CaseSummary]:
    """Other cases of the same victim from before this incident, oldest first (a repeat victim)."""
    at = case.incident.occurred_at
    return sorted(
        (s for s in _could_be_victim(summaries, case.victim.number, case.victim.staff_no)
         if s.id != case.id and s.occurred_at is not None and s.occurred_at < at
         and s.same_victim_as(case.victim.number, case.victim.staff_no)),
        key=lambda s: s.occurred_at or at,
    )


def victim_cases(summaries: list[CaseSummary], number: str, staff_no: str = "") -> list[CaseSummary]:
    """Every case of the victim with this collar/staff number (or warrant number), oldest first."""
    return sorted((s for s in _could_be_victim(summaries, number, staff_no) if s.same_victim_as(number, staff_no)),
                  key=lambda s: (s.occurred_at is None, s.occurred_at or datetime.min, s.id))
