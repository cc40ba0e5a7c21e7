"""The managers' figures (issue 15): a ``Report`` for a period, from any ``CaseStore``, and its text,
Markdown and JSON forms for ``ophamp report``. No Textual here: the dashboard screen draws a ``Report``.

``build_report(store, period, now, role=None)`` asks the store for its counts (``report_counts``: the file
store counts its index, PostgreSQL counts in SQL; no case file or document is loaded) and gives every
figure a label and its denominator (``Figure.of`` / ``of_what``). An empty period gives zeros and
``None`` (shown "none"), never an error. How each figure is defined: ``report_facts``' docstring.

Filter: cases hold no team or station, so the one filter is the victim's role (police officer, staff,
PCSO, special, volunteer), which forces split their returns on (constables and emergency workers).

Nothing personal is ever in a report: no names, numbers, references or free text, only counts of coded
values and durations.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from . import choices as C
from .checklist import step as step_def
from .clock import LONDON, as_utc, fmt_local, to_london
from .report_facts import BANDS, CLOCKS, NOT_RECORDED, OUTCOME_GROUPS, ReportCounts

if TYPE_CHECKING:
    from .store_api import CaseStore

PERIOD_WORDS = ("month", "quarter", "year")


# --- the period ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """London days ``first`` to ``last``, both included; cases by incident date."""

    first: date
    last: date
    name: str = "custom"  # month, quarter, year or custom

    @property
    def start(self) -> datetime:
        """The first moment of the period, UTC."""
        return datetime.combine(self.first, time(0, 0), tzinfo=LONDON).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The first moment after the period, UTC."""
        return datetime.combine(self.last + timedelta(days=1), time(0, 0), tzinfo=LONDON).astimezone(UTC)

    def label(self) -> str:
        """``June 2026``, ``Q2 2026 (Apr-Jun)``, ``2026`` or ``01/06/2026 to 15/06/2026``."""
        if self.name == "month":
            return f"{self.first:%B %Y}"
        if self.name == "quarter":
            return f"Q{(self.first.month - 1) // 3 + 1} {self.first.year} ({self.first:%b}-{self.last:%b})"
        if self.name == "year":
            return str(self.first.year)
        return f"{self.first:%d/%m/%Y} to {self.last:%d/%m/%Y}"


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


_RANGE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})\s*$")


def parse_period(text: str, now: datetime) -> Period:
    """``month``, ``quarter`` or ``year`` (the calendar one ``now`` falls in, London time) or
    ``YYYY-MM-DD..YYYY-MM-DD`` (both days included). ``ValueError`` saying what to type otherwise."""
    today = to_london(now).date()
    word = text.strip().lower()
    if word == "month":
        return Period(today.replace(day=1), _month_end(today.year, today.month), "month")
    if word == "quarter":
        first_month = (today.month - 1) // 3 * 3 + 1
        return Period(date(today.year, first_month, 1), _month_end(today.year, first_month + 2), "quarter")
    if word == "year":
        return Period(date(today.year, 1, 1), date(today.year, 12, 31), "year")
    match = _RANGE.match(text)
    if match is None:
        raise ValueError("a period is month, quarter, year or FROM..TO as YYYY-MM-DD..YYYY-MM-DD")
    try:
        first, last = date.fromisoformat(match[1]), date.fromisoformat(match[2])
    except ValueError:
        raise ValueError("a period's dates must be real days, as YYYY-MM-DD..YYYY-MM-DD") from None
    if last < first:
        raise ValueError("a period's first day must not be after its last day")
    return Period(first, last, "custom")


# --- the figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """``n`` of ``of`` (``of_what``: "cases in the period"...). ``share`` is None when ``of`` is 0."""

    key: str
    label: str
    n: int
    of: int
    of_what: str

    @property
    def share(self) -> float | None:
        return self.n / self.of if self.of else None


@dataclass(frozen=True)
class Breakdown:
    """Rows that share one denominator, largest first (a fixed order where the order means something)."""

    title: str
    of: int
    of_what: str
    rows: tuple[Figure, ...] = ()


@dataclass(frozen=True)
class Durations:
    """How long (hours): ``count`` of ``of`` have a duration; ``none_yet`` have none yet."""

    title: str
    count: int
    of: int
    of_what: str
    median_h: float | None
    p90_h: float | None = None
    longest_h: float | None = None
    none_yet: int = 0


@dataclass(frozen=True)
class Timeliness:
    """One clock (a step's time limit): on time / late / missed of ``due`` (their sum)."""

    key: str
    step: str  # step key
    step_number: int
    label: str
    on_time: int
    late: int
    missed: int

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.missed

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None

    @property
    def failed(self) -> int:
        return self.late + self.missed


@dataclass(frozen=True)
class Report:
    period: Period
    now: datetime
    role: str | None
    cases: int
    by_offence: Breakdown
    by_context: Breakdown
    by_location: Breakdown
    injury: Breakdown  # with injury / without injury
    hate: Figure
    repeat_cases: Figure  # cases whose victim had an earlier case
    repeat_victims: Figure  # of the period's distinct victims
    outcomes: Breakdown
    vrr_requests: Breakdown  # of cases where a VRR scheme applies
    vrr_results: Breakdown  # of VRR requests made
    welfare: Durations  # incident to welfare contact
    timeliness: tuple[Timeliness, ...]  # every clock, in step order
    attrition: tuple[Timeliness, ...]  # clocks with any late or missed, most failed first
    # now, whatever the period
    store_cases: int
    damaged: int
    rui: Breakdown  # suspects on RUI now, by how long
    bail: Breakdown
    rui_over_6_months: Figure
    review: Durations  # cases awaiting senior review, waiting since ready
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """JSON types only (for ``--format json``): shares and rates included."""
        data: dict[str, Any] = asdict(self)
        data["period"] = {
            "name": self.period.name,
            "first": self.period.first.isoformat(),
            "last": self.period.last.isoformat(),
            "label": self.period.label(),
        }
        data["now"] = as_utc(self.now).isoformat().replace("+00:00", "Z")
        for name in ("timeliness", "attrition"):
            for row, t in zip(data[name], getattr(self, name), strict=True):
                row["due"] = t.due
                row["on_time_rate"] = _round(t.on_time_rate)
        data["notes"] = list(self.notes)
        return data


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _labels(choices: list[tuple[str, str]]) -> dict[str, str]:
    return dict(choices)


def _breakdown(
    title: str, counts: dict[str, int], of: int, of_what: str, labels: dict[str, str], *, order: tuple[str, ...] = ()
) -> Breakdown:
    rows = []
    keys = list(order) if order else sorted(counts, key=lambda k: (-counts[k], k))
    if order:
        keys += sorted(k for k in counts if k not in order)
    for key in keys:
        n = counts.get(key, 0)
        if not n and not order:
            continue
        rows.append(Figure(key or NOT_RECORDED, labels.get(key, "Not recorded" if not key else key), n, of, of_what))
    return Breakdown(title, of, of_what, tuple(rows))


OUTCOME_LABELS = {
    "positive": "Positive (charge, caution, community resolution, conviction)",
    "discontinued": "Discontinued (CPS)",
    "nfa": "No further action / not to charge",
    "acquitted": "Acquitted",
    "other": "Other",
    "open": "Still open, no outcome yet",
    "closed_no_outcome": "Closed without an outcome",
}
ROLE_LABELS = _labels(C.VICTIM_ROLES)


def build_report(store: CaseStore, period: Period, now: datetime, *, role: str | None = None) -> Report:
    """The figures for ``period`` (cases by incident date) and, if given, victims of that ``role``."""
    counts = store.report_counts(period.start, period.end, now, role)
    return report_from_counts(counts, period, now, role)


def report_from_counts(counts: ReportCounts, period: Period, now: datetime, role: str | None = None) -> Report:
    n = counts.cases
    in_period = "cases in the period"
    timeliness = tuple(
        Timeliness(key, step, step_def(step).number, words, *counts.clocks.get(key, (0, 0, 0)))
        for key, (step, words) in CLOCKS.items()
    )
    attrition = tuple(
        sorted(
            (t for t in timeliness if t.failed),
            key=lambda t: (-(t.failed / t.due), -t.failed, t.step_number),
        )
    )
    on_rui = sum(counts.rui.values())
    return Report(
        period=period,
        now=now,
        role=role,
        cases=n,
        by_offence=_breakdown("Cases by offence", counts.by_offence, n, in_period, dict(C.OFFENCE_SHORT)),
        by_context=_breakdown("Cases by context", counts.by_context, n, in_period, _labels(C.CONTEXTS)),
        by_location=_breakdown("Cases by location type", counts.by_location, n, in_period, _labels(C.LOCATION_TYPES)),
        injury=_breakdown(
            "Injury (Home Office split)",
            {"injury": counts.injury, "no_injury": n - counts.injury},
            n,
            in_period,
            {"injury": "With injury", "no_injury": "Without injury"},
            order=("injury", "no_injury"),
        ),
        hate=Figure("hate", "Hate-crime cases", counts.hate, n, in_period),
        repeat_cases=Figure(
            "repeat_cases", "Cases whose victim had an earlier case", counts.repeat_cases, n, in_period
        ),
        repeat_victims=Figure(
            "repeat_victims", "Repeat victims", counts.repeat_victims, counts.victims, "victims in the period"
        ),
        outcomes=_breakdown("Outcomes", counts.outcomes, n, in_period, OUTCOME_LABELS, order=OUTCOME_GROUPS),
        vrr_requests=_breakdown(
            "Victims' Right to Review requested",
            counts.vrr_requested,
            counts.vrr_eligible,
            "cases where a VRR scheme applies",
            _labels(C.VRR_REQUESTED),
            order=("yes", "considering", "no", ""),
        ),
        vrr_results=_breakdown(
            "VRR results",
            counts.vrr_results,
            counts.vrr_requested.get("yes", 0),
            "VRR requests",
            _labels(C.VRR_RESULTS),
            order=("pending", "upheld", "overturned", ""),
        ),
        welfare=Durations(
            "Incident to welfare contact",
            counts.welfare_made,
            n,
            in_period,
            counts.welfare_median_h,
            counts.welfare_p90_h,
            none_yet=n - counts.welfare_made,
        ),
        timeliness=timeliness,
        attrition=attrition,
        store_cases=counts.store_cases,
        damaged=counts.damaged,
        rui=_breakdown(
            "Suspects on RUI now, by how long",
            counts.rui,
            on_rui,
            "suspects on RUI",
            {b[0]: b[0] for b in BANDS},
            order=tuple(b[0] for b in BANDS),
        ),
        bail=_breakdown(
            "Suspects on pre-charge bail now, by how long",
            counts.bail,
            sum(counts.bail.values()),
            "suspects on bail",
            {b[0]: b[0] for b in BANDS},
            order=tuple(b[0] for b in BANDS),
        ),
        rui_over_6_months=Figure(
            "rui_over_6_months", "RUI over 6 months (182 days)", counts.rui_over_6_months, on_rui, "suspects on RUI"
        ),
        review=Durations(
            "Awaiting senior review, since ready",
            counts.review_waiting - counts.review_unknown,
            counts.review_waiting,
            "cases awaiting senior review",
            counts.review_median_h,
            longest_h=counts.review_longest_h,
            none_yet=counts.review_unknown,
        ),
    )


# --- text, Markdown and JSON (``ophamp report``) --------------------------------------------------

Row = tuple[str, str, str]  # label, value, share


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.0f}%"


def _hours(value: float | None) -> str:
    """``none``, ``45m``, ``5.5 h`` or ``3.2 days``."""
    if value is None:
        return "none"
    if value < 1:
        return f"{value * 60:.0f}m"
    if value < 48:
        return f"{value:.1f} h"
    return f"{value / 24:.1f} days"


def _fig_row(f: Figure) -> Row:
    return (f.label, str(f.n), _pct(f.share))


def sections(report: Report) -> list[tuple[str, list[Row]]]:
    """The report as titled tables (title says the denominator), in reading order."""
    r = report
    out: list[tuple[str, list[Row]]] = []

    def breakdown(b: Breakdown) -> None:
        rows = [_fig_row(f) for f in b.rows] or [("none", "0", "-")]
        out.append((f"{b.title} (of {b.of} {b.of_what})", rows))

    breakdown(r.by_offence)
    breakdown(r.by_context)
    breakdown(r.by_location)
    breakdown(r.injury)
    out.append(
        (
            f"Hate crime and repeat victims (of {r.cases} cases in the period)",
            [
                _fig_row(r.hate),
                _fig_row(r.repeat_cases),
                (f"{r.repeat_victims.label} (of {r.repeat_victims.of} victims)", *_fig_row(r.repeat_victims)[1:]),
            ],
        )
    )
    breakdown(r.outcomes)
    breakdown(r.vrr_requests)
    breakdown(r.vrr_results)
    w = r.welfare
    out.append(
        (
            f"{w.title} (of {w.of} {w.of_what})",
            [
                ("Contacted", str(w.count), _pct(w.count / w.of if w.of else None)),
                ("No contact recorded yet", str(w.none_yet), _pct(w.none_yet / w.of if w.of else None)),
                ("Median time to contact", _hours(w.median_h), ""),
                ("90th percentile", _hours(w.p90_h), ""),
            ],
        )
    )
    out.append(
        (
            "Time limits met: on time / late / missed (of those due)",
            [
                (f"{t.step_number}. {t.label}", f"{t.on_time}/{t.late}/{t.missed} of {t.due}", _pct(t.on_time_rate))
                for t in r.timeliness
            ],
        )
    )
    out.append(
        (
            "Attrition points: most often late or missed",
            [(f"{t.step_number}. {t.label}", f"{t.failed} of {t.due}", _pct(t.failed / t.due)) for t in r.attrition]
            or [("none late or missed", "0", "-")],
        )
    )
    where = "all roles" if r.role is None else ROLE_LABELS.get(r.role, r.role)
    out.append((f"Now, whatever the period ({r.store_cases} cases in the store, {where})", []))
    breakdown(r.rui)
    out[-1][1].append(_fig_row(r.rui_over_6_months))
    breakdown(r.bail)
    v = r.review
    out.append(
        (
            f"{v.title} (of {v.of} {v.of_what})",
            [
                ("Waiting", str(v.of), ""),
                ("Median wait", _hours(v.median_h), ""),
                ("Longest wait", _hours(v.longest_h), ""),
                ("When it became ready not recorded", str(v.none_yet), ""),
            ],
        )
    )
    if r.damaged:
        out.append(("Unreadable cases (not counted anywhere above)", [("Unreadable", str(r.damaged), "")]))
    return out


def _heading(report: Report) -> tuple[str, str]:
    where = "all victims" if report.role is None else f"victims: {ROLE_LABELS.get(report.role, report.role)}"
    return (
        f"Op Hampshire report: {report.period.label()}",
        f"{report.cases} cases by incident date (London time), {where}; as of {fmt_local(report.now)}",
    )


def as_text(report: Report, width: int = 80) -> str:
    """Plain text, every line at most ``width`` columns."""
    title, sub = _heading(report)
    lines = [title, *_wrap(sub, width), ""]
    for head, rows in sections(report):
        lines += _wrap(head, width)
        for label, value, share in rows:
            tail = f" {value:>14} {share:>5}"
            room = width - len(tail) - 2
            text = label if len(label) <= room else label[: room - 1] + "~"
            lines.append(f"  {text.ljust(room, '.') if text else ' ' * room}{tail}".rstrip())
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width) or [""]


def as_markdown(report: Report) -> str:
    title, sub = _heading(report)
    lines = [f"# {title}", "", sub, ""]
    for head, rows in sections(report):
        lines += [f"## {head}", ""]
        if rows:
            lines += ["| | Number | Share |", "| --- | ---: | ---: |"]
            lines += [f"| {label.replace('|', '/')} | {value} | {share} |" for label, value, share in rows]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def as_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
