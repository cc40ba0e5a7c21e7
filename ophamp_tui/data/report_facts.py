"""The raw counts behind ``report.Report``: what each store works out for a period (``CaseStore.report_counts``).

The file store counts them from its summaries (``counts_from_summaries``, below: the index holds every fact
needed, so no case file is opened); the PostgreSQL store counts them with SQL over the ``summary`` JSONB
(``store_pg.PgStore.report_counts``). Both give the same ``ReportCounts``; ``report.build_report`` turns
them into figures with labels and denominators. Nothing here is personal: counts, codes and durations.

Definitions (shared by both backends, tested against hand-worked answers in ``tests/test_report.py``):

- A case is *in the period* if its incident (``occurred_at``) is at or after ``start`` and before ``end``
  (the period's London days, as UTC). Unreadable (damaged) cases have no incident date: never in a period,
  counted in ``damaged``.
- *Injury*: ``injury`` other than ``none`` (the Home Office "with injury" / "without injury" split).
- *Repeat victim*: a case in the period whose victim (warrant/staff number if recorded, else the collar
  number as stored, normalised) has another case in the store with an earlier incident.
- *Outcome* groups (``outcome_group``): positive (charged, caution, community resolution, convicted),
  discontinued (CPS discontinued / no evidence offered), NFA (every other decision not to proceed),
  acquitted, other (a value this version does not know), still open (no outcome, case open), closed
  without an outcome.
- *Clocks* (``CLOCKS``): the time limits of the steps, from ``deadlines.obligations``. Each obligation is
  *on time* (met before its limit), *late* (met after it) or *missed* (not met, limit passed, case still
  open); one not met whose limit has not passed is not counted. The routine update, sick-leave contact,
  RIDDOR, bail and s127 clocks are left out: they recur or are not a step's duty to the victim.
- *Now* figures (suspects on RUI or bail, cases awaiting senior review) cover every case in the store,
  whatever the period: they are about today.
- Durations: RUI and bail from when the status began (``deadlines.status_since``), in whole days, banded
  by ``BANDS``; "over 6 months" is 182 days or more. Senior review waits from when the last of steps 1-9
  was finished (``ready_at``).
- Percentiles: linear interpolation between the two nearest values (PostgreSQL's ``percentile_cont``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from . import choices as C
from .clock import as_utc
from .summary import CaseSummary

# The clocks the report times: key -> (step, what it is, in words). ``CLOCK_PREFIXES`` tells which of a
# case's outstanding dues (``DueSummary.what``) belong to each (first match wins).
CLOCKS: dict[str, tuple[str, str]] = {
    "welfare": ("welfare_contact", "Welfare contact within 24 hours"),
    "told": ("kept_informed", "Victim told of suspect events"),
    "right4": ("longer_term", "Victim support referral (Right 4)"),
    "referral": ("longer_term", "Welfare referrals made"),
    "outcome_told": ("outcome", "Victim told the outcome"),
}
CLOCK_PREFIXES: tuple[tuple[str, str], ...] = (
    ("Welfare contact with the victim", "welfare"),
    ("Tell victim the outcome", "outcome_told"),
    ("Tell victim:", "told"),
    ("Right 4", "right4"),
    ("Referral:", "referral"),
)

# Duration bands in whole days: (label, from, to-exclusive or None).
BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("under 1 month", 0, 30),
    ("1 to 3 months", 30, 90),
    ("3 to 6 months", 90, 182),
    ("6 to 12 months", 182, 365),
    ("over 12 months", 365, None),
)
OVER_6_MONTHS_DAYS = 182

OUTCOME_GROUPS: tuple[str, ...] = (
    "positive",
    "discontinued",
    "nfa",
    "acquitted",
    "other",
    "open",
    "closed_no_outcome",
)
NOT_RECORDED = "not_recorded"


def clock_of(what: str) -> str | None:
    for prefix, key in CLOCK_PREFIXES:
        if what.startswith(prefix):
            return key
    return None


def outcome_group(outcome: str, state: str) -> str:
    if not outcome:
        return "open" if state in ("open", "review") else "closed_no_outcome"
    if outcome in C.POSITIVE_OUTCOMES:
        return "positive"
    if outcome == "cps_discontinued":
        return "discontinued"
    if outcome in C.NFA_OUTCOMES:
        return "nfa"
    if outcome == "acquitted":
        return "acquitted"
    return "other"


def band_of(days: int) -> str:
    for label, low, high in BANDS:
        if days >= low and (high is None or days < high):
            return label
    return BANDS[0][0]  # a date in the future: counted as new


def percentile(values: list[float], p: float) -> float | None:
    """``percentile_cont(p)``: None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = p * (len(ordered) - 1)
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def victim_key(s: CaseSummary) -> str:
    return s.victim_staff_no or s.victim_number


@dataclass(frozen=True)
class ReportCounts:
    """What a store counts for ``report_counts``. Dicts hold only the values that occur (no zero rows)."""

    cases: int = 0  # in the period (and role)
    victims: int = 0  # distinct victims of those cases (by number; cases without one are not counted)
    by_offence: dict[str, int] = field(default_factory=dict)
    by_context: dict[str, int] = field(default_factory=dict)  # "" is not recorded
    by_location: dict[str, int] = field(default_factory=dict)
    by_role: dict[str, int] = field(default_factory=dict)
    injury: int = 0
    hate: int = 0
    repeat_cases: int = 0
    repeat_victims: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)  # by ``outcome_group``
    by_outcome: dict[str, int] = field(default_factory=dict)  # the recorded outcome ("" none)
    vrr_eligible: int = 0
    vrr_requested: dict[str, int] = field(default_factory=dict)  # "" not recorded
    vrr_results: dict[str, int] = field(default_factory=dict)  # of those requested: "" not recorded
    welfare_made: int = 0
    welfare_median_h: float | None = None
    welfare_p90_h: float | None = None
    clocks: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # key -> on time, late, missed
    # now, whatever the period (role still applies)
    store_cases: int = 0  # readable cases in the store
    damaged: int = 0  # unreadable cases in the store
    rui: dict[str, int] = field(default_factory=dict)  # band -> suspects
    bail: dict[str, int] = field(default_factory=dict)
    rui_over_6_months: int = 0
    review_waiting: int = 0
    review_unknown: int = 0  # awaiting review, but when it became ready is not recorded
    review_median_h: float | None = None
    review_longest_h: float | None = None


def counts_from_summaries(
    summaries: Iterable[CaseSummary], start: datetime, end: datetime, now: datetime, role: str | None = None
) -> ReportCounts:
    """``ReportCounts`` from every summary in a store (one pass, then a second over the period's cases)."""
    start, end, now = as_utc(start), as_utc(end), as_utc(now)
    first_seen: dict[str, datetime] = {}  # victim -> earliest incident in the store
    period: list[CaseSummary] = []
    store_cases = damaged = 0
    rui: Counter[str] = Counter()
    bail: Counter[str] = Counter()
    rui_over = 0
    waits: list[float] = []
    review_unknown = 0
    for s in summaries:
        if s.damaged:
            damaged += 1
            continue
        key = victim_key(s)
        if key and s.occurred_at is not None:
            seen = first_seen.get(key)
            if seen is None or s.occurred_at < seen:
                first_seen[key] = s.occurred_at
        if role is not None and s.victim_role != role:
            continue
        store_cases += 1
        if s.suspect_since is not None and s.suspect_status in ("rui", *C.BAIL_STATUSES):
            days = (now - s.suspect_since).days
            if s.suspect_status == "rui":
                rui[band_of(days)] += 1
                rui_over += days >= OVER_6_MONTHS_DAYS
            else:
                bail[band_of(days)] += 1
        if s.state == "review":
            if s.ready_at is None:
                review_unknown += 1
            else:
                waits.append(max((now - s.ready_at).total_seconds(), 0.0) / 3600)
        if s.occurred_at is not None and start <= s.occurred_at < end:
            period.append(s)

    by_offence: Counter[str] = Counter()
    by_context: Counter[str] = Counter()
    by_location: Counter[str] = Counter()
    by_role: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    by_outcome: Counter[str] = Counter()
    vrr_requested: Counter[str] = Counter()
    vrr_results: Counter[str] = Counter()
    on_time: Counter[str] = Counter()
    late: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    injury = hate = repeat_cases = vrr_eligible = 0
    victims: set[str] = set()
    repeaters: set[str] = set()
    delays: list[float] = []
    for s in period:
        by_offence[s.offence] += 1
        by_context[s.context] += 1
        by_location[s.location_type] += 1
        by_role[s.victim_role] += 1
        injury += s.injury not in ("", "none")
        hate += s.hate
        key = victim_key(s)
        if key:
            victims.add(key)
            if s.occurred_at is not None and first_seen[key] < s.occurred_at:
                repeat_cases += 1
                repeaters.add(key)
        outcomes[outcome_group(s.outcome, s.state)] += 1
        by_outcome[s.outcome] += 1
        if s.outcome in C.VRR_OUTCOMES:
            vrr_eligible += 1
            vrr_requested[s.vrr_requested] += 1
            if s.vrr_requested == "yes":
                vrr_results[s.vrr_result] += 1
        if s.welfare_at is not None and s.occurred_at is not None:
            delays.append(max((s.welfare_at - s.occurred_at).total_seconds(), 0.0) / 3600)
        on_time.update(s.on_time)
        late.update(s.late)
        if s.is_open:
            for d in s.dues:
                clock = clock_of(d.what)
                if clock is not None and d.due_at <= now:
                    missed[clock] += 1
    clocks = {k: (on_time[k], late[k], missed[k]) for k in CLOCKS if on_time[k] or late[k] or missed[k]}
    return ReportCounts(
        cases=len(period),
        victims=len(victims),
        by_offence=dict(by_offence),
        by_context=dict(by_context),
        by_location=dict(by_location),
        by_role=dict(by_role),
        injury=injury,
        hate=hate,
        repeat_cases=repeat_cases,
        repeat_victims=len(repeaters),
        outcomes=dict(outcomes),
        by_outcome=dict(by_outcome),
        vrr_eligible=vrr_eligible,
        vrr_requested=dict(vrr_requested),
        vrr_results=dict(vrr_results),
        welfare_made=len(delays),
        welfare_median_h=percentile(delays, 0.5),
        welfare_p90_h=percentile(delays, 0.9),
        clocks=clocks,
        store_cases=store_cases,
        damaged=damaged,
        rui=dict(rui),
        bail=dict(bail),
        rui_over_6_months=rui_over,
        review_waiting=len(waits) + review_unknown,
        review_unknown=review_unknown,
        review_median_h=percentile(waits, 0.5),
        review_longest_h=max(waits) if waits else None,
    )
