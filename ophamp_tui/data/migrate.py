"""Old case records brought up to the current schema.

Schema 1 (the prototype) kept the victim in flat fields, the hate-crime
strands as the flag, and the steps as a list. Each migration takes a record
of version N and returns version N+1; they run in order when a case is read.
"""

from __future__ import annotations

from typing import Any, Callable

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


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def upgrade(rec: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The record at the current schema, and whether it had to change."""
    version = rec.get("schema_version", 1)
    if not isinstance(version, int) or version < 1:
        raise SchemaError(f"has an unknown schema version ({version!r})")
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
