"""The work queues: what is overdue across every open case, what awaits senior review, and what is
due from one person.

Built from the index summaries only (see ``summary.summarise``), so a queue never opens a case
file. A summary's dues hold absolute times, so whether each is overdue is decided here against
``now``, not when the summary was made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from . import choices as C
from .checklist import step
from .clock import as_utc, fmt_by, fmt_deadline, fmt_duration, fmt_local
from .summary import CaseSummary
from .text import normalise_number, number_key, same_number


def suspect_age(summary: CaseSummary, now: datetime) -> str:
    """``RUI 56d 3h`` or ``Bail 12d 1h``: how long the suspect has been on RUI or pre-charge bail."""
    if summary.suspect_since is None:
        return ""
    if summary.suspect_status == "rui":
        word = "RUI"
    elif summary.suspect_status in C.BAIL_STATUSES:
        word = "Bail"
    else:
        return ""
    return f"{word} {fmt_duration(as_utc(now) - summary.suspect_since)}"


@dataclass(frozen=True)
class OverdueItem:
    case_id: str
    victim: str
    what: str
    due_at: datetime  # UTC
    end_of_day: bool  # a limit counted in days (shown "by the end of ...")
    step: str  # the checklist step where it is dealt with
    overdue_by: timedelta
    suspect: str = ""  # e.g. "RUI 56d 3h"


@dataclass(frozen=True)
class ReviewItem:
    case_id: str
    victim: str
    offence: str  # the short label, e.g. "ABH s47"
    occurred_at: datetime | None  # UTC
    done: int
    total: int
    waiting: timedelta  # since the incident: the summary holds nothing closer to "ready for review"
    suspect: str = ""

    @property
    def progress(self) -> str:
        return f"{self.done}/{self.total}"


def overdue_items(summaries: list[CaseSummary], now: datetime) -> list[OverdueItem]:
    """Every time limit that has passed on an open case, most overdue first."""
    now = as_utc(now)
    items = [
        OverdueItem(
            case_id=s.id,
            victim=s.victim_name,
            what=d.what,
            due_at=d.due_at,
            end_of_day=d.end_of_day,
            step=d.step,
            overdue_by=now - d.due_at,
            suspect=suspect_age(s, now),
        )
        for s in summaries
        for d in s.overdue(now)
    ]
    return sorted(items, key=lambda i: (i.due_at, i.case_id, i.what))


@dataclass(frozen=True)
class DueItem:
    """Something with a time limit on a case where the person asked about is named."""

    case_id: str
    victim: str
    what: str
    due_at: datetime  # UTC
    end_of_day: bool
    step: str
    overdue: bool


def names(summary: CaseSummary, number: str) -> bool:
    """Is ``number`` named in any role on this case (supervisor, inspector, welfare officer, OIC,
    support officer, reviewer, statement taker...)?"""
    return any(same_number(number, person) for person in summary.people)


def _naming(number: str) -> Callable[[CaseSummary], bool]:
    """``names(summary, number)`` for one number, quicker over many cases: the number is normalised once,
    and only a person whose stored (normalised) number ends with its digits is compared in full."""
    digits = number_key(number)
    if not digits:
        return lambda summary: False
    return lambda summary: any(p.endswith(digits) and same_number(number, p) for p in summary.people)


def due_items(summaries: Iterable[CaseSummary], number: str, now: datetime) -> list[DueItem]:
    """What is due from the person with this collar/staff number: every time limit still running or
    passed on an open case where they are named in any role, soonest (most overdue) first."""
    now = as_utc(now)
    named = _naming(number)
    items = [
        DueItem(s.id, s.victim_name, d.what, d.due_at, d.end_of_day, d.step, d.overdue(now))
        for s in summaries
        if s.dues and s.is_open and not s.damaged and named(s)
        for d in s.dues
    ]
    return sorted(items, key=lambda i: (i.due_at, i.case_id, i.what))


def due_json(items: list[DueItem], number: str, now: datetime) -> dict[str, Any]:
    """``ophamp due --format json``: one record per item, times in UTC (ISO 8601) and as shown."""
    return {
        "for": normalise_number(number),
        "at": as_utc(now).isoformat().replace("+00:00", "Z"),
        "overdue": sum(i.overdue for i in items),
        "items": [
            {
                "case": i.case_id,
                "victim": i.victim,
                "what": i.what,
                "due_at": i.due_at.isoformat().replace("+00:00", "Z"),
                "due": fmt_deadline(i.due_at, i.end_of_day),
                "overdue": i.overdue,
                "step": i.step,
            }
            for i in items
        ],
    }


def due_text(items: list[DueItem], number: str, now: datetime) -> str:
    """``ophamp due``: a plain list a person can read in an email, most urgent first."""
    who = normalise_number(number)
    if not items:
        return f"Nothing is due from {who}.\n"
    late = sum(i.overdue for i in items)
    head = f"Due from {who}: {len(items)} item{'s' if len(items) != 1 else ''}"
    head += f", {late} overdue" if late else ""
    lines = [head + f" (at {fmt_local(now, with_day=True)})", ""]
    for i in items:
        flag = "OVERDUE " if i.overdue else ""
        lines.append(f"{flag}{i.what}, {fmt_by(i.due_at, i.end_of_day)}")
        lines.append(f"    {i.case_id}  {i.victim}  (step: {step(i.step).title})")
    return "\n".join(lines) + "\n"


def overdue_count(summaries: list[CaseSummary], now: datetime) -> int:
    return sum(len(s.overdue(now)) for s in summaries)


def review_items(summaries: list[CaseSummary], now: datetime) -> list[ReviewItem]:
    """Cases with steps 1-9 finished, waiting for a senior manager: longest waiting first."""
    now = as_utc(now)
    items = [
        ReviewItem(
            case_id=s.id,
            victim=s.victim_name,
            offence=C.OFFENCE_SHORT.get(s.offence, s.offence),
            occurred_at=s.occurred_at,
            done=s.done,
            total=s.total,
            waiting=now - s.occurred_at if s.occurred_at else timedelta(0),
            suspect=suspect_age(s, now),
        )
        for s in summaries
        if s.state == "review"
    ]
    return sorted(items, key=lambda i: (-i.waiting, i.case_id))
