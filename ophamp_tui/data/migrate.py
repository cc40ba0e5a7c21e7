"""Old case records brought up to the current schema.

Schema 1 (the prototype) kept the victim in flat fields, the hate-crime
strands as the flag, and the steps as a list. Schema 2 (release 0.1.0) had one
method, and asked for the medical care and the offence twice (on the case and
at steps 2 and 5). Each migration takes a record of version N and returns
version N+1; they run in order when a case is read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .models import SCHEMA_VERSION


class SchemaError(ValueError):
    pass


def _v1_to_v2(rec: dict[str, Any]) -> dict[str, Any]:
    rec = dict(rec)
    rec["victim"] = {
        "name": rec.pop("victim_name", ""),
        "number": rec.pop("victim_number", ""),
        "role": rec.pop("victim_role", "police_officer"),
    }
    strands = rec.pop("hate", []) or []
    rec["hate_crime"] = bool(strands)
    rec["hate_strands"] = list(strands)
    steps = rec.pop("steps", []) or []
    rec["steps"] = {
        s["key"]: {k: v for k, v in s.items() if k != "key"} for s in steps if isinstance(s, dict) and "key" in s
    }
    rec["schema_version"] = 2
    return rec


# Facts schema 2 kept twice: (step, its field, where the one value now lives).
_ENTERED_TWICE = (
    ("welfare_contact", "medical", "medical"),
    ("crime_recorded", "offence", "offence"),
)
MIGRATED_BY = {"name": "ophamp (upgrade to schema 3)", "number": "", "role": "system"}


def _v2_to_v3(rec: dict[str, Any]) -> dict[str, Any]:
    """One method becomes a list; medical care and offence are stored once, on the incident.

    Where a step held a different answer from the case, the step's (the later record: the
    supervisor's welfare call, the crime recorder's classification) becomes the case's, and the
    case history gains an entry with the old value, so nothing is lost.
    """
    rec = dict(rec)
    incident = dict(rec.get("incident") or {})
    method = incident.pop("method", None)
    methods = incident.get("methods") or []
    if isinstance(method, str) and method and method not in methods:
        methods = [method, *methods]
    incident["methods"] = methods
    steps = {k: dict(v) if isinstance(v, dict) else v for k, v in (rec.get("steps") or {}).items()}
    history = list(rec.get("history") or [])
    for step_key, field, target in _ENTERED_TWICE:
        step = steps.get(step_key)
        if not isinstance(step, dict) or not isinstance(step.get("fields"), dict):
            continue
        fields = dict(step["fields"])
        value = fields.pop(field, None)
        step["fields"] = fields
        steps[step_key] = step
        if isinstance(value, str) and value and value != incident.get(target):
            # Whoever last entered the step's answer made this change.
            entered = [
                h for h in history if isinstance(h, dict) and h.get("field") == f"steps.{step_key}.fields.{field}"
            ]
            last = entered[-1] if entered else {}
            history.append(
                {
                    "at": last.get("at") or step.get("at") or rec.get("created_at"),
                    "by": last.get("by") or step.get("by") or MIGRATED_BY,
                    "rev": rec.get("rev", 0),
                    "field": f"incident.{target}",
                    "old": incident.get(target),
                    "new": value,
                }
            )
            incident[target] = value
    rec["incident"] = incident
    rec["steps"] = steps
    rec["history"] = history
    rec["schema_version"] = 3
    return rec


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2, 2: _v2_to_v3}


def upgrade(rec: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The record at the current schema, and whether it had to change."""
    version = rec.get("schema_version", 1)
    if not isinstance(version, int) or version < 1:
        raise SchemaError("has an unknown schema version")  # never the value: only where it is
    if version > SCHEMA_VERSION:
        raise SchemaError(
            f"was written by a newer ophamp (schema {version}; this one reads up to {SCHEMA_VERSION}). "
            "Update ophamp to open it"
        )
    changed = False
    while version < SCHEMA_VERSION:
        rec = MIGRATIONS[version](rec)
        version = rec["schema_version"]
        changed = True
    return rec, changed
