"""Changing a case: every change goes through here and lands in its history.

Changes are addressed by dotted paths into the stored record, e.g.
``victim.name``, ``incident.offence``, ``steps.statement.fields.vps`` or
``steps.statement.status``. Appending to a log is its own operation.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from .clock import as_utc, iso
from .models import Actor, Case, HistoryEntry, Incident, LogEntry, Suspect, Victim

LOGS = ("updates", "status_history", "welfare_contacts", "referrals")

ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read out over a radio


class EditError(ValueError):
    """A change that cannot be applied; the message says what to fix."""


def new_case_id(when: datetime) -> str:
    tail = "".join(secrets.choice(ID_ALPHABET) for _ in range(4))
    return f"OH-{as_utc(when):%y%m%d}-{tail}"


def new_case(
    *,
    victim: Victim,
    incident: Incident,
    by: Actor,
    now: datetime,
    suspect: Suspect | None = None,
    hate_crime: bool = False,
    hate_strands: list[str] | None = None,
    case_id: str | None = None,
) -> Case:
    case = Case(
        id=case_id or new_case_id(now),
        created_at=now,
        created_by=by,
        victim=victim,
        incident=incident,
        suspect=suspect or Suspect(),
        hate_crime=hate_crime,
        hate_strands=hate_strands or [],
    )
    case.history.append(HistoryEntry(at=now, by=by, rev=0, field="case", old=None, new="created"))
    return case


def _show(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _walk(data: dict, path: str) -> tuple[dict, str]:
    parts = path.split(".")
    node: Any = data
    for part in parts[:-1]:
        if not isinstance(node, dict) or part not in node:
            raise EditError(f"No such field: {path}")
        node = node[part]
    if not isinstance(node, dict):
        raise EditError(f"No such field: {path}")
    return node, parts[-1]


def _dump(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, datetime):
        return iso(value)
    return value


def apply(
    case: Case,
    by: Actor,
    now: datetime,
    sets: dict[str, Any] | None = None,
    appends: dict[str, LogEntry | dict] | None = None,
) -> tuple[Case, list[str]]:
    """A new case with the changes applied and recorded; the paths that really changed.

    Setting a field to the value it already has records nothing.
    """
    data = case.model_dump(mode="json")
    rev = case.rev + 1
    entries: list[dict] = []
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
