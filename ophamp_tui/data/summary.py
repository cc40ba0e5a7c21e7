"""The small record of a case that the case list, the queues and the repeat-victim lookup read,
without opening the case file. The store keeps one per case in its index.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, Self

from . import choices as C
from .checklist import person_fields
from .clock import add_working_days, as_utc, from_iso
from .deadlines import (
    REFERRAL_WORKING_DAYS,
    VICTIM_SUPPORT_WORKING_DAYS,
    WELFARE_CONTACT_HOURS,
    Due,
    enhanced_reasons,
    obligations,
    status_since,
    update_limit_days,
)
from .models import Case, StepStatus
from .progress import REVIEW_STEP, awaiting_review, is_complete, next_step, progress
from .text import _split as split_number
from .text import normalise_number, same_victim

# Bump when what a summary holds, or how it is worked out, changes: older indexes are rebuilt.
SUMMARY_VERSION = 6

# Summaries are plain slotted dataclasses, not pydantic models: a store of 100,000 cases builds
# 100,000 of them for the case list, and a pydantic model costs about 3 KB and 25 us each, this
# about 1 KB and 3 us. They keep the few pydantic methods callers use (``model_copy``,
# ``model_dump``, ``model_dump_json``, ``model_validate``, ``model_validate_json``, ``model_fields``),
# and ``model_validate`` checks every type (``ValueError`` naming the field if one is wrong).


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _when(name: str, value: Any) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{name}: not a date and time") from None
    if not isinstance(value, datetime):
        raise ValueError(f"{name}: not a date and time")
    return as_utc(value)


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name}: not text")
    return value


def _texts(name: str, value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name}: not a list of text")
    return list(value)


def _word(name: str, value: Any) -> str:
    """Text from a small vocabulary (a step key, an offence): one copy shared by every summary."""
    return sys.intern(_text(name, value))


def _int(name: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name}: not a whole number")
    return value


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name}: not true or false")
    return value


class _Record:
    """The pydantic-like methods shared by both summary classes."""

    __slots__ = ()
    model_fields: ClassVar[dict[str, dataclasses.Field[Any]]]

    def model_copy(self, *, update: dict[str, Any] | None = None) -> Self:
        return dataclasses.replace(self, **(update or {}))  # type: ignore[type-var]

    def model_dump(self, *, mode: str = "python", exclude: set[str] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.model_fields:
            if exclude and name in exclude:
                continue
            out[name] = _dump(getattr(self, name), mode)
        return out

    def model_dump_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False)

    @classmethod
    def model_validate_json(cls, data: str | bytes) -> Any:
        return cls.model_validate(json.loads(data))  # type: ignore[attr-defined]


def _dump(value: Any, mode: str) -> Any:
    if isinstance(value, _Record):
        return value.model_dump(mode=mode)
    if isinstance(value, list):
        return [_dump(v, mode) for v in value]
    if mode == "json" and isinstance(value, datetime):
        return _iso(value)
    return value


@dataclass(slots=True, eq=True)
class DueSummary(_Record):
    what: str
    due_at: datetime
    step: str
    end_of_day: bool = False

    def as_due(self) -> Due:
        return Due(self.what, self.due_at, self.step, self.end_of_day)

    def overdue(self, now: datetime) -> bool:
        return as_utc(now) >= self.due_at

    @classmethod
    def model_validate(cls, data: Any) -> DueSummary:
        if isinstance(data, DueSummary):
            return data
        if not isinstance(data, dict):
            raise ValueError("dues: not a record")
        return cls(
            what=_word("dues.what", data.get("what")),
            due_at=_when("dues.due_at", data.get("due_at")),
            step=_word("dues.step", data.get("step")),
            end_of_day=_bool("dues.end_of_day", data.get("end_of_day", False)),
        )


def _dues(name: str, value: Any) -> list[DueSummary]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"{name}: not a list")
    return [DueSummary.model_validate(v) for v in value]


@dataclass(slots=True, eq=True)
class CaseSummary(_Record):
    """What the lists need of a case. A damaged case file gives a summary with ``damaged`` set."""

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
    enhanced: list[str] = field(default_factory=list)  # why the victim has enhanced rights
    done: int = 0
    total: int = 0
    next_step: str = ""  # the key of the first unfinished step ('' when all are)
    complete: bool = False
    closed: bool = False  # closed early
    awaiting_review: bool = False
    suspect_status: str = ""
    suspect_since: datetime | None = None  # when the current status began (RUI and bail age)
    outcome: str = ""
    dues: list[DueSummary] = field(default_factory=list)
    people: list[str] = field(default_factory=list)  # collar/staff numbers of everyone with a role
    linked: list[str] = field(default_factory=list)
    fictional: bool = False
    # The case file this was made from (the index is a cache, checked against its size). The mtime is
    # no longer used (copying a store changes it) and stays 0; kept for callers that set it.
    file_mtime_ns: int = 0
    file_size: int = 0
    # For the managers' report (``report_facts``): coded values and times only.
    context: str = ""
    location_type: str = ""
    victim_role: str = ""
    vrr_requested: str = ""
    vrr_result: str = ""
    welfare_at: datetime | None = None  # when the victim was first contacted (step 2)
    ready_at: datetime | None = None  # awaiting review: when the last of steps 1-9 was finished
    on_time: list[str] = field(default_factory=list)  # report_facts.CLOCKS met in time (one per obligation)
    late: list[str] = field(default_factory=list)  # ... met after their limit

    @classmethod
    def model_validate(cls, data: Any) -> CaseSummary:
        """A summary from a dict of JSON types (or of Python ones): ``ValueError`` if a value has the
        wrong type. Keys that are not fields are ignored."""
        if isinstance(data, CaseSummary):
            return data
        if not isinstance(data, dict):
            raise ValueError("not a summary record")
        values: dict[str, Any] = {}
        for name, check in _CHECKS.items():
            if name in data:
                value = data[name]
                values[name] = None if value is None and name in _OPTIONAL else check(name, value)
        if "id" not in values:
            raise ValueError("id: missing")
        return cls(**values)

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


DueSummary.model_fields = {f.name: f for f in dataclasses.fields(DueSummary)}
CaseSummary.model_fields = {f.name: f for f in dataclasses.fields(CaseSummary)}
_OPTIONAL = {"occurred_at", "suspect_since", "welfare_at", "ready_at"}
_CHECKS: dict[str, Any] = {
    "id": _text,
    "rev": _int,
    "damaged": _text,
    "victim_name": _text,
    "victim_number": _text,
    "victim_staff_no": _text,
    "occurred_at": _when,
    "offence": _word,
    "injury": _word,
    "hate": _bool,
    "enhanced": _texts,
    "done": _int,
    "total": _int,
    "next_step": _word,
    "complete": _bool,
    "closed": _bool,
    "awaiting_review": _bool,
    "suspect_status": _word,
    "suspect_since": _when,
    "outcome": _word,
    "dues": _dues,
    "people": _texts,
    "linked": _texts,
    "fictional": _bool,
    "file_mtime_ns": _int,
    "file_size": _int,
    "context": _word,
    "location_type": _word,
    "victim_role": _word,
    "vrr_requested": _word,
    "vrr_result": _word,
    "welfare_at": _when,
    "ready_at": _when,
    "on_time": _texts,
    "late": _texts,
}
assert set(_CHECKS) == set(CaseSummary.model_fields)


def _time(value: object) -> datetime | None:
    return from_iso(value) if isinstance(value, str) and value else None


def welfare_contact_at(case: Case) -> datetime | None:
    """When the victim was first contacted (step 2's "when"; when the step was done if that is blank)."""
    step = case.steps["welfare_contact"]
    if step.status is StepStatus.NOT_APPLICABLE:
        return None
    at = _time(step.fields.get("contact_at"))
    if at is None and step.status is StepStatus.DONE:
        at = step.at
    return None if at is None else as_utc(at)


_REVIEW = f"steps.{REVIEW_STEP}."


def ready_at(case: Case) -> datetime | None:
    """When the last of steps 1-9 was finished (the case became ready for senior review): the latest change
    of their status (in the history, or the step's own time), if recorded."""
    times = [r.at for k, r in case.steps.items() if k != REVIEW_STEP and r.at is not None]
    times += [
        h.at
        for h in case.history
        if h.field.startswith("steps.") and h.field.endswith(".status") and not h.field.startswith(_REVIEW)
    ]
    return as_utc(max(times)) if times else None


def clocks_met(case: Case) -> tuple[list[str], list[str]]:
    """The time limits of ``deadlines.obligations`` that have been met: (on time, late), one entry per
    obligation, by ``report_facts.CLOCKS`` key. Met before the limit is on time (the limit is the moment it
    becomes overdue). What is not met yet stays in ``dues``."""
    on_time: list[str] = []
    late: list[str] = []

    def met(key: str, at: datetime | None, due: datetime) -> None:
        if at is not None:
            (on_time if as_utc(at) < due else late).append(sys.intern(key))

    incident = as_utc(case.incident.occurred_at)
    if case.steps["welfare_contact"].status is StepStatus.DONE:  # until then it is in ``dues``
        met("welfare", welfare_contact_at(case), incident + timedelta(hours=WELFARE_CONTACT_HOURS))
    limit = update_limit_days(case)
    updates = sorted(as_utc(u.at) for u in case.updates)
    for event in case.status_history:
        if event.kind in C.NOTIFIABLE_STATUSES:
            at = as_utc(event.at)
            told = next((u for u in updates if u >= at), None)
            met("told", told, add_working_days(at, limit))
    out = case.steps["outcome"].fields
    decided = _time(out.get("decided_at"))
    if out.get("outcome") and decided is not None:
        met("outcome_told", _time(out.get("victim_told_at")), add_working_days(decided, limit))
    support = [as_utc(r.done_at) for r in case.referrals if r.kind == "victim_support" and r.done_at]
    if support:
        met("right4", min(support), add_working_days(case.created_at, VICTIM_SUPPORT_WORKING_DAYS))
    for ref in case.referrals:
        if ref.kind != "victim_support" and ref.done_at is not None:
            met("referral", ref.done_at, add_working_days(ref.at, REFERRAL_WORKING_DAYS))
    return on_time, late


def summarise(case: Case) -> CaseSummary:
    """The summary of a case. Every deadline in it is an absolute time, so it stays true as time passes."""
    done, total = progress(case)
    nxt = next_step(case)
    on_time, late = clocks_met(case)
    numbers = {normalise_number(case.value_at(f"steps.{s}.fields.{f.key}")) for s, f in person_fields()}
    numbers.add(normalise_number(case.created_by.number))
    numbers.discard("")
    return CaseSummary(
        id=case.id,
        rev=case.rev,
        victim_name=case.victim.name,
        victim_number=normalise_number(case.victim.number),
        victim_staff_no=normalise_number(case.victim.staff_no),
        occurred_at=as_utc(case.incident.occurred_at),
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
        suspect_since=None if (since := status_since(case)) is None else as_utc(since),
        outcome=str(case.steps["outcome"].fields.get("outcome") or ""),
        dues=[
            DueSummary(what=d.what, due_at=as_utc(d.due_at), step=d.step, end_of_day=d.end_of_day)
            for d in obligations(case)
        ],
        people=sorted(numbers),
        linked=list(case.incident.linked),
        fictional=case.fictional,
        context=sys.intern(case.incident.context),
        location_type=sys.intern(case.incident.location_type),
        victim_role=sys.intern(case.victim.role),
        vrr_requested=sys.intern(str(case.steps["outcome"].fields.get("vrr_requested") or "")),
        vrr_result=sys.intern(str(case.steps["outcome"].fields.get("vrr_result") or "")),
        welfare_at=welfare_contact_at(case),
        ready_at=ready_at(case) if awaiting_review(case) else None,
        on_time=on_time,
        late=late,
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
    return [
        s
        for s in summaries
        if (
            s.victim_staff_no == staff
            if staff_no and s.victim_staff_no
            else bool(tail) and s.victim_number.endswith(tail)
        )
    ]


def earlier_cases(case: Case, summaries: list[CaseSummary]) -> list[CaseSummary]:
    """Other cases of the same victim from before this incident, oldest first (a repeat victim)."""
    at = case.incident.occurred_at
    return sorted(
        (
            s
            for s in _could_be_victim(summaries, case.victim.number, case.victim.staff_no)
            if s.id != case.id
            and s.occurred_at is not None
            and s.occurred_at < at
            and s.same_victim_as(case.victim.number, case.victim.staff_no)
        ),
        key=lambda s: s.occurred_at or at,
    )


def victim_cases(summaries: list[CaseSummary], number: str, staff_no: str = "") -> list[CaseSummary]:
    """Every case of the victim with this collar/staff number (or warrant number), oldest first."""
    return sorted(
        (s for s in _could_be_victim(summaries, number, staff_no) if s.same_victim_as(number, staff_no)),
        key=lambda s: (s.occurred_at is None, s.occurred_at or datetime.min, s.id),
    )
