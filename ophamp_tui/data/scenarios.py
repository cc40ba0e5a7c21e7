"""Training scenarios: fictional cases, each stopped at a chosen point of its story.

The scenarios are data files in the package (``ophamp_tui/scenarios/*.json``)::

    {"title": "...", "teaching_points": ["..."], "anchor": "<ISO UTC>", "case": {<Case record>}}

``anchor`` is the scenario's "now" when it was written. Loading moves every
time in the case forward (or back) by a whole number of weeks so the anchor
lands in the week before ``now``: a trainer opening a scenario on any day
sees the same story with the same clocks running. Times move on the London
wall clock, so weekdays and times of day stay as written and the working-day
limits (which count London days) behave as they did when the scenario was
written. Nothing is ever moved past ``now``.

``install_training`` writes them into training mode's own store, which is
marked with a ``TRAINING`` file and never mixed with a live store.
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
from .clock import LONDON, as_utc, now_utc
from .models import Case
from .store import Store, StoreError

PACKAGE = "ophamp_tui"
FOLDER = "scenarios"
ID_PREFIX = "OH-TRAIN-"
MARKER = "TRAINING"
MARKER_TEXT = (
    "This is ophamp's training store: fictional scenarios only, never live cases.\n"
    "`ophamp demo --reset` puts the scenarios back as they were.\n"
)
WEEK = timedelta(weeks=1)

# An ISO 8601 date and time with a UTC offset, as the store writes them ("...Z" or "...+00:00").
_ISO = re.compile(
    r"(?<![\d-])\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?P<sec>:\d{2}(?P<frac>\.\d{1,6})?)?(?P<tz>Z|[+-]\d{2}:\d{2})(?!\d)"
)


class ScenarioError(StoreError):
    """A scenario file in the package is damaged; the message names it."""


@dataclass(frozen=True)
class Scenario:
    key: str  # the file's stem, e.g. "01-spitting-in-custody"
    title: str
    teaching_points: tuple[str, ...]
    case: Case
    anchor: datetime  # the scenario's "now", after the move (at or before the ``now`` it was loaded for)

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
    return data


def scenario_titles() -> list[tuple[str, str]]:
    """(key, title) of every scenario, in order, without building the cases: for a picker."""
    return [(stem, _raw(stem, text)["title"]) for stem, text in _files()]


def teaching_notes(case_id: str) -> tuple[str, list[str]] | None:
    """(title, teaching points) of the scenario whose case this is, for the trainer; None if it is not one."""
    for stem, text in _files():
        raw = _raw(stem, text)
        if raw.get("case", {}).get("id") == case_id:
            return raw["title"], list(raw.get("teaching_points", []))
    return None


# --- moving the story to this week --------------------------------------------------------------


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


def shift_time(when: datetime, weeks: int) -> datetime:
    """``when`` moved by whole weeks on the London wall clock (same weekday, same local time), in its own offset."""
    local = when.astimezone(LONDON).replace(tzinfo=None) + weeks * WEEK
    return local.replace(tzinfo=LONDON).astimezone(when.tzinfo)


def _shift_text(text: str, weeks: int) -> str:
    def one(m: re.Match[str]) -> str:
        when = _parse(m.group(0))
        if when is None:
            return m.group(0)
        moved = shift_time(when, weeks)
        spec = "microseconds" if m.group("frac") else "seconds" if m.group("sec") else "minutes"
        out = moved.isoformat(timespec=spec)
        return out[:-6] + "Z" if m.group("tz") == "Z" else out

    return _ISO.sub(one, text)


def weeks_to_move(anchor: datetime, times: list[datetime], now: datetime) -> int:
    """Whole weeks that bring ``anchor`` into the week before ``now`` without moving any time past ``now``."""
    now = as_utc(now)
    weeks = (now - as_utc(anchor)) // WEEK
    latest = [anchor, *times]
    while max(as_utc(shift_time(t, weeks)) for t in latest) > now:
        weeks -= 1
    return weeks


def _scenario(stem: str, text: str, now: datetime) -> Scenario:
    data = _raw(stem, text)
    anchor: datetime = data["anchor"]
    record = data["case"]
    weeks = weeks_to_move(anchor, _times(record), now)
    moved = _walk_strings(record, lambda s: _shift_text(s, weeks))
    try:
        case = Case.model_validate(moved)
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0].get("loc", ()))
        raise ScenarioError(f"Scenario {stem} does not hold a valid case (problem at {where}).") from None
    if not case.id.startswith(ID_PREFIX):
        raise ScenarioError(f"Scenario {stem}: training case ids start {ID_PREFIX}, not {case.id}.")
    return Scenario(
        key=stem,
        title=data["title"].strip(),
        teaching_points=tuple(data["teaching_points"]),
        case=case,
        anchor=shift_time(anchor, weeks),
    )


def load_scenarios(now: datetime | None = None) -> list[Scenario]:
    """Every scenario, its times moved so its story stops in the week before ``now``."""
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
    """Training mode's store at ``root``, holding every scenario.

    A new or empty ``root`` becomes a training store (marked with a ``TRAINING``
    file) with all the scenarios. An existing training store gets any scenario
    it lacks; with ``reset`` its cases (including any a trainer added) are
    removed and the scenarios written afresh, as they were. A directory that is
    not a training store is refused (StoreError) and left as it was. The same
    ``now`` always writes byte-identical case files.
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
    return store
