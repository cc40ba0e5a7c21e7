"""The case history in words: each recorded change as who, when, what, old and new.

The store keeps each change as a dotted path and the raw stored values (see
``edits.apply``). This turns them into what a supervisor or reviewer reads:
field labels from the checklist, choice labels instead of codes, London
times, Yes/No, and a one-line summary of each log entry added.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from . import choices as C
from .checklist import CASE_FORM, LOGS, STEPS, FieldDef, StepDef
from .clock import fmt_local, from_iso
from .models import Case, HistoryEntry, StepStatus

NONE = "—"
SHORT = 80  # characters of a value shown in a list; the full value is kept too

RowKind = Literal["set", "added", "created"]

_CASE_FIELDS = {f.key: f for f in CASE_FORM}
_STEPS = {s.key: s for s in STEPS}
_OTHER_FIELDS = {
    "closed_reason": FieldDef("closed_reason", "Reason for closing early", kind="longtext"),
    "closed_at": FieldDef("closed_at", "When closed early", kind="datetime"),
    "suspect.identified": FieldDef("suspect.identified", "Suspect identified", kind="bool"),
    "incident.linked": FieldDef("incident.linked", "Linked cases (same incident)", kind="text"),
    "incident.method": FieldDef("incident.method", "Method", kind="select", choices=tuple(C.METHODS)),
}
# What each log's entries are called, one at a time.
LOG_NAMES = {key: logdef.entry_name for key, logdef in LOGS.items()}
# Parts of a step record outside its fields: (label, kind).
_STEP_PARTS: dict[str, tuple[str, str]] = {
    "status": ("status", "status"),
    "by": ("status set by", "actor"),
    "at": ("status set at", "datetime"),
    "na_reason": ("reason not applicable", "longtext"),
    "notes": ("notes", "longtext"),
}


@dataclass(frozen=True)
class HistoryRow:
    """One change as a person reads it. ``old``/``new`` are short; ``*_full`` keep every word."""

    when: str
    who: str
    what: str  # e.g. "Step 4 Statement taken: Victim Personal Statement"
    brief: str  # the same, shorter, for a narrow column: "4. Victim Personal Statement"
    old: str
    new: str
    old_full: str
    new_full: str
    by_name: str = ""  # who, without the collar/staff number, for a narrow column
    kind: RowKind = "set"
    field: str = ""  # the stored path, e.g. "steps.statement.fields.vps"
    rev: int = 0


def shorten(text: str, limit: int = SHORT) -> str:
    """One line (white space collapsed), cut to ``limit`` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _json(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _when(raw: Any) -> str:
    if not isinstance(raw, str):
        return str(raw)
    try:
        return fmt_local(from_iso(raw)) or NONE
    except ValueError:
        return raw


def _actor(raw: Any) -> str:
    if isinstance(raw, dict) and raw.get("name"):
        number = raw.get("number") or ""
        return f"{raw['name']} ({number})" if number else str(raw["name"])
    return str(raw)


def value_text(raw: str | None, kind: str, choices: tuple[C.Choice, ...] = ()) -> str:
    """A stored value (as the history holds it: text, or JSON for anything else) in words."""
    if raw is None or raw == "":
        return NONE
    if kind == "select":
        return C.label(list(choices), raw, NONE)
    if kind == "bool":
        value = _json(raw)
        return {True: "Yes", False: "No"}.get(value, raw) if isinstance(value, bool) else raw
    if kind == "multi":
        value = _json(raw)
        if not isinstance(value, list):
            return raw
        return ", ".join(C.label(list(choices), str(v)) for v in value) or NONE
    if kind == "datetime":
        return _when(raw)
    if kind == "status":
        try:
            return StepStatus(raw).label
        except ValueError:
            return raw
    if kind == "actor":
        return _actor(_json(raw))
    return raw


def log_summary(log: str, raw: str | None, *, full: bool = False) -> str:
    """A log entry added, in words: ``Phone: Told of arrest`` (with when and who if ``full``)."""
    item = _json(raw) if raw else None
    if not isinstance(item, dict):
        return raw or NONE
    kind, method, summary = str(item.get("kind") or ""), str(item.get("method") or ""), str(item.get("summary") or "")
    logdef = LOGS.get(log)
    head = logdef.head_label(item) if logdef else (kind or method)
    if logdef and logdef.until and item.get(logdef.until):
        head += f", until {_when(item[logdef.until])}"
    if logdef and logdef.made_later and item.get(logdef.made_later):
        head += f", made {_when(item[logdef.made_later])}"
    if not full:
        return ": ".join(p for p in (head, summary) if p) or NONE
    lines = [head] if head else []
    if item.get("at"):
        lines.append(f"When: {_when(item['at'])}")
    if item.get("by"):
        lines.append(f"By: {_actor(item['by'])}")
    if summary:
        lines.append(summary)
    return "\n".join(lines) or NONE


def _step_label(sdef: StepDef) -> str:
    return f"Step {sdef.number} {sdef.title}"


def _target(path: str) -> tuple[str, str, str, tuple[C.Choice, ...]]:
    """What a stored path is called (in full and briefly), and how its values read."""
    if path in _CASE_FIELDS or path in _OTHER_FIELDS:
        fdef = _CASE_FIELDS.get(path) or _OTHER_FIELDS[path]
        return fdef.label, fdef.label, fdef.kind, fdef.choices
    parts = path.split(".")
    if parts[0] == "steps" and len(parts) >= 3 and parts[1] in _STEPS:
        sdef = _STEPS[parts[1]]
        if parts[2] == "fields" and len(parts) == 4:
            try:
                fdef = sdef.field(parts[3])
            except KeyError:
                return f"{_step_label(sdef)}: {parts[3]}", f"{sdef.number}. {parts[3]}", "text", ()
            return f"{_step_label(sdef)}: {fdef.label}", f"{sdef.number}. {fdef.label}", fdef.kind, fdef.choices
        if len(parts) == 3 and parts[2] in _STEP_PARTS:
            label, kind = _STEP_PARTS[parts[2]]
            return f"Step {sdef.number} {label}", f"{sdef.number}. {label.capitalize()}", kind, ()
    if parts[0] in LOG_NAMES and len(parts) == 3 and parts[1].isdigit():
        name = f"{LOG_NAMES[parts[0]]} {int(parts[1]) + 1}"
        logdef = LOGS.get(parts[0])
        found = next((f for f in logdef.fields if f.key == parts[2]), None) if logdef else None
        if found is not None:
            return f"{name}: {found.label}", f"{name}: {found.label}", found.kind, found.choices
        return f"{name}: {parts[2]}", f"{name}: {parts[2]}", "text", ()
    return path, path, "text", ()


def describe(entry: HistoryEntry) -> HistoryRow:
    """One history entry as a person reads it."""
    common: dict[str, Any] = {
        "when": fmt_local(entry.at),
        "who": entry.by.short(),
        "by_name": entry.by.name,
        "field": entry.field,
        "rev": entry.rev,
    }
    if entry.field == "case":
        note = "" if entry.new in (None, "created") else entry.new
        return HistoryRow(
            what="Case created",
            brief="Case created",
            old=NONE,
            new=shorten(note),
            old_full=NONE,
            new_full=note,
            kind="created",
            **common,
        )
    if entry.field.endswith("+") and entry.field[:-1] in LOG_NAMES:
        log = entry.field[:-1]
        return HistoryRow(
            what=f"{LOG_NAMES[log]} added",
            brief=LOG_NAMES[log],
            old=NONE,
            new=shorten(log_summary(log, entry.new)),
            old_full=NONE,
            new_full=log_summary(log, entry.new, full=True),
            kind="added",
            **common,
        )
    what, brief, kind, choices = _target(entry.field)
    old, new = value_text(entry.old, kind, choices), value_text(entry.new, kind, choices)
    return HistoryRow(what=what, brief=brief, old=shorten(old), new=shorten(new), old_full=old, new_full=new, **common)


def history_rows(case: Case) -> list[HistoryRow]:
    """Every change to the case, newest first.

    The history is only ever appended to, in the order the changes were saved,
    so the newest is the last written (clocks on different workstations may
    disagree; the order of saving does not).
    """
    return [describe(entry) for entry in reversed(case.history) if not _echo(entry)]


def _echo(entry: HistoryEntry) -> bool:
    """A step's "set by"/"at" entry saved with its status change repeats that row's who and when."""
    parts = entry.field.split(".")
    return len(parts) == 3 and parts[0] == "steps" and parts[2] in ("by", "at")
