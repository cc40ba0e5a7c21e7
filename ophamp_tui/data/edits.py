"""Changing a case: every change goes through here and lands in its history.

Changes are addressed by dotted paths into the stored record, e.g.
``victim.name``, ``incident.offence``, ``steps.statement.fields.vps`` or
``steps.statement.status``. Appending to a log is its own operation.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from .checklist import LOGS, FieldDef, field_path
from .choices import NOTIFIABLE_STATUSES
from .clock import as_utc, from_iso, iso
from .errors import ConflictError, StoreError
from .models import Actor, Case, HistoryEntry, Incident, LogEntry, StepStatus, Suspect, Victim
from .text import without_controls

ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read out over a radio


class EditError(ValueError):
    """A change that cannot be applied; the message says what to fix."""


TRAINING_PREFIX = "OH-TRAIN-"  # training's case references say so (as the scenarios' do)


def new_case_id(when: datetime, *, training: bool = False) -> str:
    """``OH-261123-K7QX``; in training ``OH-TRAIN-261123-K7QX``, never a live-style reference."""
    tail = "".join(secrets.choice(ID_ALPHABET) for _ in range(4))
    return f"{TRAINING_PREFIX if training else 'OH-'}{as_utc(when):%y%m%d}-{tail}"


def new_case(
    *,
    victim: Victim,
    incident: Incident,
    by: Actor,
    now: datetime,
    suspect: Suspect | None = None,
    hate_crime: bool = False,
    hate_strands: list[str] | None = None,
    persistently_targeted: bool = False,
    vulnerable_intimidated: bool = False,
    case_id: str | None = None,
) -> Case:
    suspect = suspect or Suspect()
    case = Case(
        id=case_id or new_case_id(now),
        created_at=now,
        created_by=by,
        victim=victim,
        incident=incident,
        suspect=suspect.model_copy(update={"identified": suspect.identified or suspect.status != "not_identified"}),
        hate_crime=hate_crime,
        hate_strands=hate_strands or [],
        persistently_targeted=persistently_targeted,
        vulnerable_intimidated=vulnerable_intimidated,
    )
    if case.suspect.status in NOTIFIABLE_STATUSES:
        # The status the case starts with is an event the victim must be told about, like any later one.
        case.status_history.append(
            LogEntry(
                at=incident.occurred_at,
                by=by,
                kind=case.suspect.status,
                summary="Status when the case was logged",
                recorded_at=now,
            )
        )
    case.history.append(HistoryEntry(at=now, by=by, rev=0, field="case", old=None, new="created"))
    return case


def status_sets(step_key: str, status: StepStatus, by: Actor, now: datetime, reason: str = "") -> dict[str, Any]:
    """The changes that give a step a new status, recorded with who and when."""
    return {
        f"steps.{step_key}.status": status.value,
        f"steps.{step_key}.na_reason": reason,
        f"steps.{step_key}.by": by.model_dump(mode="json"),
        f"steps.{step_key}.at": iso(now),
    }


@dataclass(frozen=True)
class Edit:
    """One change a user makes, in the store's terms: what to set, what to add to a log, and the value
    each set path had when the user was shown it (a same-field change by someone else is refused).

    Screens make these with the functions below and hand them to the store; they never spell a path.
    """

    sets: dict[str, Any] = field(default_factory=dict)
    appends: dict[str, LogEntry] = field(default_factory=dict)
    expect: dict[str, Any] = field(default_factory=dict)

    def touches(self, fdef: FieldDef, step_key: str | None = None) -> bool:
        return where(fdef, step_key) in self.sets


def where(fdef: FieldDef, step_key: str | None = None) -> str:
    """Where a form field is kept in the case: a step's field (``step_key``), or a case detail."""
    return field_path(step_key, fdef) if step_key else (fdef.path or fdef.key)


def stored(case: Case, fdef: FieldDef, step_key: str | None = None) -> Any:
    """The value a form field has in the case now."""
    return case.value_at(where(fdef, step_key))


def is_conflict_on(fields: list[str], fdef: FieldDef, step_key: str | None = None) -> bool:
    """Whether a refused save (its ConflictError's ``fields``) was about this form field."""
    return where(fdef, step_key) in fields


def field_changed(fdef: FieldDef, value: Any, shown: Any, step_key: str | None = None) -> Edit:
    """A form field given a new value; ``shown`` is what the user was shown there."""
    path = where(fdef, step_key)
    return Edit(sets={path: value}, expect={path: shown})


def step_status(step_key: str, status: StepStatus, by: Actor, now: datetime, reason: str = "") -> Edit:
    """A step marked done, not applicable (with ``reason``) or in progress."""
    return Edit(sets=status_sets(step_key, status, by, now, reason))


def log_added(log: str, values: dict[str, Any], by: Actor, now: datetime) -> Edit:
    """An entry added to one of the case's logs (checklist.LOGS) from its parsed form.

    Adding to the suspect's log also moves the suspect's status (see ``apply``)."""
    if log not in LOGS:
        raise EditError(f"No such log: {log}")
    return Edit(appends={log: log_entry(values, by, now)})


def entry_made(case: Case, log: str, index: int, values: dict[str, Any]) -> Edit:
    """An entry noted earlier (a referral needed) is now made: its ``made_later`` field and notes."""
    logdef = LOGS.get(log)
    entries = getattr(case, log, None) if logdef and logdef.made_later else None
    if logdef is None or entries is None or not 0 <= index < len(entries):
        raise EditError("That entry is no longer in the case: reload it.")
    made = f"{log}.{index}.{logdef.made_later}"
    return Edit(
        sets={made: values.get(logdef.made_later), f"{log}.{index}.summary": values.get("summary") or ""},
        expect={made: _dump(getattr(entries[index], logdef.made_later))},
    )


def closed_early(reason: str, now: datetime) -> Edit:
    """The case closed before every step is done; the reason is kept and shown."""
    return Edit(sets={"closed_reason": reason, "closed_at": now})


def linked_to(case: Case, other_id: str) -> Edit:
    """``case`` linked to another case of the same incident (made on both: one edit each)."""
    return Edit(
        sets={"incident.linked": [*case.incident.linked, other_id]},
        expect={"incident.linked": list(case.incident.linked)},
    )


def case_from_form(
    values: dict[str, Any], by: Actor, now: datetime, *, case_id: str | None = None, training: bool = False
) -> Case:
    """A new case from the parsed new-case form (keys are paths into the case: ``victim.name``...);
    ``training`` gives it a training reference (``OH-TRAIN-...``) unless ``case_id`` is given."""

    def part(prefix: str) -> dict[str, Any]:
        return {
            key.split(".", 1)[1]: value
            for key, value in values.items()
            if key.startswith(prefix + ".") and value is not None
        }

    incident = part("incident")
    incident["occurred_at"] = from_iso(incident["occurred_at"])
    return new_case(
        victim=Victim(**part("victim")),
        incident=Incident(**incident),
        suspect=Suspect(**part("suspect")),
        hate_crime=bool(values.get("hate_crime")),
        hate_strands=values.get("hate_strands") or [],
        persistently_targeted=bool(values.get("persistently_targeted")),
        vulnerable_intimidated=bool(values.get("vulnerable_intimidated")),
        by=by,
        now=now,
        case_id=case_id or (new_case_id(now, training=True) if training else None),
    )


def log_entry(values: dict[str, Any], by: Actor, now: datetime) -> LogEntry:
    """A log entry from a parsed log form (see checklist.LOGS)."""
    return LogEntry(
        at=values["at"],
        by=by,
        recorded_at=now,
        method=values.get("method") or "",
        kind=values.get("kind") or "",
        summary=values.get("summary") or "",
        done_at=values.get("done_at"),
        until=values.get("until"),
    )


def _show(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _walk(data: dict[str, Any], path: str) -> tuple[dict[str, Any], str]:
    """The dict holding the last part of ``path``; a numeric part indexes a log, e.g. ``referrals.0.done_at``."""
    parts = path.split(".")
    node: Any = data
    for part in parts[:-1]:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise EditError(f"No such field: {path}")
    if not isinstance(node, dict):
        raise EditError(f"No such field: {path}")
    return node, parts[-1]


def _dump(value: Any) -> Any:
    """A value as it is stored: JSON types only (models dumped, datetimes as ISO UTC), no control codes."""
    if hasattr(value, "model_dump"):
        return without_controls(value.model_dump(mode="json"))
    if isinstance(value, str):
        return without_controls(value)
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_dump(v) for v in value]
    return value


def _follow_suspect_events(
    data: dict[str, Any],
    who: dict[str, Any],
    now: datetime,
    rev: int,
    entries: list[dict[str, Any]],
    changed: list[str],
) -> None:
    """The suspect's status is the latest event in their log (by when it happened)."""
    events = [
        e for lg in LOGS.values() if lg.moves_suspect for e in data[lg.key] if isinstance(e, dict) and e.get("kind")
    ]
    if not events:
        return
    latest = max(events, key=lambda e: from_iso(e.get("at")) or datetime.min.replace(tzinfo=as_utc(now).tzinfo))
    suspect = data["suspect"]
    for key, value in (("status", latest["kind"]), ("identified", latest["kind"] != "not_identified")):
        if suspect.get(key) != value:
            entries.append(
                {
                    "at": iso(now),
                    "by": who,
                    "rev": rev,
                    "field": f"suspect.{key}",
                    "old": _show(suspect.get(key)),
                    "new": _show(value),
                }
            )
            suspect[key] = value
            changed.append(f"suspect.{key}")


def apply(
    case: Case,
    by: Actor,
    now: datetime,
    sets: dict[str, Any] | None = None,
    appends: dict[str, LogEntry | dict[str, Any]] | None = None,
) -> tuple[Case, list[str]]:
    """A new case with the changes applied and recorded; the paths that really changed.

    Setting a field to the value it already has records nothing.
    """
    data = case.model_dump(mode="json")
    rev = case.rev + 1
    entries: list[dict[str, Any]] = []
    changed: list[str] = []
    who = by.model_dump(mode="json")
    for path, value in (sets or {}).items():
        if path.startswith(("history", "rev", "id", "schema_version")):
            raise EditError(f"{path} cannot be changed")
        node, key = _walk(data, path)
        old = node.get(key)
        new = _dump(value)
        if old == new:
            continue
        node[key] = new
        changed.append(path)
        entries.append({"at": iso(now), "by": who, "rev": rev, "field": path, "old": _show(old), "new": _show(new)})
    for log, entry in (appends or {}).items():
        if log not in LOGS:
            raise EditError(f"No such log: {log}")
        item = _dump(entry)
        data[log].append(item)
        changed.append(f"{log}+")
        entries.append({"at": iso(now), "by": who, "rev": rev, "field": f"{log}+", "old": None, "new": _show(item)})
        if LOGS[log].moves_suspect:
            _follow_suspect_events(data, who, now, rev, entries, changed)
    if not changed:
        return case, []
    data["rev"] = rev
    data["history"].extend(entries)
    try:
        return Case.model_validate(data), changed
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise EditError(f"Cannot save {where or 'the change'}: {first.get('msg', 'invalid value')}") from None


def merge_update(
    current: Case,
    by: Actor,
    now: datetime,
    *,
    sets: dict[str, Any] | None = None,
    appends: dict[str, LogEntry | dict[str, Any]] | None = None,
    base_rev: int | None = None,
    expect: dict[str, Any] | None = None,
    start_step: str | None = None,
) -> tuple[Case, list[str]]:
    """What every store's ``update`` does to the case as it is now, the same for each backend.

    Refused (ConflictError) when someone else changed a field of ``sets`` since ``base_rev``, or a path
    of ``expect`` no longer holds the value the user was shown; ``start_step`` is marked in progress
    by ``by`` if it has not been started. Returns the new case and the paths that really changed (none:
    nothing to write). A change that cannot be applied is a StoreError saying what to fix."""
    if base_rev is not None and current.rev != base_rev and sets:
        theirs = [h for h in current.history if h.rev > base_rev and h.field in sets]
        if theirs:
            last = theirs[-1]
            raise ConflictError([h.field for h in theirs], last.by, last.at)
    stale = [path for path, shown in (expect or {}).items() if current.value_at(path) != shown]
    if stale:
        by_them = [h for h in current.history if h.field in stale]
        latest = by_them[-1] if by_them else None
        raise ConflictError(stale, latest.by if latest else None, latest.at if latest else None)
    if start_step and current.steps[start_step].status is StepStatus.NOT_STARTED:
        sets = {**status_sets(start_step, StepStatus.IN_PROGRESS, by, now), **(sets or {})}
    try:
        return apply(current, by, now, sets=sets, appends=appends)
    except EditError as exc:
        raise StoreError(str(exc)) from None


def is_earlier_version(held: Case, later: Case) -> bool:
    """True if ``held`` is ``later`` as it was at an earlier revision: the same case (id, made when and by
    whom), a lower revision, and a history that ``later``'s carries on from without changing any of it.
    Bringing ``held`` up to ``later`` then loses nothing (``store_copy``: a store copied again after the
    source moved on). False for the same version, a later one, and a case changed on both sides."""
    return (
        held.id == later.id
        and held.created_at == later.created_at
        and held.created_by == later.created_by
        and held.rev < later.rev
        and len(held.history) <= len(later.history)
        and held.history == later.history[: len(held.history)]
    )
