"""Exports (``ophamp export``): every case for a force analyst (CSV or JSON), a Markdown handover of one
case for the next supervisor or investigating officer, and the national return. No Textual here.

Everything is read through ``CaseStore`` one case at a time (``case_ids`` then ``load``; the national
return first goes through ``iter_summaries`` for the links between cases), so a store of 100,000
cases is never held in memory. A case that cannot be read is left out and counted (``Stats.skipped``).

Values
    Choices are their stored codes (``choices.py``: e.g. injury ``abh``, context ``arrest``), never
    their labels, so a column means the same in every export; several codes are joined with ``;``
    (``punch;kick;spit``). Yes/no is ``yes`` or ``no``; times are ISO 8601 in UTC
    (``2026-06-08T08:00:00Z``); an empty cell is "not recorded". JSON holds the same columns with
    JSON types (true/false, lists, null). In CSV a cell starting with ``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return gets a ``'`` in front, so a spreadsheet never runs it as a formula.

Case columns (``ophamp export --format csv|json``, one row per case, in this order)
    ``reference`` the case reference; ``training`` ``TRAINING`` for a fictional case or any case of
    the training store, else empty; ``state`` open / review (awaiting senior review) / complete /
    closed (closed early); ``created_at``; ``occurred_at``; ``victim_name``, ``victim_number``,
    ``victim_staff_no`` (anonymised: ``victim``, a pseudonym); ``victim_role``; ``age_band``;
    ``service_band``; ``offence``; ``location_type``; ``context``; ``methods``; ``injury``;
    ``injury_split`` (``with_injury``/``without_injury``, the Home Office split); ``body_parts``;
    ``medical``; ``impact``; ``on_duty``; ``single_crewed``; ``equipment``; ``suspects`` (how many);
    ``hate_crime``; ``hate_strands``; ``enhanced_rights`` (the reasons: ``hate crime;sexual offence``);
    ``persistently_targeted``; ``vulnerable_intimidated``; ``linked_cases`` (other colleagues' cases
    from the same incident); ``suspect_status``; ``suspect_status_since`` (when the current status
    began: RUI and bail age); ``steps_finished`` (0 to 10); ``next_step`` (the first unfinished step's
    key); ``time_limits_open`` and ``time_limits_overdue`` (at the time of the export);
    ``next_due`` and ``next_due_at`` (the soonest time limit); ``hours_to_welfare_contact``;
    ``days_off`` (sickness absence, whole days); ``victim_updates``, ``welfare_contacts``,
    ``referrals_made``, ``referrals_waiting``, ``suspect_events`` (how many log entries);
    ``closed_at``; ``created_by`` (``Name (NUMBER)``; anonymised: a pseudonym).

    Then for each of the ten steps, in checklist order (``checklist.STEPS``), with its key as prefix
    (``supervisor_aware``, ``welfare_contact``, ``support_handover``, ``statement``,
    ``crime_recorded``, ``oic_assigned``, ``kept_informed``, ``longer_term``, ``outcome``,
    ``senior_review``): ``<step>.status`` (not_started / in_progress / done / not_applicable),
    ``<step>.at`` (when its status last changed), ``<step>.by`` (who changed it), then each of the
    step's own fields that is a choice, a yes/no, a date or a count, as ``<step>.<field>`` (e.g.
    ``welfare_contact.contact_at``, ``statement.vps``, ``outcome.outcome``, ``outcome.decided_at``,
    ``outcome.vrr_requested``, ``outcome.vrr_result``, ``longer_term.sick_from``), then the people the
    step names: ``<step>.<role>_name`` and ``<step>.<role>_number`` (e.g.
    ``oic_assigned.oic_name``; anonymised: ``<step>.<role>``, a pseudonym). Fields kept elsewhere on
    the case (offence, medical care, on duty...) are only in the case columns above.

    Free text, only when not anonymised, last: ``location``, ``offence_other``, ``cad_ref``,
    ``impact_notes``, ``closed_reason``, then for each step ``<step>.notes``, ``<step>.na_reason`` and
    each field typed as text (``supervisor_aware.hs_report``, ``welfare_contact.how_are_you``,
    ``crime_recorded.crime_ref``, ``senior_review.findings``...). The logs' texts are not exported:
    the handover holds them. ``case_columns(anonymise)`` gives the exact list; ``ophamp export
    --columns`` prints it.

Anonymised (``--anonymise``) and the national return
    Names and collar/staff numbers become pseudonyms (``P-`` and 8 letters), case references too
    (``C-...``), so rows can still be counted per person and linked. The same person (the same
    collar/staff number, rank kept, as ``text.normalise_number`` reads it; the name where there is no
    number) gets the same pseudonym everywhere in a file and in every export from the same store on
    the same computer: the pseudonym is an HMAC-SHA256 of the number keyed with a random secret made
    on the first anonymised export and kept (0600) in the user's config folder
    (``$OPHAMP_CONFIG/export-keys/``), one per store. Without that secret a pseudonym cannot be turned
    back into a number, even by guessing numbers. Free text (notes, statements, "how are they",
    locations, references, anything typed) is left out, and a stored choice that is not one of the
    known codes is left empty rather than passed on.

National return columns (``ophamp export --national``, one row per victim per incident)
    Cases linked to one another (``incident.linked``, also through a third case) are one incident;
    a victim with two cases in the same incident (logged twice) is one row, from the earliest case.
    Fictional cases of a live store are left out (a training store's are kept, and marked).

    ``incident`` (a pseudonym); ``victim`` (a pseudonym); ``victims_in_incident``; ``incident_date``
    (London date); ``victim_role``; ``home_office_category`` (``constable_with_injury``,
    ``constable_without_injury``, ``emergency_worker_with_injury``, ``emergency_worker_without_injury``:
    police officers and specials are constables, other colleagues emergency workers); ``offence``;
    ``methods``; ``context``; ``location_type``; ``injury``; ``body_parts``; ``medical``; ``on_duty``;
    ``single_crewed``; ``equipment``; ``suspects``; ``hate_crime``; ``age_band`` and
    ``service_band`` (empty where not recorded); ``days_off`` (sickness absence); ``riddor_reportable``;
    ``training``.

Handover (``ophamp export --case ID --format md``)
    What happened; each step with its status, who and when; every time limit still running, soonest
    first, with the person it is due from (the role-holder named on the case for that step, or who
    should be named); what is outstanding without a clock; the logs; and the victim's "what you can
    expect" leaflet (``leaflet.what_to_expect``). Anonymised, it keeps the codes, dates and
    pseudonyms and leaves out the free text and the leaflet.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from . import atomic
from . import choices as C
from .checklist import LOGS, STEPS, FieldDef, StepDef, step
from .clock import as_utc, fmt_by, fmt_local, from_iso, to_london
from .deadlines import (
    days_off,
    enhanced_reasons,
    obligations,
    outstanding,
    riddor_needed,
    status_since,
    suspect_words,
)
from .errors import StoreError
from .leaflet import what_to_expect
from .models import Actor, Case
from .paths import demo_store
from .progress import awaiting_review, is_complete, next_step, progress
from .scenarios import is_training_store
from .store_api import CaseStore
from .text import normalise_number

FORMATS = ("csv", "json", "md")
TRAINING = "TRAINING"
KEY_BYTES = 32
_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O; no digits, so a pseudonym never looks like a number
_FREE_KINDS = ("text", "longtext")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportError(Exception):
    """An export that cannot be made; the message says what to do (and never quotes a case's text)."""


# --- pseudonyms ----------------------------------------------------------------------------------


class Pseudonyms:
    """Stable pseudonyms from a secret key: the same input always gives the same pseudonym."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("a pseudonym key needs at least 16 bytes")
        self._key = key

    def _code(self, kind: str, value: str) -> str:
        digest = hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).digest()
        number = int.from_bytes(digest[:8], "big")
        letters = []
        for _ in range(8):
            number, rest = divmod(number, len(_LETTERS))
            letters.append(_LETTERS[rest])
        return "".join(letters)

    def person(self, name: str | None, number: str | None) -> str:
        """A person, by their collar/staff number (rank kept), or by their name if there is none."""
        key = normalise_number(number or "")
        if key:
            return "P-" + self._code("number", key)
        name_key = " ".join((name or "").split()).casefold()
        return "P-" + self._code("name", name_key) if name_key else ""

    def case(self, reference: str) -> str:
        return "C-" + self._code("case", reference) if reference else ""

    def incident(self, reference: str) -> str:
        return "I-" + self._code("incident", reference)


def store_identity(store: CaseStore) -> str:
    """What names this store for its pseudonym key: a folder's full path, or the database's location."""
    root = getattr(store, "root", None)
    if isinstance(root, Path):
        try:
            return "folder:" + str(root.expanduser().resolve())
        except OSError:
            return "folder:" + str(root)
    return "database:" + store.location


def pseudonym_key(store: CaseStore, folder: Path) -> bytes:
    """This store's pseudonym secret, kept in ``folder`` (0700) as a 0600 file; made the first time."""
    name = hashlib.sha256(store_identity(store).encode()).hexdigest()[:32] + ".key"
    path = folder / name
    try:
        data = path.read_bytes()
        if len(data) >= KEY_BYTES:
            return data[:KEY_BYTES]
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise ExportError(f"Cannot read the pseudonym key {path}: {exc.strerror}.") from None
    try:
        atomic.make_private_dir(folder)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, atomic.FILE_MODE)
    except FileExistsError:  # another export made it a moment ago (or it was too short: kept as it is)
        data = path.read_bytes()
        if len(data) < KEY_BYTES:
            raise ExportError(f"The pseudonym key {path} is damaged: move it away to make a new one.") from None
        return data[:KEY_BYTES]
    except OSError as exc:
        raise ExportError(f"Cannot keep a pseudonym key in {folder}: {exc.strerror}.") from None
    key = secrets.token_bytes(KEY_BYTES)
    try:
        os.write(fd, key)
        os.fsync(fd)
    finally:
        os.close(fd)
    return key


def is_training(store: CaseStore) -> bool:
    """Is this the training store (``ophamp demo``'s, or one holding its marker)?"""
    root = getattr(store, "root", None)
    if not isinstance(root, Path):
        return False
    try:
        return root.resolve() == demo_store().resolve() or is_training_store(root)
    except OSError:
        return False


# --- values ----------------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).isoformat(timespec="seconds").replace("+00:00", "Z")


def _when(value: Any) -> str | None:
    """A stored time (ISO text) in the export's form; None if there is none or it cannot be read."""
    if isinstance(value, datetime):
        return _iso(value)
    if not isinstance(value, str) or not value:
        return None
    try:
        return _iso(from_iso(value))
    except ValueError:
        return None


def _code(value: Any, choices: Iterable[C.Choice], anonymise: bool) -> str | None:
    """A stored choice; anonymised, only a known code (anything else might be typed text)."""
    if value is None or value == "":
        return None
    text = str(value)
    if anonymise and text not in {v for v, _ in choices}:
        return None
    return text


def _codes(values: Iterable[Any], choices: Iterable[C.Choice], anonymise: bool) -> list[str]:
    known = {v for v, _ in choices}
    return [str(v) for v in values if not anonymise or str(v) in known]


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _who(actor: Actor | None, pseudo: Pseudonyms | None) -> str | None:
    if actor is None:
        return None
    if pseudo is not None:
        return pseudo.person(actor.name, actor.number) or None
    return actor.short() or None


def _person_prefixes(sdef: StepDef) -> list[str]:
    return [f.key[: -len("_number")] for f in sdef.fields if f.person and f.kind == "number"]


def _step_value_fields(sdef: StepDef) -> list[FieldDef]:
    """The step's own fields that are not typed text, not a person and not kept elsewhere on the case."""
    return [f for f in sdef.fields if not f.path and not f.person and f.kind not in _FREE_KINDS]


def _step_text_fields(sdef: StepDef) -> list[FieldDef]:
    return [f for f in sdef.fields if not f.path and not f.person and f.kind in _FREE_KINDS]


_HEAD = [
    "reference",
    "training",
    "state",
    "created_at",
    "occurred_at",
]
_VICTIM_FULL = ["victim_name", "victim_number", "victim_staff_no"]
_VICTIM_ANON = ["victim"]
_INCIDENT = [
    "victim_role",
    "age_band",
    "service_band",
    "offence",
    "location_type",
    "context",
    "methods",
    "injury",
    "injury_split",
    "body_parts",
    "medical",
    "impact",
    "on_duty",
    "single_crewed",
    "equipment",
    "suspects",
    "hate_crime",
    "hate_strands",
    "enhanced_rights",
    "persistently_targeted",
    "vulnerable_intimidated",
    "linked_cases",
    "suspect_status",
    "suspect_status_since",
    "steps_finished",
    "next_step",
    "time_limits_open",
    "time_limits_overdue",
    "next_due",
    "next_due_at",
    "hours_to_welfare_contact",
    "days_off",
    "victim_updates",
    "welfare_contacts",
    "referrals_made",
    "referrals_waiting",
    "suspect_events",
    "closed_at",
    "created_by",
]
_CASE_TEXT = ["location", "offence_other", "cad_ref", "impact_notes", "closed_reason"]


def case_columns(anonymise: bool = False) -> list[str]:
    """The columns of the case export, in order (see the module's documentation)."""
    columns = [*_HEAD, *(_VICTIM_ANON if anonymise else _VICTIM_FULL), *_INCIDENT]
    for sdef in STEPS:
        columns += [f"{sdef.key}.status", f"{sdef.key}.at", f"{sdef.key}.by"]
        columns += [f"{sdef.key}.{f.key}" for f in _step_value_fields(sdef)]
        for prefix in _person_prefixes(sdef):
            columns += (
                [f"{sdef.key}.{prefix}"] if anonymise else [f"{sdef.key}.{prefix}_name", f"{sdef.key}.{prefix}_number"]
            )
    if not anonymise:
        columns += _CASE_TEXT
        for sdef in STEPS:
            columns += [f"{sdef.key}.notes", f"{sdef.key}.na_reason"]
            columns += [f"{sdef.key}.{f.key}" for f in _step_text_fields(sdef)]
    return columns


def _state(case: Case) -> str:
    if case.closed_reason:
        return "closed"
    if is_complete(case):
        return "complete"
    return "review" if awaiting_review(case) else "open"


def _injury_split(case: Case) -> str:
    return "without_injury" if case.incident.injury in ("", "none") else "with_injury"


def _field_value(fdef: FieldDef, value: Any, anonymise: bool) -> Any:
    if fdef.kind == "datetime":
        return _when(value)
    if fdef.kind == "bool":
        return _bool(value)
    if fdef.kind == "select":
        return _code(value, fdef.choices, anonymise)
    if fdef.kind == "multi":
        return _codes(value if isinstance(value, list) else [], fdef.choices, anonymise)
    if fdef.kind == "count":
        return _count(value)
    return None if anonymise else value


def case_row(case: Case, now: datetime, *, pseudo: Pseudonyms | None = None, training: bool = False) -> dict[str, Any]:
    """One case as a row of ``case_columns(pseudo is not None)``, with Python values (see ``csv_cell``)."""
    anon = pseudo is not None
    inc, victim = case.incident, case.victim
    dues = obligations(case)
    finished, _total = progress(case)
    nxt = next_step(case)
    contact = from_iso(_str(case.steps["welfare_contact"].fields.get("contact_at")))
    row: dict[str, Any] = {
        "reference": pseudo.case(case.id) if pseudo else case.id,
        "training": TRAINING if (training or case.fictional) else None,
        "state": _state(case),
        "created_at": _iso(case.created_at),
        "occurred_at": _iso(inc.occurred_at),
    }
    if pseudo:
        row["victim"] = pseudo.person(victim.name, victim.number) or None
    else:
        row |= {"victim_name": victim.name, "victim_number": victim.number, "victim_staff_no": victim.staff_no or None}
    row |= {
        "victim_role": _code(victim.role, C.VICTIM_ROLES, anon),
        "age_band": _code(victim.age_band, C.AGE_BANDS, anon),
        "service_band": _code(victim.service_band, C.SERVICE_BANDS, anon),
        "offence": _code(inc.offence, C.OFFENCES, anon),
        "location_type": _code(inc.location_type, C.LOCATION_TYPES, anon),
        "context": _code(inc.context, C.CONTEXTS, anon),
        "methods": _codes(inc.methods, C.METHODS, anon),
        "injury": _code(inc.injury, C.INJURY_LEVELS, anon),
        "injury_split": _injury_split(case),
        "body_parts": _codes(inc.body_parts, C.BODY_PARTS, anon),
        "medical": _code(inc.medical, C.MEDICAL_CARE, anon),
        "impact": _codes(inc.impact, C.IMPACTS, anon),
        "on_duty": inc.on_duty,
        "single_crewed": inc.single_crewed,
        "equipment": _codes(inc.equipment, C.EQUIPMENT, anon),
        "suspects": inc.suspects,
        "hate_crime": case.hate_crime,
        "hate_strands": _codes(case.hate_strands, C.HATE_STRANDS, anon),
        "enhanced_rights": enhanced_reasons(case),
        "persistently_targeted": case.persistently_targeted,
        "vulnerable_intimidated": case.vulnerable_intimidated,
        "linked_cases": [pseudo.case(r) for r in inc.linked] if pseudo else list(inc.linked),
        "suspect_status": _code(case.suspect.status, C.SUSPECT_STATUSES, anon),
        "suspect_status_since": _iso(_status_since(case)),
        "steps_finished": finished,
        "next_step": nxt.key if nxt else None,
        "time_limits_open": len(dues),
        "time_limits_overdue": sum(d.overdue(now) for d in dues),
        "next_due": dues[0].what if dues else None,
        "next_due_at": _iso(dues[0].due_at) if dues else None,
        "hours_to_welfare_contact": (
            round((contact - as_utc(inc.occurred_at)).total_seconds() / 3600, 1) if contact else None
        ),
        "days_off": days_off(case, now),
        "victim_updates": len(case.updates),
        "welfare_contacts": len(case.welfare_contacts),
        "referrals_made": sum(1 for r in case.referrals if r.done_at is not None),
        "referrals_waiting": sum(1 for r in case.referrals if r.done_at is None),
        "suspect_events": len(case.status_history),
        "closed_at": _iso(case.closed_at),
        "created_by": _who(case.created_by, pseudo),
    }
    for sdef in STEPS:
        record = case.steps[sdef.key]
        fields = record.fields
        row[f"{sdef.key}.status"] = record.status.value
        row[f"{sdef.key}.at"] = _iso(record.at)
        row[f"{sdef.key}.by"] = _who(record.by, pseudo)
        for f in _step_value_fields(sdef):
            row[f"{sdef.key}.{f.key}"] = _field_value(f, fields.get(f.key), anon)
        for prefix in _person_prefixes(sdef):
            name, number = _str(fields.get(f"{prefix}_name")), _str(fields.get(f"{prefix}_number"))
            if pseudo:
                row[f"{sdef.key}.{prefix}"] = pseudo.person(name, number) or None
            else:
                row[f"{sdef.key}.{prefix}_name"] = name
                row[f"{sdef.key}.{prefix}_number"] = number
    if not anon:
        row |= {
            "location": inc.location or None,
            "offence_other": inc.offence_other or None,
            "cad_ref": inc.cad_ref or None,
            "impact_notes": inc.impact_notes or None,
            "closed_reason": case.closed_reason or None,
        }
        for sdef in STEPS:
            record = case.steps[sdef.key]
            row[f"{sdef.key}.notes"] = record.notes or None
            row[f"{sdef.key}.na_reason"] = record.na_reason or None
            for f in _step_text_fields(sdef):
                value = record.fields.get(f.key)
                row[f"{sdef.key}.{f.key}"] = None if value is None or value == "" else str(value)
    return row


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _status_since(case: Case) -> datetime | None:
    return status_since(case)


# --- the national return -----------------------------------------------------------------------------

NATIONAL_COLUMNS = [
    "incident",
    "victim",
    "victims_in_incident",
    "incident_date",
    "victim_role",
    "home_office_category",
    "offence",
    "methods",
    "context",
    "location_type",
    "injury",
    "body_parts",
    "medical",
    "on_duty",
    "single_crewed",
    "equipment",
    "suspects",
    "hate_crime",
    "age_band",
    "service_band",
    "days_off",
    "riddor_reportable",
    "training",
]
CONSTABLE_ROLES = {"police_officer", "special"}


def _home_office(case: Case) -> str:
    who = "constable" if case.victim.role in CONSTABLE_ROLES else "emergency_worker"
    return f"{who}_{_injury_split(case)}"


def national_row(
    case: Case, now: datetime, pseudo: Pseudonyms, *, incident: str, victims: int, training: bool = False
) -> dict[str, Any]:
    inc, victim = case.incident, case.victim
    return {
        "incident": incident,
        "victim": pseudo.person(victim.name, victim.number) or None,
        "victims_in_incident": victims,
        "incident_date": to_london(inc.occurred_at).date().isoformat(),
        "victim_role": _code(victim.role, C.VICTIM_ROLES, True),
        "home_office_category": _home_office(case),
        "offence": _code(inc.offence, C.OFFENCES, True),
        "methods": _codes(inc.methods, C.METHODS, True),
        "context": _code(inc.context, C.CONTEXTS, True),
        "location_type": _code(inc.location_type, C.LOCATION_TYPES, True),
        "injury": _code(inc.injury, C.INJURY_LEVELS, True),
        "body_parts": _codes(inc.body_parts, C.BODY_PARTS, True),
        "medical": _code(inc.medical, C.MEDICAL_CARE, True),
        "on_duty": inc.on_duty,
        "single_crewed": inc.single_crewed,
        "equipment": _codes(inc.equipment, C.EQUIPMENT, True),
        "suspects": inc.suspects,
        "hate_crime": case.hate_crime,
        "age_band": _code(victim.age_band, C.AGE_BANDS, True),
        "service_band": _code(victim.service_band, C.SERVICE_BANDS, True),
        "days_off": days_off(case, now),
        "riddor_reportable": riddor_needed(case, now),
        "training": TRAINING if (training or case.fictional) else None,
    }


class _Groups:
    """Union-find over case references: the cases of one incident."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, ref: str) -> str:
        parent = self.parent.setdefault(ref, ref)
        while parent != ref:
            grand = self.parent[parent]
            self.parent[ref] = grand
            ref, parent = parent, grand
        return ref

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:  # the smaller reference leads, so an incident's name does not depend on the order read
            small, big = sorted((ra, rb))
            self.parent[big] = small


@dataclass
class Stats:
    """What an export wrote and left out."""

    rows: int = 0
    skipped: int = 0  # cases that could not be read
    fictional: int = 0  # fictional cases of a live store, left out of the national return
    merged: int = 0  # a victim's second case in the same incident (national return: one row)
    training: bool = False
    notes: list[str] = field(default_factory=list)


def _load_all(store: CaseStore, ids: Iterable[str], stats: Stats) -> Iterator[Case]:
    for case_id in ids:
        try:
            yield store.load(case_id)
        except StoreError:
            stats.skipped += 1


def case_rows(
    store: CaseStore, now: datetime, *, pseudo: Pseudonyms | None = None, stats: Stats | None = None
) -> Iterator[dict[str, Any]]:
    """Every case of the store as a row, in reference order, one case in memory at a time."""
    stats = stats if stats is not None else Stats()
    stats.training = is_training(store)
    for case in _load_all(store, sorted(store.case_ids()), stats):
        stats.rows += 1
        yield case_row(case, now, pseudo=pseudo, training=stats.training)


def national_rows(
    store: CaseStore, now: datetime, pseudo: Pseudonyms, *, stats: Stats | None = None
) -> Iterator[dict[str, Any]]:
    """The national return: one row per victim per incident (see the module's documentation)."""
    stats = stats if stats is not None else Stats()
    training = stats.training = is_training(store)
    groups = _Groups()
    victims: dict[str, set[str]] = {}  # incident (its leading reference) -> victims' pseudonyms
    keep: list[str] = []
    summaries = [
        (s.id, s.linked, s.victim_name, s.victim_number, s.fictional, s.damaged) for s in store.iter_summaries()
    ]
    for ref, linked, _name, _number, fictional, damaged in summaries:
        if damaged:
            stats.skipped += 1
            continue
        if fictional and not training:
            stats.fictional += 1
            continue
        groups.find(ref)
        for other in linked:
            groups.union(ref, other)
        keep.append(ref)
    for ref, _linked, name, number, fictional, damaged in summaries:
        if not damaged and (training or not fictional):
            victims.setdefault(groups.find(ref), set()).add(pseudo.person(name, number))
    del summaries
    seen: set[tuple[str, str]] = set()
    for case in _load_all(store, sorted(keep), stats):
        lead = groups.find(case.id)
        who = pseudo.person(case.victim.name, case.victim.number)
        if (lead, who) in seen:
            stats.merged += 1
            continue
        seen.add((lead, who))
        stats.rows += 1
        count = len(victims.get(lead, ())) or 1
        yield national_row(case, now, pseudo, incident=pseudo.incident(lead), victims=count, training=training)


# --- writing ------------------------------------------------------------------------------------------


def csv_cell(value: Any) -> str:
    """A value as a CSV cell: see "Values" in the module's documentation."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def write_csv(rows: Iterable[dict[str, Any]], columns: list[str], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])


def write_json(rows: Iterable[dict[str, Any]], columns: list[str], out: TextIO, meta: dict[str, Any]) -> None:
    """``{...meta, "columns": [...], "rows": [{...}, ...]}``, written row by row."""
    head = json.dumps({**meta, "columns": columns}, ensure_ascii=False, indent=1)
    out.write(head[:-2] + ',\n "rows": [')
    first = True
    for row in rows:
        out.write("\n  " if first else ",\n  ")
        out.write(json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False))
        first = False
    out.write("\n ]\n}\n")


# --- the handover (Markdown) -----------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")  # inline: what could start emphasis, code, a link or HTML

# Who a step's time limits are due from: the role-holders named on the case, first named first.
STEP_OWNERS: dict[str, tuple[tuple[str, str], ...]] = {
    "supervisor_aware": (("supervisor_aware", "supervisor"),),
    "welfare_contact": (("supervisor_aware", "supervisor"),),
    "support_handover": (("supervisor_aware", "inspector"), ("supervisor_aware", "supervisor")),
    "statement": (("statement", "taker"), ("supervisor_aware", "supervisor")),
    "crime_recorded": (("crime_recorded", "recorder"), ("supervisor_aware", "supervisor")),
    "oic_assigned": (("supervisor_aware", "supervisor"),),
    "kept_informed": (("oic_assigned", "oic"),),
    "longer_term": (("longer_term", "support_officer"), ("support_handover", "welfare_officer")),
    "outcome": (("oic_assigned", "oic"),),
    "senior_review": (("senior_review", "reviewer"),),
}


def md_text(value: str) -> str:
    """User text made literal in Markdown: one line, every character Markdown could act on escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(value.split()))


def _role_words(step_key: str, prefix: str) -> str:
    for f in step(step_key).fields:
        if f.key == f"{prefix}_number":
            return f.person
    return prefix.replace("_", " ")


def due_from(case: Case, step_key: str, pseudo: Pseudonyms | None = None) -> str:
    """Who a time limit at this step is due from, in words: the person named, or who should be."""
    owners = STEP_OWNERS.get(step_key, ())
    for owner_step, prefix in owners:
        fields = case.steps[owner_step].fields
        name, number = _str(fields.get(f"{prefix}_name")), _str(fields.get(f"{prefix}_number"))
        if name or number:
            role = _role_words(owner_step, prefix)
            if pseudo is not None:
                return f"{pseudo.person(name, number)} ({role})"
            who = f"{name} ({number})" if name and number else (name or number or "")
            return f"{md_text(who)}, {role}"
    if owners:
        return f"not named yet: {_role_words(*owners[0])}"
    return "not named yet"


def _line(label: str, value: str | None) -> str:
    return f"- **{label}:** {value}" if value else ""


def _label(choices: list[C.Choice], value: str | None) -> str:
    """A choice's label; a stored value that is not a known choice is shown as a code, never as text."""
    if not value:
        return ""
    return C.label(choices, value) if value in {v for v, _ in choices} else "(not a known choice)"


def _labels(choices: list[C.Choice], values: list[str]) -> str:
    return ", ".join(_label(choices, v) for v in values)


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def handover_md(case: Case, now: datetime, *, pseudo: Pseudonyms | None = None, training: bool = False) -> str:
    """The handover of one case for the next supervisor or OIC, in Markdown (see the module's documentation)."""
    anon = pseudo is not None
    inc, victim = case.incident, case.victim
    finished, total = progress(case)
    ref = pseudo.case(case.id) if pseudo else case.id
    lines = [f"# Op Hampshire handover: {ref}", ""]
    if training or case.fictional:
        lines += [f"**{TRAINING}: a fictional case, not a real victim.**", ""]
    lines.append(
        f"Written {fmt_local(now, with_day=True)} (London time). "
        f"State: {_state(case)}, {finished} of {total} steps finished."
    )
    if not anon:
        lines.append("It names the victim: keep it to those who need it.")
    lines += ["", "## What happened", ""]
    who = pseudo.person(victim.name, victim.number) if pseudo else md_text(f"{victim.name} ({victim.number})")
    facts = [
        _line("Victim", f"{who}, {_label(C.VICTIM_ROLES, victim.role)}"),
        _line("When", fmt_local(inc.occurred_at, with_day=True)),
        _line("Where", None if anon else md_text(inc.location)),
        _line("Type of place", _label(C.LOCATION_TYPES, inc.location_type)),
        _line("What was happening", _label(C.CONTEXTS, inc.context)),
        _line("Offence", _label(C.OFFENCES, inc.offence)),
        _line("Offence (described)", None if anon else md_text(inc.offence_other)),
        _line("Method", _labels(C.METHODS, inc.methods)),
        _line("Injury", _label(C.INJURY_LEVELS, inc.injury)),
        _line("Where on the body", _labels(C.BODY_PARTS, inc.body_parts)),
        _line("Medical care", _label(C.MEDICAL_CARE, inc.medical)),
        _line("Impact", _labels(C.IMPACTS, inc.impact)),
        _line("Impact in their words", None if anon else md_text(inc.impact_notes)),
        _line("On duty", _yes(inc.on_duty)),
        _line("Single-crewed", _yes(inc.single_crewed)),
        _line("Suspects", str(inc.suspects)),
        _line("Suspect status", _label(C.SUSPECT_STATUSES, case.suspect.status)),
        _line("Suspect", suspect_words(case, now)),
        _line("Enhanced rights", ", ".join(enhanced_reasons(case))),
        _line("CAD reference", None if anon else md_text(inc.cad_ref)),
        _line(
            "Crime reference",
            None if anon else md_text(_str(case.steps["crime_recorded"].fields.get("crime_ref")) or ""),
        ),
        _line(
            "Linked cases (same incident)",
            ", ".join(pseudo.case(r) if pseudo else md_text(r) for r in inc.linked),
        ),
        _line("Closed early", None if anon or not case.closed_reason else md_text(case.closed_reason)),
    ]
    lines += [f for f in facts if f]
    dues = obligations(case)
    lines += ["", "## What is due, from whom, by when", ""]
    if dues:
        lines += ["| What | By when | From | Step |", "| --- | --- | --- | --- |"]
        for d in dues:
            late = "**OVERDUE**, was due " if d.overdue(now) else ""
            sdef = step(d.step)
            lines.append(
                f"| {d.what} | {late}{fmt_by(d.due_at, d.end_of_day)} | {due_from(case, d.step, pseudo)} "
                f"| {sdef.number}. {sdef.title} |"
            )
    else:
        lines.append("No time limit is running.")
    extra = outstanding(case)
    if extra:
        lines += ["", "Outstanding (no time limit):", ""]
        lines += [f"- {o.what}: {due_from(case, o.step, pseudo)}" for o in extra]
    lines += ["", "## The steps", "", "| # | Step | Status | By | When |", "| --- | --- | --- | --- | --- |"]
    for sdef in STEPS:
        record = case.steps[sdef.key]
        by = _who(record.by, pseudo) or ""
        lines.append(
            f"| {sdef.number} | {sdef.title} | {record.status.label} | {by if anon else md_text(by)} "
            f"| {fmt_local(record.at)} |"
        )
    todo = [s for s in STEPS if not case.steps[s.key].status.finished]
    if todo and not (case.closed_reason or is_complete(case)):
        lines += ["", "Still to do:", ""]
        lines += [f"- {s.number}. {s.title}: {due_from(case, s.key, pseudo)}" for s in todo]
    if not anon:
        notes = [(s, case.steps[s.key]) for s in STEPS if case.steps[s.key].notes or case.steps[s.key].na_reason]
        if notes:
            lines += ["", "## Notes", ""]
            for s, record in notes:
                if record.na_reason:
                    lines.append(f"- **{s.number}. {s.title}, not applicable because:** {md_text(record.na_reason)}")
                if record.notes:
                    lines.append(f"- **{s.number}. {s.title}:** {md_text(record.notes)}")
    log_lines: list[str] = []
    for key, ldef in LOGS.items():
        entries = sorted(getattr(case, key), key=lambda e: e.at)
        if not entries:
            continue
        log_lines += ["", f"### {ldef.title}", ""]
        for e in entries:
            head = ldef.head_label(e.model_dump(mode="json"))
            text = "" if anon or not e.summary else f": {md_text(e.summary)}"
            made = f" (made {fmt_local(e.done_at)})" if e.done_at else (" (not made yet)" if ldef.made_later else "")
            log_lines.append(
                f"- {fmt_local(e.at)}, {head or 'entry'}{made}, "
                f"by {_who(e.by, pseudo) if anon else md_text(e.by.short())}{text}"
            )
    if log_lines:
        lines += ["", "## Logs", *log_lines]
    if not anon:
        leaflet = what_to_expect(case)
        fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", leaflet)), default=0))
        lines += ["", "## What the victim has been told to expect", "", f"{fence}text", leaflet.rstrip("\n"), fence]
    return "\n".join(lines) + "\n"


# --- files -------------------------------------------------------------------------------------------------


class OutputFile:
    """A file written as a whole or not at all, readable by you only (0600), never replacing one that is
    there unless ``force``: written under a temporary name beside it, then linked (or, with ``force``,
    renamed) into place. ``with OutputFile(path) as out: out.write(...)``."""

    def __init__(self, path: Path, *, force: bool = False) -> None:
        self.path = path
        self.force = force
        self._tmp: Path | None = None
        self._file: TextIO | None = None

    def check(self) -> None:
        """``ExportError`` now, before any work, if the file is there and may not be replaced."""
        if not self.force and os.path.lexists(self.path):
            raise ExportError(f"{self.path} already exists: add --force to replace it.")
        if not self.path.parent.is_dir():
            raise ExportError(f"{self.path.parent} is not a folder: say where to write with -o FILE.")

    def __enter__(self) -> TextIO:
        self.check()
        self._tmp = self.path.parent / f"{atomic.TMP_MARK}{self.path.name}.{secrets.token_hex(4)}"
        try:
            fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, atomic.FILE_MODE)
        except OSError as exc:
            raise ExportError(f"Cannot write in {self.path.parent}: {exc.strerror}.") from None
        os.fchmod(fd, atomic.FILE_MODE)  # whatever the umask
        self._file = os.fdopen(fd, "w", encoding="utf-8", newline="")
        return self._file

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        assert self._file is not None and self._tmp is not None
        tmp = self._tmp
        try:
            if exc_type is None:
                self._file.flush()
                os.fsync(self._file.fileno())
            self._file.close()
            if exc_type is not None:
                return
            if self.force:
                os.replace(tmp, self.path)
            else:
                try:
                    os.link(tmp, self.path)  # fails if a file appeared meanwhile: never replaced
                except FileExistsError:
                    raise ExportError(f"{self.path} already exists: add --force to replace it.") from None
        except OSError as error:
            raise ExportError(f"Cannot write {self.path}: {error.strerror}.") from None
        finally:
            try:
                tmp.unlink()
            except FileNotFoundError:
                pass
