"""Training scenarios: fictional cases, each stopped at a chosen point of its story.

The scenarios are data files in the package (``ophamp_tui/scenarios/*.json``)::

    {"title": "...", "list_name": "Spit in custody", "teaching_points": ["..."], "anchor": "<ISO UTC>",
     "stopped_at": "the morning after, 10:00",
     "expect": {"due": ["Referral: Occupational Health", ...], "overdue": [...], "incident_age_days": [0, 3]},
     "case": {<Case record>}}

``anchor`` is the moment the story is stopped at, as written (``stopped_at`` says it in words), and
``expect`` is what its teaching points promise a class sees then: which time limits are still running
(``due``), which have run out (``overdue``) and how old the incident is, in whole days.

Placing a scenario for a class moves every time in its case by the same whole number of days on the
London wall clock (times of day stay as written), choosing the latest day that puts the anchor at or
before ``now`` and makes ``expect`` true at ``now``: so the clocks read as the teaching points say on
any day of the week, weekends and bank holidays included. Nothing is ever moved past ``now``.

``install_training`` writes them into training mode's own store, which is marked with a ``TRAINING``
file and never mixed with a live store, and places them again at every start (see its docstring).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import atomic
from .clock import LONDON, as_utc, now_utc, to_london
from .deadlines import obligations
from .edits import TRAINING_PREFIX
from .models import Case
from .store import Store, StoreError

PACKAGE = "ophamp_tui"
FOLDER = "scenarios"
ID_PREFIX = TRAINING_PREFIX
MARKER = "TRAINING"
MARKER_TEXT = (
    "This is ophamp's training store: fictional scenarios only, never live cases.\n"
    "`ophamp demo --reset` puts the scenarios back as they were.\n"
)
DAY = timedelta(days=1)
LOOK_BACK_DAYS = 21  # how far back placing looks for a day on which every expectation holds

# An ISO 8601 date and time with a UTC offset, as the store writes them ("...Z" or "...+00:00").
_ISO = re.compile(
    r"(?<![\d-])\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?P<sec>:\d{2}(?P<frac>\.\d{1,6})?)?(?P<tz>Z|[+-]\d{2}:\d{2})(?!\d)"
)


class ScenarioError(StoreError):
    """A scenario file in the package is damaged; the message names it."""


@dataclass(frozen=True)
class Expectation:
    """What a scenario's teaching points promise a class sees at the moment it is stopped at."""

    due: frozenset[str] = frozenset()  # time limits still running (deadlines.Due.what)
    overdue: frozenset[str] = frozenset()  # time limits that have run out
    incident_age_days: tuple[int, int] | None = None  # whole days since the incident, at least and at most

    def problems(self, case: Case, now: datetime) -> list[str]:
        """What does not read as written at ``now`` (empty when all of it does)."""
        dues = obligations(case)
        late = {d.what for d in dues if d.overdue(now)}
        running = {d.what for d in dues} - late
        found = []
        if running != self.due:
            found.append(f"due {sorted(running)}, expected {sorted(self.due)}")
        if late != self.overdue:
            found.append(f"overdue {sorted(late)}, expected {sorted(self.overdue)}")
        if self.incident_age_days is not None:
            age = (as_utc(now) - case.incident.occurred_at).days
            low, high = self.incident_age_days
            if not low <= age <= high:
                found.append(f"incident {age} days old, expected {low} to {high}")
        return found


@dataclass(frozen=True)
class Scenario:
    key: str  # the file's stem, e.g. "01-spitting-in-custody"
    title: str
    teaching_points: tuple[str, ...]
    case: Case
    anchor: datetime  # the moment the story is stopped at, as placed (at or before the ``now`` it was loaded for)
    stopped_at: str = ""  # that moment in words, e.g. "the morning after, 10:00"
    expect: Expectation = Expectation()

    @property
    def case_id(self) -> str:
        return self.case.id


# --- reading the files --------------------------------------------------------------------------


def _files() -> list[tuple[str, str]]:
    """(stem, text) of every scenario file, in name order."""
    folder = resources.files(PACKAGE).joinpath(FOLDER)
    found = sorted((f.name, f) for f in folder.iterdir() if f.name.endswith(".json") and f.is_file())
    return [(name[: -len(".json")], f.read_text(encoding="utf-8")) for name, f in found]


def _raw(stem: str, text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        raise ScenarioError(f"Scenario {stem} is damaged (not complete JSON).") from None
    if not isinstance(data, dict) or not isinstance(data.get("case"), dict):
        raise ScenarioError(f"Scenario {stem} holds no case.")
    title, points, anchor = data.get("title"), data.get("teaching_points"), data.get("anchor")
    if not isinstance(title, str) or not title.strip():
        raise ScenarioError(f"Scenario {stem} has no title.")
    if not isinstance(points, list) or not all(isinstance(p, str) for p in points):
        raise ScenarioError(f"Scenario {stem} has no list of teaching points.")
    try:
        data["anchor"] = as_utc(datetime.fromisoformat(str(anchor)))
    except (TypeError, ValueError):
        raise ScenarioError(f"Scenario {stem} has no valid anchor time.") from None
    data["expect"] = _expectation(stem, data.get("expect", {}))
    if not isinstance(data.get("stopped_at", ""), str):
        raise ScenarioError(f"Scenario {stem}: stopped_at is not text.")
    return data


def _expectation(stem: str, raw: Any) -> Expectation:
    def names(key: str) -> frozenset[str]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ScenarioError(f"Scenario {stem}: expect.{key} is not a list of time limits.")
        return frozenset(value)

    if not isinstance(raw, dict):
        raise ScenarioError(f"Scenario {stem}: expect is not a record.")
    age = raw.get("incident_age_days")
    if age is not None and not (
        isinstance(age, list) and len(age) == 2 and all(isinstance(a, int) for a in age) and age[0] <= age[1]
    ):
        raise ScenarioError(f"Scenario {stem}: expect.incident_age_days is not [at least, at most].")
    return Expectation(
        due=names("due"), overdue=names("overdue"), incident_age_days=None if age is None else (age[0], age[1])
    )


def scenario_titles() -> list[tuple[str, str]]:
    """(key, title) of every scenario, in order, without building the cases: for a picker."""
    return [(stem, _raw(stem, text)["title"]) for stem, text in _files()]


def scenario_names() -> dict[str, str]:
    """Each scenario's case id and its short name for the case list's 15-column Scenario column
    (``list_name``, e.g. "Spit in custody"; else the part of its title before the colon)."""
    names = {}
    for stem, text in _files():
        raw = _raw(stem, text)
        case_id = raw["case"].get("id")
        if isinstance(case_id, str):
            short = raw.get("list_name")
            names[case_id] = (
                short if isinstance(short, str) and short.strip() else raw["title"].split(":", 1)[0].strip()
            )
    return names


def teaching_notes(case_id: str) -> tuple[str, list[str]] | None:
    """(title, teaching points) of the scenario whose case this is, for the trainer; None if it is not one."""
    for stem, text in _files():
        raw = _raw(stem, text)
        if raw.get("case", {}).get("id") == case_id:
            return raw["title"], list(raw.get("teaching_points", []))
    return None


# --- placing the story on the calendar ----------------------------------------------------------


def _walk_strings(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {k: _walk_strings(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk_strings(v, fn) for v in value]
    return value


def _parse(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _times(record: Any) -> list[datetime]:
    found: list[datetime] = []

    def collect(text: str) -> str:
        for m in _ISO.finditer(text):
            when = _parse(m.group(0))
            if when is not None:
                found.append(when)
        return text

    _walk_strings(record, collect)
    return found


def shift_time(when: datetime, days: int) -> datetime:
    """``when`` moved by whole days on the London wall clock (same local time of day), in its own offset."""
    local = when.astimezone(LONDON).replace(tzinfo=None) + days * DAY
    return local.replace(tzinfo=LONDON).astimezone(when.tzinfo)


def _shift_text(text: str, days: int) -> str:
    def one(m: re.Match[str]) -> str:
        when = _parse(m.group(0))
        if when is None:
            return m.group(0)
        moved = shift_time(when, days)
        spec = "microseconds" if m.group("frac") else "seconds" if m.group("sec") else "minutes"
        out = moved.isoformat(timespec=spec)
        return out[:-6] + "Z" if m.group("tz") == "Z" else out

    return _ISO.sub(one, text)


def shift_record(record: Any, days: int) -> Any:
    """A JSON record (a case, its history, a draft) with every ISO date and time in it, including those
    inside text such as the history's JSON, moved by ``days`` on the London wall clock."""
    return _walk_strings(record, lambda s: _shift_text(s, days))


def latest_days(anchor: datetime, times: list[datetime], now: datetime) -> int:
    """The most days that put ``anchor`` at or before ``now`` without moving any time past ``now``."""
    now = as_utc(now)
    days = (to_london(now).date() - to_london(anchor).date()).days
    latest = [anchor, *times]
    while max(as_utc(shift_time(t, days)) for t in latest) > now:
        days -= 1
    return days


def _case(stem: str, record: Any) -> Case:
    try:
        case = Case.model_validate(record)
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0].get("loc", ()))
        raise ScenarioError(f"Scenario {stem} does not hold a valid case (problem at {where}).") from None
    if not case.id.startswith(ID_PREFIX):
        raise ScenarioError(f"Scenario {stem}: training case ids start {ID_PREFIX}, not {case.id}.")
    return case


def _scenario(stem: str, text: str, now: datetime) -> Scenario:
    """The scenario placed on the latest day (up to LOOK_BACK_DAYS earlier) on which it reads as written at
    ``now``; on the latest day at all when there is none (tests/test_scenario_clock.py keeps there being one)."""
    data = _raw(stem, text)
    anchor: datetime = data["anchor"]
    expect: Expectation = data["expect"]
    record = data["case"]
    latest = latest_days(anchor, _times(record), now)
    chosen: tuple[int, Case] | None = None
    for days in range(latest, latest - LOOK_BACK_DAYS, -1):
        case = _case(stem, shift_record(record, days))
        if chosen is None:
            chosen = (days, case)
        if not expect.problems(case, now):
            chosen = (days, case)
            break
    assert chosen is not None
    days, case = chosen
    return Scenario(
        key=stem,
        title=data["title"].strip(),
        teaching_points=tuple(data["teaching_points"]),
        case=case,
        anchor=shift_time(anchor, days),
        stopped_at=str(data.get("stopped_at", "")).strip(),
        expect=expect,
    )


def load_scenarios(now: datetime | None = None) -> list[Scenario]:
    """Every scenario, placed so that its story reads as written at ``now``."""
    now = as_utc(now or now_utc())
    scenarios = [_scenario(stem, text, now) for stem, text in _files()]
    seen: set[str] = set()
    for s in scenarios:
        if s.case_id in seen:
            raise ScenarioError(f"Two scenarios use the case id {s.case_id}.")
        seen.add(s.case_id)
    return scenarios


# --- the training store -------------------------------------------------------------------------


def is_training_store(root: Path | str) -> bool:
    marker = Path(root).expanduser() / MARKER
    return marker.is_file() and not marker.is_symlink()


def _has_content(root: Path) -> bool:
    return root.is_dir() and any(not p.name.startswith(".") for p in root.iterdir())


def _refuse_unless_training(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise StoreError(f"{root} is a file, not a training store. Nothing was changed.")
    if _has_content(root) and not is_training_store(root):
        raise StoreError(
            f"{root} is not a training store (it has no {MARKER} marker), so the training scenarios were "
            "not written and nothing in it was changed. Training data never goes into a live store."
        )
    for sub in ("cases", "index"):
        if (root / sub).is_symlink():
            raise StoreError(f"{root / sub} is a link to somewhere else. Nothing was changed.")


def install_training(
    root: Path | str, now: datetime, *, reset: bool = False, clock: Callable[[], datetime] = now_utc
) -> Store:
    """Training mode's store at ``root``, holding every scenario placed for a class starting at ``now``.

    A new or empty ``root`` becomes a training store (marked with a ``TRAINING`` file) with all the
    scenarios. An existing training store gets any scenario it lacks, and every scenario case nobody
    has changed (its revision is still the scenario's) is placed again for ``now``, so a store
    prepared days before a class reads as written when the class starts. A scenario case the class
    has changed keeps its work and its clocks, as a real case would; so do cases the class added.
    With ``reset`` its cases (including any a trainer added) are removed and the scenarios written
    afresh, as they were. A directory that is not a training store is refused (StoreError) and left
    as it was. The same ``now`` always writes byte-identical case files.
    """
    root = Path(root).expanduser()
    _refuse_unless_training(root)
    scenarios = load_scenarios(now)  # before touching anything: a damaged file changes nothing
    fresh = not is_training_store(root)
    store = Store(root, clock=clock)
    if fresh:
        atomic.atomic_write(root / MARKER, MARKER_TEXT.encode("utf-8"))
    cases = [s.case for s in scenarios]
    # Under the store's lock: another ophamp (a second `serve` tab starting) may be saving or installing.
    with store.locked():
        if reset and not fresh:
            store.replace_all(cases)  # the class's own cases go too
            return store
        missing = [c for c in cases if c.id not in store]
        if missing:
            store.create_many(missing)
        _place_again(store, [c for c in cases if c not in missing])
    return store


def _place_again(store: Store, placed: list[Case]) -> None:
    """Scenario cases in ``store`` that nobody has changed, written again as ``placed`` (under the lock)."""
    held: dict[str, Case] = {}
    for summary in store.summaries():
        if summary.damaged:
            return  # a damaged file stays as it is, and so does everything else: nothing is lost
        try:
            held[summary.id] = store.load(summary.id)
        except StoreError:
            return
    # Every change a class saves raises the revision; an untouched case from an older release of the
    # scenarios has the same revision, and is brought up to date too.
    stale = [c for c in placed if c.id in held and held[c.id].rev == c.rev]
    if any(held[c.id] != c for c in stale):
        moved = {c.id: c for c in stale}
        store.replace_all([moved.get(case_id, case) for case_id, case in held.items()])
